/** "1 agent", "2 agents": a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const QUOTA_LABELS: Record<string, string> = {
  plan: 'Plan',
  trial_ends_at: 'Trial ends',
  trial_expired: 'Trial expired',
  sessions_per_day: 'Sessions per day',
  concurrent_sessions: 'Sessions at the same time',
  max_duration_s: 'Longest session',
  quota_sessions_per_day: 'Sessions per day (limit)',
  quota_concurrent_sessions: 'Sessions at the same time (limit)',
  quota_max_duration_s: 'Longest session (limit)',
  retention_days: 'Data kept for',
  alert_cost_per_month_micros: 'Cost alert per month',
  alert_sessions_per_day: 'Sessions alert per day',
  redact_pii: 'Personal data redacted',
};

/** A usage setting's name in words ("alert_cost_per_month_micros" → "Cost alert per month"). */
export function quotaLabel(key: string): string {
  if (QUOTA_LABELS[key]) return QUOTA_LABELS[key];
  const words = key
    .replace(/_(micros|s|ms)$/, '')
    .replace(/_/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A usage setting's value in words: money from micros, durations, days, yes/no, unlimited. */
export function quotaValue(key: string, value: unknown, currency = 'USD'): string {
  if (value === null || value === undefined) return 'unlimited';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'number') return String(value);
  if (key.endsWith('_micros')) {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(value / 1_000_000);
  }
  if (key.endsWith('_days')) return plural(value, 'day');
  if (key.endsWith('_s')) {
    return value % 60 === 0 && value >= 60 ? plural(value / 60, 'minute') : plural(value, 'second');
  }
  return String(value);
}
