import type { Schema } from '@/lib/api/client';

/** Client-side checks mirroring the API's schemas, so mistakes show before a round trip. */

export type Role = Schema<'Role'>;
export type Scope = Schema<'Scope'>;
export const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];
export const SCOPES: readonly Scope[] = [
  'agents:read',
  'agents:write',
  'templates:read',
  'templates:write',
  'sessions:read',
  'sessions:write',
  'usage:read',
];
export const WEBHOOK_EVENTS = [
  'session.started',
  'session.ended',
  'analysis.completed',
  'usage.alert',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type Errors = Record<string, string>;

// The same shape email-validator accepts for ordinary addresses: one @, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

export function validateInvite(email: string, role: string): Errors {
  const errors: Errors = {};
  if (!email.trim()) errors.email = 'Enter the email address to invite.';
  else if (!EMAIL.test(email.trim())) errors.email = 'This is not a valid email address.';
  if (!ROLES.includes(role as Role)) errors.role = 'Pick a role.';
  return errors;
}

export function validateApiKey(name: string, scopes: string[], expiresAt: string): Errors {
  const errors: Errors = {};
  if (!name.trim()) errors.name = 'Name the key after what uses it.';
  else if (name.trim().length > 200) errors.name = 'At most 200 characters.';
  if (scopes.length === 0) errors.scopes = 'Pick at least one scope.';
  else if (scopes.some((s) => !SCOPES.includes(s as Scope))) errors.scopes = 'Unknown scope.';
  if (expiresAt) {
    const when = new Date(expiresAt);
    if (Number.isNaN(when.getTime())) errors.expires_at = 'Not a valid date.';
    else if (when.getTime() <= Date.now()) errors.expires_at = 'The expiry must be in the future.';
  }
  return errors;
}

export function validateWebhookEndpoint(url: string, events: string[], description = ''): Errors {
  const errors: Errors = {};
  const trimmed = url.trim();
  if (!trimmed) errors.url = 'Enter the URL that receives the events.';
  else if (trimmed.length > 2000) errors.url = 'At most 2000 characters.';
  else {
    let parsed: URL | null = null;
    try {
      parsed = new URL(trimmed);
    } catch {
      parsed = null;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname) {
      errors.url = 'Use an absolute http(s) URL.';
    }
  }
  if (events.length === 0) errors.events = 'Pick at least one event.';
  else if (events.some((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e))) {
    errors.events = 'Unknown event.';
  }
  if (description.length > 2000) errors.description = 'At most 2000 characters.';
  return errors;
}

export interface ArmDraft {
  name: string;
  weight: string;
  agent_set_id: string;
  /** `slug=version` per line; version a number or `latest`. */
  pins: string;
}

const ARM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parsePins(text: string): {
  pins: Record<string, number | 'latest'>;
  error?: string;
} {
  const pins: Record<string, number | 'latest'> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([A-Za-z0-9_-]+)\s*=\s*(latest|\d+)$/.exec(line);
    if (!match) return { pins, error: `"${line}" is not slug=version (a number or latest).` };
    const [, slug = '', version = ''] = match;
    pins[slug] = version === 'latest' ? 'latest' : Number(version);
  }
  return { pins };
}

/** Errors keyed `arms` (the whole list) or `arms.<i>.<field>`. */
export function validateArms(arms: ArmDraft[]): Errors {
  const errors: Errors = {};
  if (arms.length < 2) errors.arms = 'An experiment needs at least two arms.';
  if (arms.length > 20) errors.arms = 'At most 20 arms.';
  const seen = new Set<string>();
  arms.forEach((arm, i) => {
    const name = arm.name.trim();
    if (!ARM_NAME.test(name)) errors[`arms.${i}.name`] = 'Letters, digits, _ . - (1–64).';
    else if (seen.has(name)) errors[`arms.${i}.name`] = 'Arm names must be unique.';
    seen.add(name);
    const weight = Number(arm.weight);
    if (!arm.weight.trim() || !Number.isFinite(weight) || weight <= 0 || weight > 1_000_000) {
      errors[`arms.${i}.weight`] = 'A weight above 0.';
    }
    const { error } = parsePins(arm.pins);
    if (error) errors[`arms.${i}.pins`] = error;
  });
  return errors;
}

