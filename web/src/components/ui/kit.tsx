'use client';

import { useId, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/api/client';
import styles from './kit.module.css';

export { styles as dash };

export function Card({
  title,
  actions,
  children,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className={styles.card} data-testid={testId}>
      {(title || actions) && (
        <h2 className={styles.cardTitle}>
          <span>{title}</span>
          {actions && <span className={styles.row}>{actions}</span>}
        </h2>
      )}
      {children}
    </section>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
}: {
  label: string;
  hint?: ReactNode;
  error?: string;
  htmlFor?: string;
  children: ReactNode;
}) {
  return (
    <div className={styles.field}>
      <label className={styles.label} htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {error ? (
        <span className={styles.error} role="alert" data-testid={`error-${htmlFor ?? label}`}>
          {error}
        </span>
      ) : hint ? (
        <span className={styles.hint}>{hint}</span>
      ) : null}
    </div>
  );
}

type InputProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: ReactNode;
  error?: string;
};

export function TextField({ label, hint, error, id, ...props }: InputProps) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <Field label={label} hint={hint} error={error} htmlFor={fieldId}>
      <input
        id={fieldId}
        className={styles.input}
        aria-invalid={error ? true : undefined}
        {...props}
      />
    </Field>
  );
}

export function SelectField({
  label,
  hint,
  error,
  id,
  options,
  ...props
}: React.SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  hint?: ReactNode;
  error?: string;
  options: { value: string; label: string }[];
}) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <Field label={label} hint={hint} error={error} htmlFor={fieldId}>
      <select
        id={fieldId}
        className={styles.input}
        aria-invalid={error ? true : undefined}
        {...props}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CheckboxChips({
  label,
  options,
  value,
  onChange,
  error,
  hint,
  name,
}: {
  label: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (next: string[]) => void;
  error?: string;
  hint?: ReactNode;
  name: string;
}) {
  return (
    <fieldset className={styles.field} style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend className={styles.label} style={{ marginBottom: 'var(--space-2)' }}>
        {label}
      </legend>
      <div className={styles.chips} data-testid={`chips-${name}`}>
        {options.length === 0 && <span className={styles.muted}>None available.</span>}
        {options.map((o) => (
          <label key={o.value} className={styles.chip}>
            <input
              type="checkbox"
              name={name}
              value={o.value}
              checked={value.includes(o.value)}
              onChange={(e) =>
                onChange(
                  e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value),
                )
              }
            />
            {o.label}
          </label>
        ))}
      </div>
      {error ? (
        <span className={styles.error} role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className={styles.hint}>{hint}</span>
      ) : null}
    </fieldset>
  );
}

export function Badge({
  tone,
  children,
  testId,
}: {
  tone?: 'success' | 'danger' | 'warning' | 'accent';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <span className={styles.badge} data-tone={tone} data-testid={testId}>
      {children}
    </span>
  );
}

export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className={styles.banner} role="alert" data-testid="error-banner">
      <span>
        {title && <strong>{title}: </strong>}
        {typeof error === 'string' ? error : errorMessage(error)}
      </span>
    </div>
  );
}

export function Notice({
  tone = 'info',
  children,
  testId,
}: {
  tone?: 'info' | 'success';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className={`${styles.banner} ${tone === 'success' ? styles.bannerSuccess : styles.bannerInfo}`}
      role="status"
      data-testid={testId}
    >
      <span>{children}</span>
    </div>
  );
}

export function EmptyState({
  title,
  body,
  action,
  testId,
}: {
  title: string;
  body?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className={styles.empty} data-testid={testId ?? 'empty-state'}>
      <h3>{title}</h3>
      {body && <p>{body}</p>}
      {action}
    </div>
  );
}

/** A dashboard table: the scrolling wrapper, a header row of `columns` (plus an unlabelled
 * "Actions" column with `actions`) and the body rows given as children. */
export function DataTable({
  columns,
  actions,
  testId,
  children,
}: {
  columns: string[];
  actions?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
            {actions && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className={styles.muted} role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel = 'Delete',
  onConfirm,
  onCancel,
  busy,
}: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  if (!open) return null;
  return (
    <div className={styles.dialogBackdrop} onClick={onCancel}>
      <div
        className={styles.dialog}
        role="alertdialog"
        aria-modal="true"
        aria-label={title}
        data-testid="confirm-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 style={{ fontSize: 'var(--text-lg)' }}>{title}</h2>
        <div className={styles.muted}>{body}</div>
        <div className={styles.row} style={{ justifyContent: 'flex-end' }}>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
          <Button variant="danger" onClick={onConfirm} disabled={busy} data-testid="confirm">
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime())
    ? value
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function statusTone(
  status: string,
): 'success' | 'danger' | 'warning' | 'accent' | undefined {
  if (status === 'active' || status === 'ok') return 'success';
  if (status === 'failed' || status === 'error') return 'danger';
  if (status === 'created') return 'accent';
  return undefined;
}
