import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysisCard } from './analysis-card';

afterEach(() => vi.unstubAllGlobals());

describe('AnalysisCard', () => {
  it('shows an empty state for a session without analysis (status none, no 404)', async () => {
    const none = {
      session_id: 's1',
      template_id: 't1',
      status: 'none',
      extractor: null,
      fields: {},
      criteria: [],
      success: null,
      attempts: 0,
      error: null,
      created_at: '2026-12-06T00:00:00Z',
      completed_at: null,
    };
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation(() =>
        Promise.resolve(
          new Response(JSON.stringify(none), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
        ),
      ),
    );
    render(<AnalysisCard sessionId="s1" />);
    expect(await screen.findByTestId('analysis-empty')).toHaveTextContent(
      'No analysis for this session',
    );
    expect(screen.queryByTestId('analysis-verdict')).toBeNull();
  });
});
