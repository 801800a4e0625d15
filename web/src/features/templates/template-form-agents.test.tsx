import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { PICK_AGENTS, TemplateForm, type TemplateBody } from './template-form';

afterEach(() => vi.unstubAllGlobals());

const agents = [
  { slug: 'max', name: 'Max' },
  { slug: 'ava', name: 'Ava' },
] as unknown as Schema<'AgentRead'>[];

describe('TemplateForm picks agents directly', () => {
  it('makes the agent set of the picked agents on save and submits the template with it', async () => {
    const sent: [string, string, unknown][] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string, init?: RequestInit) => {
        sent.push([init?.method ?? 'GET', String(url), JSON.parse(String(init?.body ?? 'null'))]);
        return Promise.resolve(
          new Response(JSON.stringify({ id: 'set9' }), {
            status: 201,
            headers: { 'content-type': 'application/json' },
          }),
        );
      }),
    );
    const submitted: TemplateBody[] = [];
    render(
      <TemplateForm
        catalog={undefined}
        sets={[]}
        agents={agents}
        onSubmit={(body) => {
          submitted.push(body);
        }}
      />,
    );
    // No agent set yet: the form starts on picking agents, not on "create a set first".
    expect(screen.getByLabelText('Agent set')).toHaveValue(PICK_AGENTS);
    expect(screen.queryByText('Create an agent set on the Topology page first.')).toBeNull();
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Support' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Ava' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Max' }));
    fireEvent.submit(screen.getByLabelText('Name').closest('form')!);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toBe('POST');
    expect(sent[0]![1]).toContain('/api/v1/agent-sets');
    expect(sent[0]![2]).toEqual({
      name: 'Support agents',
      initial_agent: 'ava',
      agents: ['ava', 'max'],
    });
    expect(submitted[0]!.agent_set_id).toBe('set9');
  });

  it('asks for at least one agent', async () => {
    const onSubmit = vi.fn();
    render(<TemplateForm catalog={undefined} sets={[]} agents={agents} onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Support' } });
    fireEvent.submit(screen.getByLabelText('Name').closest('form')!);
    expect(await screen.findByText('Pick at least one agent.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
