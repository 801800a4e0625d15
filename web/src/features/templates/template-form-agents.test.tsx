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

describe('TemplateForm end of turn', () => {
  const sets = [
    { id: 'set1', name: 'Support', initial_agent: 'ava', agents: ['ava'] },
  ] as unknown as Schema<'AgentSetRead'>[];

  it('sends plain VAD silence with its delays, and empty delays as the defaults', async () => {
    const submitted: TemplateBody[] = [];
    render(
      <TemplateForm
        catalog={undefined}
        sets={sets}
        onSubmit={(body) => void submitted.push(body)}
      />,
    );
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Slow talkers' } });
    fireEvent.change(screen.getByLabelText('Agent set'), { target: { value: 'set1' } });
    fireEvent.change(screen.getByLabelText('End of turn'), { target: { value: 'vad' } });
    fireEvent.change(screen.getByLabelText('Shortest wait (ms)'), { target: { value: '800' } });
    fireEvent.submit(screen.getByLabelText('Name').closest('form')!);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]).toMatchObject({
      endpointing: 'vad',
      endpointing_min_delay_ms: 800,
      endpointing_max_delay_ms: null,
    });
  });

  it('refuses a longest wait shorter than the shortest', async () => {
    const onSubmit = vi.fn();
    render(<TemplateForm catalog={undefined} sets={sets} onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Backwards' } });
    fireEvent.change(screen.getByLabelText('Agent set'), { target: { value: 'set1' } });
    fireEvent.change(screen.getByLabelText('Shortest wait (ms)'), { target: { value: '1500' } });
    fireEvent.change(screen.getByLabelText('Longest wait (ms)'), { target: { value: '900' } });
    fireEvent.submit(screen.getByLabelText('Name').closest('form')!);
    expect(await screen.findByText('At least the shortest wait.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
