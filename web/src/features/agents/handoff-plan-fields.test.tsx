import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { AgentForm } from './agent-form';
import { emptyAgent, validateAgent } from './agent-validation';
import { formatRuleValue, parseRuleValue } from './handoff-plan-fields';
import { agentRead } from './test-fixtures';

const catalog: Schema<'Catalog'> = {
  providers: [],
  panels: [],
  modalities: [],
  modality_profiles: { audio: [] },
  environments: ['dev'],
  defaults: {},
};

const billing = agentRead();

/** The front agent with one handoff (to billing) as saved. */
function front(handoff: Record<string, unknown>): Schema<'AgentRead'> {
  return agentRead({ id: 'a1', slug: 'front', name: 'Front', handoffs: [handoff] });
}

describe('rule values', () => {
  it('are shaped by the op and the declared variable type', () => {
    expect(parseRuleValue('in', 'free, trial ,', undefined)).toEqual(['free', 'trial']);
    expect(parseRuleValue('lt', ' 18 ')).toBe(18);
    expect(parseRuleValue('eq', 'true')).toBe(true);
    expect(parseRuleValue('eq', '12')).toBe(12);
    expect(parseRuleValue('eq', '12', 'string')).toBe('12');
    expect(parseRuleValue('eq', 'yes', 'boolean')).toBe(true);
    expect(parseRuleValue('in', '1, 2', 'integer')).toEqual([1, 2]);
    expect(parseRuleValue('exists', 'anything')).toBeNull();
    expect(formatRuleValue(['free', 'trial'])).toBe('free, trial');
    expect(formatRuleValue(null)).toBe('');
  });
});

describe('handoff plan validation', () => {
  const base = { ...emptyAgent(), name: 'Front', slug: 'front', instructions: 'Hi' };

  it('checks N, variable names and the rule', () => {
    const errors = validateAgent({
      ...base,
      handoffs: [
        {
          agent: 'billing',
          context_policy: 'last_n',
          last_n: 0,
          variables: [{ name: 'Plan' }, { name: 'amount' }, { name: 'amount' }],
          reject_when: { conditions: [], message: ' ' },
        },
      ],
    });
    expect(errors).toEqual({
      'handoffs.0.last_n': 'A whole number from 1 to 200.',
      'handoffs.0.variables.0.name': 'Lowercase letters, digits and _, starting with a letter.',
      'handoffs.0.variables.2.name': 'This variable is declared twice.',
      'handoffs.0.reject_when.conditions': 'Add at least one condition.',
      'handoffs.0.reject_when.message': 'Tell the LLM why the handoff is refused.',
    });
  });

  it('accepts a complete plan', () => {
    expect(
      validateAgent({
        ...base,
        handoffs: [
          {
            agent: 'billing',
            context_policy: 'summary',
            variables: [{ name: 'plan', type: 'string', required: true }],
            reject_when: {
              conditions: [{ variable: 'plan', op: 'eq', value: 'free' }],
              message: 'No.',
            },
          },
        ],
      }),
    ).toEqual({});
  });
});

