import { describe, expect, it } from 'vitest';
import { planSummary, type UsageSettings } from './plan';

const base: UsageSettings = {
  plan: 'free',
  trial_ends_at: null,
  trial_expired: false,
  sessions_per_day: 500,
  concurrent_sessions: 20,
  max_duration_s: 3600,
  quota_sessions_per_day: null,
  quota_concurrent_sessions: null,
  quota_max_duration_s: null,
  retention_days: 30,
  alert_cost_per_month_micros: null,
  alert_sessions_per_day: null,
  redact_pii: false,
};
const now = new Date('2026-12-06T12:00:00Z');

describe('planSummary', () => {
  it('names a plan without a trial', () => {
    expect(planSummary({ ...base, plan: 'pro' }, now)).toMatchObject({ name: 'Pro' });
  });

  it('counts the days left of a trial and warns near its end', () => {
    const trial = { ...base, plan: 'trial', trial_ends_at: '2026-12-20T12:00:00Z' };
    expect(planSummary(trial, now)).toMatchObject({ name: 'Trial', tone: 'success' });
    expect(planSummary(trial, now).detail).toContain('(14 days left)');
    const soon = { ...trial, trial_ends_at: '2026-12-07T11:00:00Z' };
    expect(planSummary(soon, now)).toMatchObject({ tone: 'warning' });
    expect(planSummary(soon, now).detail).toContain('(1 day left)');
  });

  it('says an ended trial refuses sessions', () => {
    const ended = {
      ...base,
      plan: 'trial',
      trial_ends_at: '2026-12-01T00:00:00Z',
      trial_expired: true,
    };
    expect(planSummary(ended, now)).toMatchObject({ tone: 'danger' });
    expect(planSummary(ended, now).detail).toContain('New sessions are refused');
  });
});
