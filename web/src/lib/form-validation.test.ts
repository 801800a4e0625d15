import { describe, expect, it } from 'vitest';
import { EXAMPLE_CRITERIA, EXAMPLE_SCHEMA } from '@/features/templates/analysis-config-editor';
import {
  dollarsToMicros,
  microsToDollars,
  parsePins,
  toExperimentBody,
  validateAnalysis,
  validateApiKey,
  validateArms,
  validateInvite,
  validatePrice,
  validateWebhookEndpoint,
  type ArmDraft,
} from './form-validation';

describe('invitation', () => {
  it('needs a real email and a known role', () => {
    expect(validateInvite('', 'member')).toEqual({ email: 'Enter the email address to invite.' });
    expect(validateInvite('sam@', 'member').email).toMatch(/not a valid email/);
    expect(validateInvite('sam@example.com', 'owner').role).toBe('Pick a role.');
    expect(validateInvite(' sam@example.com ', 'viewer')).toEqual({});
  });
});

describe('API key', () => {
  it('needs a name, a known scope and a future expiry', () => {
    expect(Object.keys(validateApiKey('', [], '')).sort()).toEqual(['name', 'scopes']);
    expect(validateApiKey('crm', ['admin:all'], '').scopes).toBe('Unknown scope.');
    expect(validateApiKey('crm', ['sessions:write'], '2001-01-01T00:00').expires_at).toMatch(
      /future/,
    );
    expect(validateApiKey('crm', ['sessions:write'], 'soon').expires_at).toMatch(/valid date/);
    expect(validateApiKey('crm', ['sessions:write', 'usage:read'], '2999-01-01T00:00')).toEqual({});
  });
});

describe('webhook endpoint', () => {
  it.each([
    ['', /Enter the URL/],
    ['example.com/hook', /absolute http\(s\)/],
    ['ftp://example.com/hook', /absolute http\(s\)/],
    [`https://example.com/${'a'.repeat(2000)}`, /2000/],
  ])('refuses url %s', (url, message) => {
    expect(validateWebhookEndpoint(url, ['session.ended']).url).toMatch(message);
  });

  it('needs at least one known event', () => {
    expect(validateWebhookEndpoint('https://example.com/h', []).events).toMatch(/at least one/);
    expect(validateWebhookEndpoint('https://example.com/h', ['session.paused']).events).toBe(
      'Unknown event.',
    );
    expect(
      validateWebhookEndpoint('http://127.0.0.1:9000/h', ['session.started', 'analysis.completed']),
    ).toEqual({});
  });
});

describe('experiment arms', () => {
  const arm = (over: Partial<ArmDraft> = {}): ArmDraft => ({
    name: 'a',
    weight: '1',
    agent_set_id: '',
    pins: '',
    ...over,
  });

  it('needs two uniquely named arms with positive weights and valid pins', () => {
    expect(validateArms([arm()]).arms).toMatch(/two arms/);
    const errors = validateArms([
      arm({ name: 'control' }),
      arm({ name: 'control', weight: '0' }),
      arm({ name: 'bad name', weight: 'x', pins: 'front=two' }),
    ]);
    expect(errors).toEqual({
      'arms.1.name': 'Arm names must be unique.',
      'arms.1.weight': 'A weight above 0.',
      'arms.2.name': 'Letters, digits, _ . - (1–64).',
      'arms.2.weight': 'A weight above 0.',
      'arms.2.pins': '"front=two" is not slug=version (a number or latest).',
    });
  });

  it('turns drafts into the API body', () => {
    expect(parsePins('front=3\n\n billing = latest ')).toEqual({
      pins: { front: 3, billing: 'latest' },
    });
    const body = toExperimentBody(true, [
      arm({ name: 'control', weight: '70' }),
      arm({ name: 'v2', weight: '30', agent_set_id: 'set-1', pins: 'front=4' }),
    ]);
    expect(body).toEqual({
      enabled: true,
      arms: [
        { name: 'control', weight: 70, agent_set_id: null, pinned_versions: {} },
        { name: 'v2', weight: 30, agent_set_id: 'set-1', pinned_versions: { front: 4 } },
      ],
    });
    expect(
      validateArms(body.arms!.map((a) => arm({ name: a.name, weight: String(a.weight) }))),
    ).toEqual({});
  });
});

describe('analysis config', () => {
  it('accepts the example and empty (analysis off)', () => {
    expect(validateAnalysis(EXAMPLE_SCHEMA, EXAMPLE_CRITERIA)).toEqual({
      errors: {},
      body: { schema: JSON.parse(EXAMPLE_SCHEMA), criteria: JSON.parse(EXAMPLE_CRITERIA) },
    });
    expect(validateAnalysis('', '')).toEqual({ errors: {}, body: {} });
  });

  it.each([
    ['{', '', 'schema', /not valid JSON/],
    ['[]', '', 'schema', /JSON object/],
    ['{"type": "string"}', '', 'schema', /"type" must be "object"/],
    ['{"type": "object"}', '', 'schema', /needs "properties"/],
    ['', '{}', 'criteria', /JSON array/],
    ['', '[{"name": "x"}]', 'criteria', /exactly one of/],
    ['', '[{"field": "a", "tool_called": "b"}]', 'criteria', /exactly one of/],
  ])('refuses schema %s criteria %s', (schema, criteria, key, message) => {
    const result = validateAnalysis(schema, criteria);
    expect(result.body).toBeUndefined();
    expect(result.errors[key]).toMatch(message);
  });
});

describe('prices', () => {
  it('converts dollars to micro-dollars and back', () => {
    expect(dollarsToMicros('0.006')).toBe(6000);
    expect(dollarsToMicros('')).toBe(0);
    expect(dollarsToMicros('1.1234567')).toBeNull();
    expect(dollarsToMicros('-1')).toBeNull();
    expect(microsToDollars(2_500_000)).toBe('2.5');
  });

  it('needs provider, model and amounts', () => {
    const zero = {
      llm_input_per_mtok_micros: '0',
      llm_output_per_mtok_micros: '0',
      stt_per_minute_micros: '0',
      tts_per_kchar_micros: '0',
      tts_per_minute_micros: 'abc',
      vision_per_frame_micros: '0',
      session_per_minute_micros: '0.01',
    };
    expect(Object.keys(validatePrice('', '', zero)).sort()).toEqual([
      'model',
      'provider',
      'tts_per_minute_micros',
    ]);
    expect(validatePrice('openai', '*', { ...zero, tts_per_minute_micros: '0' })).toEqual({});
  });
});
