import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { AgentForm } from './agent-form';
import { emptyAgent, slugify, validateAgent } from './agent-validation';
import { agentRead } from './test-fixtures';

const catalog: Schema<'Catalog'> = {
  providers: [
    {
      id: 'fake/instant',
      role: 'stt',
      label: 'Instant',
      offline: true,
      requires_env: [],
      streaming: true,
      tool_calling: false,
      vision: false,
      languages: [],
      voices: [],
      notes: '',
      test_only: true,
    },
    {
      id: 'fake/echo',
      role: 'llm',
      label: 'Echo',
      offline: true,
      requires_env: [],
      streaming: true,
      tool_calling: true,
      vision: true,
      languages: [],
      voices: [],
      notes: '',
      test_only: true,
    },
    {
      id: 'local/smollm2',
      role: 'llm',
      label: 'SmolLM2',
      offline: true,
      requires_env: [],
      streaming: true,
      tool_calling: false,
      vision: false,
      languages: [],
      voices: [],
      notes: '',
      test_only: false,
    },
    {
      id: 'local/espeak',
      role: 'tts',
      label: 'eSpeak',
      offline: true,
      requires_env: [],
      streaming: false,
      tool_calling: false,
      vision: false,
      languages: [],
      voices: ['en-us', 'en-gb'],
      notes: '',
      test_only: false,
    },
  ],
  panels: ['notepad', 'slides'],
  modalities: ['camera', 'screen'],
  modality_profiles: { audio: [] },
  environments: ['dev'],
  defaults: { stt: 'fake/instant', llm: 'local/smollm2', tts: 'local/espeak' },
};

const other = agentRead();

describe('agent validation', () => {
  it('requires name, a valid slug and instructions', () => {
    expect(validateAgent(emptyAgent())).toMatchObject({
      name: 'Give the agent a name.',
      slug: expect.stringContaining('Lowercase'),
      instructions: 'Instructions are required.',
    });
    expect(validateAgent({ ...emptyAgent(), name: 'A', slug: 'a', instructions: 'Hi' })).toEqual(
      {},
    );
  });

  it('flags self, duplicate and empty handoffs and vision ranges', () => {
    const errors = validateAgent({
      ...emptyAgent(),
      name: 'Front',
      slug: 'front',
      instructions: 'Hi',
      handoffs: [
        { agent: 'front', context_policy: 'preserve', description: '' },
        { agent: 'billing', context_policy: 'preserve', description: '' },
        { agent: 'billing', context_policy: 'reset', description: '' },
        { agent: '', context_policy: 'preserve', description: '' },
      ],
      vision: { enabled: true, detail: 'low', fps_speaking: 0, fps_silent: 11, max_size: 10 },
    });
    expect(errors['handoffs.0.agent']).toMatch(/itself/);
    expect(errors['handoffs.1.agent']).toBeUndefined();
    expect(errors['handoffs.2.agent']).toMatch(/twice/);
    expect(errors['handoffs.3.agent']).toMatch(/Pick/);
    expect(Object.keys(errors)).toEqual(
      expect.arrayContaining(['vision.fps_speaking', 'vision.fps_silent', 'vision.max_size']),
    );
  });

  it('derives slugs from names', () => {
    expect(slugify('Front Desk 2')).toBe('front_desk_2');
    expect(slugify('42 Billing!')).toBe('billing');
  });
});

