'use client';

import { Badge, Card, dash, formatDate } from '@/components/ui/kit';
import { ApiError } from '@/lib/api/api-error';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Analysis = Schema<'AnalysisRead'>;

const show = (value: unknown) =>
  value === null || value === undefined
    ? '—'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/** A session's post-session analysis: the verdict, each criterion and the extracted fields. */
export function AnalysisView({ analysis }: { analysis: Analysis }) {
  const verdict =
    analysis.status !== 'completed' ? (
      <Badge tone={analysis.status === 'failed' ? 'danger' : 'warning'} testId="analysis-verdict">
        {analysis.status}
      </Badge>
    ) : analysis.success === null ? (
      <Badge testId="analysis-verdict">no criteria</Badge>
    ) : analysis.success ? (
      <Badge tone="success" testId="analysis-verdict">
        success
      </Badge>
    ) : (
      <Badge tone="danger" testId="analysis-verdict">
        not met
      </Badge>
    );
  const fields = Object.entries(analysis.fields ?? {});
  return (
    <div className={dash.stack}>
      <div className={dash.row}>
        {verdict}
        <span className={dash.muted}>
          {analysis.extractor ? `${analysis.extractor} extractor` : ''}
          {analysis.completed_at ? ` · ${formatDate(analysis.completed_at)}` : ''}
          {analysis.attempts > 1 ? ` · ${analysis.attempts} attempts` : ''}
        </span>
      </div>
      {analysis.error && <p className={dash.error}>{analysis.error}</p>}
      {analysis.criteria.length > 0 && (
        <ul className={dash.stack} style={{ listStyle: 'none', margin: 0, padding: 0, gap: 4 }}>
          {analysis.criteria.map((c) => (
            <li key={c.criterion} className={dash.row} data-testid="analysis-criterion">
              <Badge tone={c.passed ? 'success' : 'danger'}>{c.passed ? 'pass' : 'fail'}</Badge>
              <span>{c.criterion}</span>
              {c.actual !== undefined && c.actual !== null && (
                <span className={dash.mono}>{show(c.actual)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {fields.length > 0 && (
        <table className={dash.table} data-testid="analysis-fields">
          <tbody>
            {fields.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" style={{ textAlign: 'left', width: '30%' }}>
                  {name}
                </th>
                <td className={dash.mono}>{show(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * Loads `GET /sessions/{id}/analysis`; a session without analysis (`status: none`) shows an empty
 * state saying why, not an error.
 */
export function AnalysisCard({ sessionId }: { sessionId: string }) {
  // Polled: the job runs after the session ends (and retries), so the card fills in by itself.
  const analysis = useApi<Analysis>(`/sessions/${sessionId}/analysis`, { pollMs: 10_000 });
  if (analysis.error instanceof ApiError && analysis.error.status === 404) return null;
  if (!analysis.data) return null;
  return (
    <Card title="Analysis" testId="analysis-card">
      {analysis.data.status === 'none' ? (
        <p className={dash.muted} data-testid="analysis-empty">
          No analysis for this session: its template extracts no fields and has no success criteria.
          Add them under Post-session analysis on the template to judge future sessions.
        </p>
      ) : (
        <AnalysisView analysis={analysis.data} />
      )}
    </Card>
  );
}
