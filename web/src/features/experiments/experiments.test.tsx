import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ExperimentEditor } from './experiment-editor';
import { ExperimentResults } from './experiment-results';

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
