import type { Schema } from '@/lib/api/client';

/**
 * Handoff context plans, variables and rejection rules as short text, for the topology's edges
 * and the session replay's transitions (the editor's long labels are in handoff-plan-fields).
 */

type ContextPolicy = Schema<'ContextPolicy'>;
type RuleCondition = Schema<'RuleCondition-Output'>;
export type RejectionRule = Schema<'RejectionRule-Output'>;

const PLAN_LABELS: Record<ContextPolicy, string> = {
  all: 'all history',
  last_n: 'last N',
  conversation: 'conversation',
  summary: 'summary',
  none: 'none',
  preserve: 'preserve',
  reset: 'fresh context',
};

/** "last 5", "summary", "none"…; an unknown policy (a newer runtime's) is shown as it is. */
export function planLabel(policy: string | null | undefined, lastN?: number | null): string {
  if (!policy) return 'preserve';
  if (policy === 'last_n') return lastN ? `last ${lastN}` : 'last N';
  return PLAN_LABELS[policy as ContextPolicy] ?? policy;
}

const OP_TEXT: Record<RuleCondition['op'], string> = {
  eq: 'is',
  ne: 'is not',
  lt: '<',
  lte: '≤',
  gt: '>',
  gte: '≥',
  in: 'is one of',
  not_in: 'is none of',
  exists: 'is set',
  missing: 'is not set',
};

/** A variable's value as the replay shows it: strings quoted, lists and objects as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function conditionText(c: RuleCondition): string {
  const op = OP_TEXT[c.op] ?? c.op;
  if (c.op === 'exists' || c.op === 'missing') return `${c.variable} ${op}`;
  const value = Array.isArray(c.value) ? c.value.map(valueText).join(', ') : valueText(c.value);
  return `${c.variable} ${op} ${value}`;
}

/** "topic is \"unknown\"" — the conditions under which the rule refuses, joined by and/or. */
export function ruleText(rule: RejectionRule): string {
  return rule.conditions.map(conditionText).join(rule.match === 'any' ? ' or ' : ' and ');
}

/** `name = value` pairs of a transition's variables, in name order. */
export function variablePairs(variables: unknown): [string, string][] {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return [];
  return Object.entries(variables as Record<string, unknown>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => [name, valueText(value)]);
}
