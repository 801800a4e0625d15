import { describe, expect, it } from 'vitest';
import { emptyCriterion, emptyForm, toForm, toScenario } from './scenario-form-model';

describe('scenario form', () => {
  it('builds the API body from the form and back', () => {
    const form = {
      ...emptyForm('tpl-1'),
      name: ' Refund ',
      turns: 'I want a refund\n\n  It is order A-1 ',
      mocks: [{ tool: 'lookup_order', kind: 'result' as const, text: 'refunded' }],
      criteria: [
        { ...emptyCriterion('handoff'), agent: 'billing' },
        {
          ...emptyCriterion('tool_call'),
          tool: 'lookup_order',
          arguments: '{"order_id": "A-1"}',
          patterns: '{"order_id": "^A-"}',
        },
        { ...emptyCriterion('must_not_say'), pattern: 'sorry|cannot' },
        { ...emptyCriterion('max_turns'), turns: '3' },
      ],
    };
    const out = toScenario(form);
    expect(out.errors).toBeNull();
    expect(out.scenario).toMatchObject({
      name: 'Refund',
      template_id: 'tpl-1',
      user: { turns: ['I want a refund', 'It is order A-1'], persona_llm: null },
      mocks: { lookup_order: { result: 'refunded', error: null } },
      criteria: [
        { type: 'handoff', to_agent: 'billing' },
        {
          type: 'tool_call',
          tool: 'lookup_order',
          arguments: { order_id: 'A-1' },
          argument_patterns: { order_id: '^A-' },
        },
        { type: 'must_not_say', pattern: 'sorry|cannot' },
        { type: 'max_turns', turns: 3 },
      ],
      judge: null,
      max_turns: 10,
    });
    const again = toScenario(toForm(out.scenario!));
    expect(again.scenario).toEqual(out.scenario);
  });

  it('reports each problem on its field', () => {
    const out = toScenario({
      ...emptyForm(),
      criteria: [
        { ...emptyCriterion('must_say'), pattern: '(' },
        { ...emptyCriterion('tool_call'), tool: 't', arguments: '[1]' },
        { ...emptyCriterion('max_turns'), turns: '0' },
      ],
      mocks: [{ tool: '', kind: 'error', text: 'down' }],
      judgeLlm: 'openai/gpt-4.1-mini',
    });
    expect(out.scenario).toBeNull();
    expect(Object.keys(out.errors ?? {}).sort()).toEqual([
      'criteria.0',
      'criteria.1',
      'criteria.2',
      'judge',
      'mocks.0',
      'name',
      'template_id',
      'turns',
    ]);
    expect(out.errors?.['criteria.1']).toBe('Arguments must be a JSON object.');
  });

  it('carries session variables as a JSON object of scalars', () => {
    const form = {
      ...emptyForm('tpl-1'),
      name: 'Greets by name',
      turns: 'hello',
      criteria: [],
      variables: '{"customer_name": "Sam", "seats": 3, "vip": true}',
    };
    const out = toScenario(form);
    expect(out.scenario?.variables).toEqual({ customer_name: 'Sam', seats: 3, vip: true });
    expect(toForm(out.scenario!).variables).toBe(
      form.variables.replace(/: /g, ':').replace(/, /g, ','),
    );
    expect(toScenario({ ...form, variables: '' }).scenario?.variables).toEqual({});
    expect(toScenario({ ...form, variables: '[1]' }).errors?.variables).toMatch(/JSON object/);
    expect(toScenario({ ...form, variables: '{"a": {"b": 1}}' }).errors?.variables).toBe(
      'a: a text, number or true/false.',
    );
  });
});
