'use client';

import { useRouter } from 'next/navigation';
import type { ComponentProps, MouseEvent } from 'react';
import styles from './link-row.module.css';

/** Clicks on these keep their own meaning (the row's link, a button, a field). */
const INTERACTIVE = 'a, button, input, select, textarea, label, summary, [role="button"]';

/**
 * A table row that opens `href` when clicked anywhere on it; the link inside it stays the
 * keyboard and screen-reader way in (and ctrl/⌘-click opens a new tab as usual).
 */
export function LinkRow({ href, className, ...props }: ComponentProps<'tr'> & { href: string }) {
  const router = useRouter();
  function open(e: MouseEvent<HTMLTableRowElement>) {
    if ((e.target as Element).closest(INTERACTIVE)) return;
    if (window.getSelection()?.toString()) return; // selecting text is no click
    if (e.metaKey || e.ctrlKey) window.open(href, '_blank');
    else router.push(href);
  }
  return (
    <tr
      {...props}
      data-href={href}
      className={className ? `${styles.row} ${className}` : styles.row}
      onClick={open}
    />
  );
}
