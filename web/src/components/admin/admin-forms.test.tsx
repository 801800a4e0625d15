import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysisView } from '@/features/replay/analysis-card';
import { PREVIEW_MAX_CHARS, fetchVoicePreview } from '@/features/agents/voice-preview-button';
import { ExperimentEditor } from '@/components/experiments/experiment-editor';
import { ExperimentResults } from '@/components/experiments/experiment-results';
import { ApiError } from '@/lib/api/api-error';
import { ApiKeyForm } from './api-key-form';
import { WebhookEndpointForm } from './webhook-endpoint-form';

afterEach(() => vi.unstubAllGlobals());

describe('WebhookEndpointForm', () => {
  it('blocks an invalid URL, then submits the trimmed values', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<WebhookEndpointForm submitLabel="Create endpoint" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: 'not a url' } });
    fireEvent.click(screen.getByTestId('save-endpoint'));
    expect(await screen.findByText('Use an absolute http(s) URL.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('Endpoint URL'), {
      target: { value: ' https://example.com/events ' },
    });
    fireEvent.click(screen.getByLabelText('analysis.completed'));
    fireEvent.click(screen.getByTestId('save-endpoint'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      url: 'https://example.com/events',
      description: '',
      events: ['session.started', 'session.ended', 'usage.alert'],
      enabled: true,
    });
  });

  it('shows the API error envelope', async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValue(new ApiError(422, 'validation_failed', 'The URL host is not allowed.'));
    render(<WebhookEndpointForm submitLabel="Create endpoint" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Endpoint URL'), {
      target: { value: 'https://example.com/x' },
    });
    fireEvent.click(screen.getByTestId('save-endpoint'));
    expect(await screen.findByText('The URL host is not allowed.')).toBeInTheDocument();
  });
});

describe('ApiKeyForm', () => {
  it('validates before calling the API', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    render(<ApiKeyForm onCreated={vi.fn()} />);
    fireEvent.click(screen.getByLabelText('sessions:write')); // the only default scope: now none
    fireEvent.click(screen.getByTestId('create-api-key'));
    expect(await screen.findByText('Name the key after what uses it.')).toBeInTheDocument();
    expect(screen.getByText('Pick at least one scope.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('ExperimentEditor', () => {
  it('shows per-arm errors and saves a valid split', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<ExperimentEditor sets={[]} onSave={onSave} />);
    const weights = screen.getAllByLabelText('Weight');
    fireEvent.change(weights[1]!, { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('save-experiment'));
    expect(await screen.findByText('A weight above 0.')).toBeInTheDocument();
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(weights[1]!, { target: { value: '25' } });
    fireEvent.change(screen.getAllByLabelText('Weight')[0]!, { target: { value: '75' } });
    expect(screen.getByText('75% of new sessions')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('save-experiment'));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]![0]).toEqual({
      enabled: true,
      arms: [
        { name: 'control', weight: 75, agent_set_id: null, pinned_versions: {} },
        { name: 'variant', weight: 25, agent_set_id: null, pinned_versions: {} },
      ],
    });
  });
});

describe('ExperimentResults', () => {
  it('compares the arms side by side', () => {
    const base = {
      weight: 1,
      sessions: 10,
      share: 0.5,
      completed_sessions: 10,
      analyzed_sessions: 10,
      handoffs: 4,
      handoffs_per_session: 0.4,
      tool_errors: 0,
      cost_micros: 1000,
      cost_per_session_usd: '0.0001',
      avg_duration_s: 61.5,
      turn_latency_p50_ms: 800,
      turn_latency_p95_ms: 1200,
    };
    render(
      <ExperimentResults
        results={{
          template_id: 't',
          enabled: true,
          sessions: 20,
          arms: [
            { ...base, arm: 'control', successful_sessions: 6, completion_rate: 0.6 },
            { ...base, arm: 'v2', successful_sessions: 9, completion_rate: 0.9, tool_errors: 2 },
          ],
        }}
      />,
    );
    const table = screen.getByTestId('experiment-results');
    expect(table.querySelectorAll('thead th')).toHaveLength(3);
    expect(screen.getByText('60%')).toBeInTheDocument();
    expect(screen.getByText('90%')).toBeInTheDocument();
    expect(screen.getAllByText('best')).toHaveLength(1);
    expect(screen.getAllByText('1200 ms')).toHaveLength(2);
  });
});

describe('AnalysisView', () => {
  it('shows the verdict, each criterion and the fields', () => {
    render(
      <AnalysisView
        analysis={{
          session_id: 's',
          template_id: 't',
          status: 'completed',
          extractor: 'rules',
          fields: { email: 'sam@example.com', resolved: false },
          criteria: [
            { criterion: 'email extracted', passed: true, actual: 'sam@example.com' },
            { criterion: 'Issue resolved', passed: false, actual: false },
          ],
          success: false,
          attempts: 1,
          error: null,
          created_at: '2026-01-01T00:00:00Z',
          completed_at: '2026-01-01T00:00:05Z',
        }}
      />,
    );
    expect(screen.getByTestId('analysis-verdict')).toHaveTextContent('not met');
    expect(screen.getAllByTestId('analysis-criterion')).toHaveLength(2);
    expect(screen.getByTestId('analysis-fields')).toHaveTextContent('resolvedfalse');
  });
});

describe('fetchVoicePreview', () => {
  it('refuses empty or long text without a request', async () => {
    const fetchMock = vi.fn();
    await expect(
      fetchVoicePreview(
        { tts: 'local/piper-joe', voice: null, text: 'x'.repeat(PREVIEW_MAX_CHARS + 1) },
        fetchMock,
      ),
    ).rejects.toMatchObject({ code: 'preview_text_invalid' });
    await expect(
      fetchVoicePreview({ tts: 'local/piper-joe', voice: null, text: '  ' }, fetchMock),
    ).rejects.toBeInstanceOf(ApiError);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('returns the WAV, or the API error code', async () => {
    const wav = new Uint8Array([82, 73, 70, 70]); // "RIFF"
    const ok = vi.fn().mockResolvedValue(new Response(wav, { status: 200 }));
    const blob = await fetchVoicePreview({ tts: 'local/piper-joe', voice: 'joe', text: 'Hi' }, ok);
    expect(blob.size).toBe(4);
    const [url, init] = ok.mock.calls[0]!;
    expect(url).toBe('/api/v1/catalog/voices/preview');
    expect(JSON.parse(init.body as string)).toEqual({
      tts: 'local/piper-joe',
      voice: 'joe',
      text: 'Hi',
    });

    const refused = vi.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          error: { code: 'voice_preview_unavailable', message: 'Cartesia is a cloud voice.' },
        }),
        { status: 503, headers: { 'content-type': 'application/json' } },
      ),
    );
    await expect(
      fetchVoicePreview({ tts: 'cartesia/sonic', voice: null, text: 'Hi' }, refused),
    ).rejects.toMatchObject({ code: 'voice_preview_unavailable', status: 503 });
  });
});
