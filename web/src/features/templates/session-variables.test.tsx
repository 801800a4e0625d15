import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { TemplateForm, type TemplateBody } from './template-form';

const sets = [
  { id: 'set1', name: 'Duo', initial_agent: 'ava', agents: ['ava'] },
] as unknown as Schema<'AgentSetRead'>[];

function fillBase() {
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Support' } });
  fireEvent.change(screen.getByLabelText('Agent set'), { target: { value: 'set1' } });
}

describe('TemplateForm session variables', () => {
  it('declares variables (name, type, required, default) and submits them typed', async () => {
    const submitted: TemplateBody[] = [];
    render(
      <TemplateForm catalog={undefined} sets={sets} onSubmit={(b) => void submitted.push(b)} />,
    );
    fillBase();
    const editor = screen.getByTestId('session-variables');
    fireEvent.click(within(editor).getByRole('button', { name: 'Add variable' }));
    fireEvent.click(within(editor).getByRole('button', { name: 'Add variable' }));
    const first = within(screen.getByRole('group', { name: 'Variable 1' }));
    fireEvent.change(first.getByLabelText('Variable name'), {
      target: { value: 'customer_name' },
    });
    fireEvent.click(first.getByRole('checkbox', { name: 'Required' }));
    const second = within(screen.getByRole('group', { name: 'Variable 2' }));
    fireEvent.change(second.getByLabelText('Variable name'), { target: { value: 'seats' } });
    fireEvent.change(second.getByLabelText('Type'), { target: { value: 'integer' } });
    fireEvent.change(second.getByLabelText('Default'), { target: { value: '3' } });
    fireEvent.submit(screen.getByTestId('template-form'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]!.variables).toEqual([
      { name: 'customer_name', type: 'string', required: true, default: null, description: '' },
      { name: 'seats', type: 'integer', required: false, default: 3, description: '' },
    ]);
  });

  it('refuses a bad name, a duplicate and a default of the wrong type', async () => {
    const onSubmit = vi.fn();
    render(<TemplateForm catalog={undefined} sets={sets} onSubmit={onSubmit} />);
    fillBase();
    const editor = screen.getByTestId('session-variables');
    for (let i = 0; i < 3; i++)
      fireEvent.click(within(editor).getByRole('button', { name: 'Add variable' }));
    const v1 = within(screen.getByRole('group', { name: 'Variable 1' }));
    const v2 = within(screen.getByRole('group', { name: 'Variable 2' }));
    const v3 = within(screen.getByRole('group', { name: 'Variable 3' }));
    fireEvent.change(v1.getByLabelText('Variable name'), { target: { value: 'Customer Name' } });
    fireEvent.change(v2.getByLabelText('Variable name'), { target: { value: 'seats' } });
    fireEvent.change(v3.getByLabelText('Variable name'), { target: { value: 'seats' } });
    fireEvent.change(v3.getByLabelText('Type'), { target: { value: 'integer' } });
    fireEvent.change(v3.getByLabelText('Default'), { target: { value: '2.5' } });
    fireEvent.submit(screen.getByTestId('template-form'));
    expect(
      await v1.findByText('Lower-case letters, digits and _; starts with a letter.'),
    ).toBeInTheDocument();
    expect(v3.getByText('Declared twice.')).toBeInTheDocument();
    expect(v3.getByText('A whole number.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('shows a template’s declared variables and removes one', async () => {
    const submitted: TemplateBody[] = [];
    const initial = {
      name: 'Support',
      agent_set_id: 'set1',
      variables: [
        { name: 'plan', type: 'string', required: false, default: 'basic', description: '' },
        { name: 'vip', type: 'boolean', required: false, default: true, description: '' },
      ],
    } as unknown as Schema<'TemplateRead'>;
    render(
      <TemplateForm
        initial={initial}
        catalog={undefined}
        sets={sets}
        onSubmit={(b) => void submitted.push(b)}
      />,
    );
    const v1 = within(screen.getByRole('group', { name: 'Variable 1' }));
    expect(v1.getByLabelText('Variable name')).toHaveValue('plan');
    expect(v1.getByLabelText('Default')).toHaveValue('basic');
    fireEvent.click(v1.getByRole('button', { name: 'Remove' }));
    fireEvent.submit(screen.getByTestId('template-form'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]!.variables).toEqual([
      { name: 'vip', type: 'boolean', required: false, default: true, description: '' },
    ]);
  });
});
