import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysisCard, AnalysisView } from './analysis-card';

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