describe('AgentForm', () => {
  it('shows inline errors and does not submit invalid input', () => {
    const onSubmit = vi.fn();
    render(<AgentForm catalog={catalog} tools={[]} agents={[]} onSubmit={onSubmit} />);
    fireEvent.click(screen.getByTestId('save-agent'));
    expect(screen.getByText('Give the agent a name.')).toBeInTheDocument();
    expect(screen.getByText('Instructions are required.')).toBeInTheDocument();
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('fills the slug from the name and submits valid input', async () => {
    const onSubmit = vi.fn();
    render(<AgentForm catalog={catalog} tools={[]} agents={[other]} onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Front Desk' } });
    expect(screen.getByLabelText('Slug')).toHaveValue('front_desk');
    fireEvent.change(screen.getByLabelText('System prompt (Markdown)'), {
      target: { value: '# Role\nBe **kind**.' },
    });
    fireEvent.change(screen.getByLabelText('Text-to-speech'), {
      target: { value: 'local/espeak' },
    });
    expect(screen.getByLabelText('Voice')).not.toBeDisabled();
    fireEvent.click(screen.getByTestId('add-handoff'));
    fireEvent.change(screen.getByLabelText('Hand off to'), { target: { value: 'billing' } });
    fireEvent.click(screen.getByTestId('instructions-preview-toggle'));
    expect(screen.getByTestId('instructions-preview').querySelector('strong')).toHaveTextContent(
      'kind',
    );
    fireEvent.click(screen.getByTestId('save-agent'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({
      slug: 'front_desk',
      tts: 'local/espeak',
      handoffs: [{ agent: 'billing', context_policy: 'preserve' }],
    });
  });

  it('marks vision LLMs and warns when vision is on with an LLM that cannot see', () => {
    render(<AgentForm catalog={catalog} tools={[]} agents={[]} onSubmit={vi.fn()} />);
    expect(screen.getByRole('option', { name: /Echo · offline · vision · test/ })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'SmolLM2 · offline' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('vision-enabled'));
    // no LLM chosen: the API's offline default, which cannot see
    expect(screen.getByTestId('vision-unsupported').textContent).toContain(
      'vision needs a provider that supports images',
    );
    fireEvent.change(screen.getByLabelText('Language model'), { target: { value: 'fake/echo' } });
    expect(screen.queryByTestId('vision-unsupported')).toBeNull();
    fireEvent.change(screen.getByLabelText('Language model'), {
      target: { value: 'local/smollm2' },
    });
    expect(screen.getByTestId('vision-unsupported').textContent).toContain('SmolLM2');
  });

  it('marks tool-calling LLMs and warns when an agent needs tools its LLM cannot call', () => {
    render(<AgentForm catalog={catalog} tools={[]} agents={[]} onSubmit={vi.fn()} />);
    expect(screen.getByRole('option', { name: /Echo · .* · tools/ })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Language model'), {
      target: { value: 'local/smollm2' },
    });
    expect(screen.queryByTestId('tools-unsupported')).toBeNull(); // nothing to call yet
    fireEvent.click(screen.getByRole('checkbox', { name: 'notepad' }));
    expect(screen.getByTestId('tools-unsupported').textContent).toContain(
      'This agent has panels, but SmolLM2 cannot call tools',
    );
    fireEvent.change(screen.getByLabelText('Language model'), { target: { value: 'fake/echo' } });
    expect(screen.queryByTestId('tools-unsupported')).toBeNull();
  });

  it('sets the agent language and says which models do not speak it', async () => {
    const onSubmit = vi.fn();
    const englishOnly = {
      providers: catalog.providers.map((p) =>
        p.id === 'local/smollm2' ? { ...p, languages: ['en'] } : p,
      ),
    } as Schema<'Catalog'>;
    render(
      <AgentForm
        catalog={{ ...catalog, ...englishOnly }}
        tools={[]}
        agents={[]}
        onSubmit={onSubmit}
      />,
    );
    expect(screen.queryByTestId('language-unsupported')).toBeNull();
    fireEvent.change(screen.getByLabelText('Language model'), {
      target: { value: 'local/smollm2' },
    });
    fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'es' } });
    expect(screen.getByTestId('language-unsupported').textContent).toContain('SmolLM2');
    expect(screen.getByTestId('language-unsupported').textContent).toContain('en only');
    fireEvent.change(screen.getByLabelText('Language model'), { target: { value: 'fake/echo' } });
    expect(screen.queryByTestId('language-unsupported')).toBeNull(); // Echo lists no languages
  });

  it('names what Default resolves to and marks providers without a key', () => {
    const availability: Schema<'CatalogAvailability'> = {
      providers: [
        { id: 'fake/echo', key_configured: false, missing: ['ECHO_API_KEY'] },
        { id: 'local/smollm2', key_configured: true, missing: [] },
      ],
    };
    render(
      <AgentForm
        catalog={catalog}
        availability={availability}
        tools={[]}
        agents={[]}
        onSubmit={vi.fn()}
      />,
    );
    const llm = screen.getByLabelText('Language model');
    expect(screen.getByRole('option', { name: 'Default: SmolLM2' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Default: Instant' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Default: eSpeak' })).toBeTruthy();
    expect(screen.getByRole('option', { name: /^Echo · no key · offline · vision/ })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'SmolLM2 · offline' })).toBeTruthy();
    expect(screen.queryByTestId('no-key-llm')).toBeNull();
    fireEvent.change(llm, { target: { value: 'fake/echo' } });
    expect(screen.getByTestId('no-key-llm').textContent).toContain('sessions use SmolLM2 instead');
    fireEvent.change(llm, { target: { value: 'local/smollm2' } });
    expect(screen.queryByTestId('no-key-llm')).toBeNull();
  });

  it('maps API problems onto their fields', () => {
    render(
      <AgentForm
        catalog={catalog}
        tools={[]}
        agents={[]}
        serverErrors={{ llm: 'Unknown provider "x".', 'handoffs.0': 'nope', _: 'General failure' }}
        onSubmit={vi.fn()}
      />,
    );
    expect(screen.getByText('Unknown provider "x".')).toBeInTheDocument();
    expect(screen.getByLabelText('Language model')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/General failure/)).toBeInTheDocument();
  });
});
