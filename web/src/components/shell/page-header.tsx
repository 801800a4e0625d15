import type { ReactNode } from 'react';
import styles from './page-header.module.css';

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: string;
  actions?: ReactNode;
}) {
  return (
    <div className={styles.header}>
      <div>
        <h1 className={styles.title}>{title}</h1>
        {description && <p className={styles.description}>{description}</p>}
      </div>
      {actions && <div className={styles.actions}>{actions}</div>}
    </div>
  );
}

export function ComingSoon({ title, body }: { title: string; body: string }) {
  return (
    <div className={styles.empty} data-testid="coming-soon">
      <div className={styles.emptyBadge}>Coming soon</div>
      <h2>{title}</h2>
      <p>{body}</p>
    </div>
  );
}