export function toExperimentBody(enabled: boolean, arms: ArmDraft[]): Schema<'ExperimentConfig'> {
  return {
    enabled,
    arms: arms.map((arm) => ({
      name: arm.name.trim(),
      weight: Number(arm.weight),
      agent_set_id: arm.agent_set_id || null,
      pinned_versions: parsePins(arm.pins).pins,
    })),
  };
}

function parseObject(text: string, what: string): { value?: unknown; error?: string } {
  if (!text.trim()) return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `${what}: not valid JSON (${error instanceof Error ? error.message : ''}).` };
  }
}

/** The analysis editor's two JSON texts; returns the body to PUT or the errors. */
export function validateAnalysis(
  schemaText: string,
  criteriaText: string,
): { errors: Errors; body?: Schema<'AnalysisConfig'> } {
  const errors: Errors = {};
  const schema = parseObject(schemaText, 'Schema');
  const criteria = parseObject(criteriaText, 'Criteria');
  if (schema.error) errors.schema = schema.error;
  else if (schema.value !== undefined) {
    const s = schema.value as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      errors.schema = 'The schema must be a JSON object.';
    } else if (Object.keys(s).length > 0) {
      if (s.type !== 'object') errors.schema = 'The schema\'s "type" must be "object".';
      else if (
        typeof s.properties !== 'object' ||
        s.properties === null ||
        Array.isArray(s.properties)
      ) {
        errors.schema = 'The schema needs "properties": the fields to extract.';
      }
    }
  }
  if (criteria.error) errors.criteria = criteria.error;
  else if (criteria.value !== undefined) {
    if (!Array.isArray(criteria.value)) errors.criteria = 'Criteria must be a JSON array.';
    else {
      criteria.value.forEach((c: unknown, i) => {
        if (errors.criteria) return;
        if (typeof c !== 'object' || c === null || Array.isArray(c)) {
          errors.criteria = `Criterion ${i + 1} must be an object.`;
          return;
        }
        const kinds = ['field', 'agent_reached', 'tool_called'].filter((k) => k in c);
        if (kinds.length !== 1) {
          errors.criteria = `Criterion ${i + 1} needs exactly one of field, agent_reached, tool_called.`;
        }
      });
    }
  }
  if (Object.keys(errors).length) return { errors };
  const body: Schema<'AnalysisConfig'> = {};
  if (schema.value !== undefined) body.schema = schema.value as Record<string, unknown>;
  if (criteria.value !== undefined) {
    body.criteria = criteria.value as Schema<'AnalysisConfig'>['criteria'];
  }
  return { errors, body };
}

export const PRICE_FIELDS = [
  ['llm_input_per_mtok_micros', 'LLM input / 1M tokens'],
  ['llm_output_per_mtok_micros', 'LLM output / 1M tokens'],
  ['stt_per_minute_micros', 'STT / minute'],
  ['tts_per_kchar_micros', 'TTS / 1k characters'],
  ['tts_per_minute_micros', 'TTS / minute'],
  ['vision_per_frame_micros', 'Vision / frame'],
  ['session_per_minute_micros', 'Session / minute'],
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number][0];

/** Prices are typed in dollars; the API stores micro-dollars. */
export function dollarsToMicros(text: string): number | null {
  const t = text.trim();
  if (!t) return 0;
  if (!/^\d+(\.\d{1,6})?$/.test(t)) return null;
  return Math.round(Number(t) * 1_000_000);
}

export function microsToDollars(micros: number | null | undefined): string {
  if (!micros) return '0';
  return String(micros / 1_000_000);
}

export function validatePrice(
  provider: string,
  model: string,
  values: Record<PriceField, string>,
): Errors {
  const errors: Errors = {};
  if (!provider.trim()) errors.provider = 'Enter the provider (e.g. openai).';
  else if (provider.trim().length > 64) errors.provider = 'At most 64 characters.';
  if (!model.trim()) errors.model = 'Enter the model, or * for every other model.';
  else if (model.trim().length > 128) errors.model = 'At most 128 characters.';
  for (const [key] of PRICE_FIELDS) {
    if (dollarsToMicros(values[key]) === null) errors[key] = 'A dollar amount (up to 6 decimals).';
  }
  return errors;
}