describe('AgentForm handoff plan', () => {
  it('edits the plan, N, variables and the rejection rule and submits them', async () => {
    const onSubmit = vi.fn();
    render(<AgentForm catalog={catalog} tools={[]} agents={[billing]} onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Front' } });
    fireEvent.change(screen.getByLabelText('System prompt (Markdown)'), {
      target: { value: 'Help.' },
    });
    fireEvent.click(screen.getByTestId('add-handoff'));
    fireEvent.change(screen.getByLabelText('Hand off to'), { target: { value: 'billing' } });

    fireEvent.change(screen.getByLabelText('Conversation context'), {
      target: { value: 'last_n' },
    });
    expect(screen.getByLabelText('Messages to pass')).toHaveValue(10);
    fireEvent.change(screen.getByLabelText('Messages to pass'), { target: { value: '4' } });

    fireEvent.click(screen.getByTestId('handoff-0-add-variable'));
    fireEvent.change(screen.getByLabelText('Variable name'), { target: { value: 'amount' } });
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'number' } });
    fireEvent.change(screen.getByLabelText('What to pass'), {
      target: { value: 'The amount charged twice' },
    });
    fireEvent.click(screen.getByTestId('handoff-0-variable-0-required'));

    fireEvent.click(screen.getByTestId('handoff-0-rule-enabled'));
    const rule = screen.getByTestId('handoff-0-rule');
    fireEvent.change(within(rule).getByLabelText('Variable'), { target: { value: 'amount' } });
    fireEvent.change(within(rule).getByLabelText('Test'), { target: { value: 'gte' } });
    fireEvent.change(within(rule).getByLabelText('Value'), { target: { value: '1.5' } });
    expect(within(rule).getByLabelText('Value')).toHaveValue('1.5');
    fireEvent.change(within(rule).getByLabelText('Message to the LLM when refused'), {
      target: { value: 'Large refunds need a supervisor.' },
    });

    fireEvent.click(screen.getByTestId('save-agent'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0].handoffs).toEqual([
      {
        agent: 'billing',
        context_policy: 'last_n',
        description: '',
        last_n: 4,
        variables: [
          {
            name: 'amount',
            type: 'number',
            description: 'The amount charged twice',
            required: true,
          },
        ],
        reject_when: {
          match: 'all',
          conditions: [{ variable: 'amount', op: 'gte', value: 1.5 }],
          message: 'Large refunds need a supervisor.',
        },
      },
    ]);
  });

  it('switching away from last_n drops N; turning the rule off removes it', async () => {
    const onSubmit = vi.fn();
    const initial = front({
      agent: 'billing',
      context_policy: 'last_n',
      description: '',
      last_n: 3,
      variables: [],
      reject_when: {
        match: 'any',
        conditions: [{ variable: 'x', op: 'exists', value: null }],
        message: 'm',
      },
    });
    render(
      <AgentForm
        initial={initial}
        catalog={catalog}
        tools={[]}
        agents={[billing]}
        onSubmit={onSubmit}
      />,
    );
    expect(screen.getByLabelText('Messages to pass')).toHaveValue(3);
    expect(screen.getByLabelText('Refuse when')).toHaveValue('any');
    expect(within(screen.getByTestId('handoff-0-rule')).queryByLabelText('Value')).toBeNull();
    fireEvent.change(screen.getByLabelText('Conversation context'), {
      target: { value: 'conversation' },
    });
    expect(screen.queryByLabelText('Messages to pass')).toBeNull();
    fireEvent.click(screen.getByTestId('handoff-0-rule-enabled'));
    fireEvent.click(screen.getByTestId('save-agent'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0].handoffs[0]).toMatchObject({
      context_policy: 'conversation',
      last_n: null,
      reject_when: null,
    });
  });

  it('shows the API problems of a plan on their fields', () => {
    const initial = front({
      agent: 'billing',
      context_policy: 'last_n',
      description: '',
      last_n: null,
      variables: [],
      reject_when: {
        match: 'all',
        conditions: [{ variable: 'age', op: 'lt', value: 'x' }],
        message: 'm',
      },
    });
    render(
      <AgentForm
        initial={initial}
        catalog={catalog}
        tools={[]}
        agents={[billing]}
        serverErrors={{
          'handoffs[0].last_n': 'The last_n plan needs last_n.',
          'handoffs[0].reject_when.conditions[0].value': 'Needs a number.',
        }}
        onSubmit={vi.fn()}
      />,
    );
    expect(screen.getByLabelText('Messages to pass')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('The last_n plan needs last_n.')).toBeInTheDocument();
    expect(within(screen.getByTestId('handoff-0-rule')).getByLabelText('Value')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    // shown on the fields, not repeated in the general banner
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });
});
