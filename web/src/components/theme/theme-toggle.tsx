'use client';

import { useTheme } from '@/components/theme/use-theme';
import { MoonIcon, SunIcon } from '@/components/ui/icons';
import styles from './theme-toggle.module.css';

export function ThemeToggle({ className }: { className?: string }) {
  const { theme, toggleTheme } = useTheme();
  const label = theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme';
  return (
    <button
      type="button"
      className={[styles.toggle, className].filter(Boolean).join(' ')}
      onClick={toggleTheme}
      aria-label={label}
      title={label}
      data-testid="theme-toggle"
    >
      <span className={styles.sun}>
        <SunIcon size={18} />
      </span>
      <span className={styles.moon}>
        <MoonIcon size={18} />
      </span>
    </button>
  );
}
