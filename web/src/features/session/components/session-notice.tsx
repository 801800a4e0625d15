import type { ReactNode } from 'react';
import { Logo } from '@/components/ui/logo';
import styles from './session-notice.module.css';

/** A centred full-page state: expired link, failure, ended conversation. */
export function SessionNotice({
  tone = 'neutral',
  icon,
  title,
  children,
  actions,
  testId,
}: {
  tone?: 'neutral' | 'danger' | 'success';
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <div className={styles.page}>
      <header className={styles.top}>
        <Logo />
      </header>
      <main className={styles.main}>
        <section className={styles.card} data-tone={tone} data-testid={testId} role="status">
          {icon && <div className={styles.icon}>{icon}</div>}
          <h1 className={styles.title}>{title}</h1>
          {children && <div className={styles.body}>{children}</div>}
          {actions && <div className={styles.actions}>{actions}</div>}
        </section>
      </main>
    </div>
  );
}
