export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const total = Math.round(value);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}:${String(s).padStart(2, '0')}`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)} ms`;
}

export function formatCost(micros: number | null | undefined, currency = 'USD'): string {
  if (micros === null || micros === undefined) return '—';
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    maximumFractionDigits: 2,
  }).format(micros / 1_000_000);
}
