import type { Schema } from '@/lib/api/client';

export type UsageSettings = Schema<'UsageSettingsRead'>;

const DAY_MS = 86_400_000;
const PLAN_NAMES: Record<string, string> = {
  free: 'Free',
  trial: 'Trial',
  pro: 'Pro',
  enterprise: 'Enterprise',
};

export interface PlanSummary {
  name: string;
  detail: string;
  tone: 'success' | 'warning' | 'danger' | undefined;
}

/** What the usage page says about the organization's plan and trial. */
export function planSummary(s: UsageSettings, now: Date = new Date()): PlanSummary {
  const name = PLAN_NAMES[s.plan] ?? s.plan;
  if (s.plan !== 'trial' || !s.trial_ends_at) {
    return { name, detail: 'Set by the platform operator.', tone: undefined };
  }
  const ends = new Date(s.trial_ends_at);
  const date = ends.toLocaleDateString(undefined, { dateStyle: 'medium' });
  if (s.trial_expired || ends.getTime() <= now.getTime()) {
    return {
      name,
      detail: `The trial ended on ${date}. New sessions are refused until a plan is chosen.`,
      tone: 'danger',
    };
  }
  const days = Math.ceil((ends.getTime() - now.getTime()) / DAY_MS);
  return {
    name,
    detail: `The trial ends on ${date} (${days === 1 ? '1 day' : `${days} days`} left).`,
    tone: days <= 3 ? 'warning' : 'success',
  };
}
