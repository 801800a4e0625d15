import { describe, expect, it } from 'vitest';
import { plural, quotaLabel, quotaValue } from './words';

describe('words', () => {
  it('says "1 agent" and "2 agents"', () => {
    expect(plural(1, 'agent')).toBe('1 agent');
    expect(plural(0, 'agent')).toBe('0 agents');
    expect(plural(3, 'agent')).toBe('3 agents');
  });

  it('names quotas in words, not field names', () => {
    expect(quotaLabel('alert_cost_per_month_micros')).toBe('Cost alert per month');
    expect(quotaLabel('quota_max_duration_s')).toBe('Longest session (limit)');
    expect(quotaLabel('some_new_limit_s')).toBe('Some new limit');
    for (const key of ['alert_cost_per_month_micros', 'retention_days', 'redact_pii']) {
      expect(quotaLabel(key)).not.toContain('_');
    }
  });

  it('shows quota values with their unit', () => {
    expect(quotaValue('alert_cost_per_month_micros', 25_000_000)).toBe('$25.00');
    expect(quotaValue('max_duration_s', 1800)).toBe('30 minutes');
    expect(quotaValue('max_duration_s', 45)).toBe('45 seconds');
    expect(quotaValue('retention_days', 1)).toBe('1 day');
    expect(quotaValue('redact_pii', false)).toBe('no');
    expect(quotaValue('sessions_per_day', null)).toBe('unlimited');
  });
});
