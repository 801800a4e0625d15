'use client';

import { useParams } from 'next/navigation';
import {
  Badge,
  Card,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
  statusTone,
} from '@/components/ui/kit';
import { AnalysisCard } from '@/features/replay/analysis-card';
import { formatCost, formatSeconds } from '@/lib/format';
import { SessionTimeline, knowledgeBySeq, type LogEntry } from '@/features/replay/session-timeline';
import type { Recording } from '@/features/replay/replay-model';
import { LatencyWaterfall, SessionReplayPlayer } from '@/features/replay/session-replay';
import { timeOrigin, turnsOf } from '@/features/replay/turns';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';
import { api } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The API's export of the session and its log (`GET /sessions/{id}/export`). */
async function exportSession(id: string, format: 'json' | 'csv') {
  const body = await api<unknown>(`/sessions/${id}/export`, { query: { format } });
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  download(`session-${id}.${format}`, format === 'csv' ? 'text/csv' : 'application/json', text);
}

interface Summary {
  summary?: string;
  text?: string;
  cost_micros?: number;
  interruptions?: number;
  [key: string]: unknown;
}

export default function SessionPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const session = useApi<Schema<'SessionRead'>>(`/sessions/${sessionId}`, { pollMs: 5000 });
  const live = session.data?.status === 'active' || session.data?.status === 'created';
  const log = useApi<Schema<'SessionLogRead'>>(`/sessions/${sessionId}/log`, {
    pollMs: live ? 3000 : undefined,
  });
  // Being added to the API: shown when present, otherwise derived from the log.
  const summary = useApi<Summary>(`/sessions/${sessionId}/summary`);
  const replay = useApi<Schema<'SessionReplay'>>(live ? null : `/sessions/${sessionId}/replay`);
  const recordings = useApi<{ items: Recording[] }>(`/sessions/${sessionId}/recordings`);
  const mixed = recordings.data?.items.find((r) => r.kind === 'mixed');
  const entries = (log.data?.entries ?? []) as LogEntry[];
  const messages = entries.filter((e) => e.kind === 'message');
  // One time base for the strip, the timeline and the chart: the recording's first sample.
  const origin = timeOrigin(
    mixed?.started_at,
    replay.data?.started_at,
    session.data?.started_at,
    session.data?.created_at,
  );
  const turns = turnsOf(entries, origin);
  const userTurns = turns.filter((t) => t.role === 'user').length;
  const agents = [
    ...new Set(entries.flatMap((e) => (e.kind === 'transition' ? [e.to_agent] : []))),
  ];
  const tools = entries.filter((e) => e.kind === 'tool_call').length;
  const errors = entries.filter((e) => e.kind === 'error').length;
  const s = session.data;

  if (!s) return session.error ? <ErrorBanner error={session.error} /> : <Loading />;
  const summaryText =
    typeof summary.data?.summary === 'string'
      ? summary.data.summary
      : typeof summary.data?.text === 'string'
        ? summary.data.text
        : null;

  return (
    <>
      <PageHeader
        title={`Session ${s.id.slice(0, 8)}`}
        description={`${formatDate(s.started_at ?? s.created_at)} · ${s.room_name}`}
        actions={
          <>
            <Button
              variant="secondary"
              onClick={() =>
                download(
                  `session-${s.id}-transcript.txt`,
                  'text/plain',
                  messages
                    .map((m) =>
                      m.kind === 'message'
                        ? `[${m.ts}] ${m.role === 'user' ? 'User' : (m.agent ?? 'Agent')}: ${m.text}`
                        : '',
                    )
                    .join('\n'),
                )
              }
            >
              Export transcript
            </Button>
            <Button
              variant="secondary"
              data-testid="export-json"
              onClick={() => void exportSession(s.id, 'json')}
            >
              Export JSON
            </Button>
            <Button
              variant="secondary"
              data-testid="export-csv"
              onClick={() => void exportSession(s.id, 'csv')}
            >
              Export CSV
            </Button>
          </>
        }
      />
      <div className={dash.stack}>
        <Card title="Summary" testId="session-summary">
          <div className={dash.grid3}>
            <div className={dash.stat}>
              <span className={dash.muted}>Status</span>
              <Badge tone={statusTone(s.status)} testId="session-status">
                {s.status}
              </Badge>
            </div>
            <div className={dash.stat}>
              <span className={dash.muted}>Duration</span>
              <strong>{formatSeconds(s.duration_seconds)}</strong>
            </div>
            <div className={dash.stat}>
              <span className={dash.muted}>Turns</span>
              <strong data-testid="summary-turns">{turns.length}</strong>
              {turns.length > 0 && (
                <span className={dash.muted}>
                  {userTurns} user · {turns.length - userTurns} agent
                  {turns[0]?.greeting ? ' (greeting included)' : ''}
                </span>
              )}
            </div>
            <div className={dash.stat}>
              <span className={dash.muted}>Agents</span>
              <strong>{agents.join(' → ') || '—'}</strong>
            </div>
            <div className={dash.stat}>
              <span className={dash.muted}>Tool calls · errors</span>
              <strong>
                {tools} · {errors}
              </strong>
            </div>
            {summary.data?.cost_micros !== undefined && (
              <div className={dash.stat}>
                <span className={dash.muted}>Cost</span>
                <strong>{formatCost(summary.data.cost_micros)}</strong>
              </div>
            )}
            <div className={dash.stat}>
              <span className={dash.muted}>Ended</span>
              <strong>{formatDate(s.ended_at)}</strong>
            </div>
          </div>
          {summaryText && <p style={{ marginTop: 16 }}>{summaryText}</p>}
          {log.data?.close_reason && <p className={dash.muted}>Closed: {log.data.close_reason}</p>}
        </Card>
        <Card
          title="Replay"
          testId="replay-card"
          actions={
            recordings.data?.items.length ? (
              <span className={dash.muted}>
                {recordings.data.items
                  .map((r) => `${r.kind} ${formatSeconds(r.duration_ms / 1000)}`)
                  .join(' · ')}
              </span>
            ) : undefined
          }
        >
          <ErrorBanner error={replay.error ?? recordings.error} />
          {live ? (
            <p className={dash.muted}>The replay is available once the session has ended.</p>
          ) : replay.data && !recordings.loading ? (
            <SessionReplayPlayer
              items={replay.data.items}
              sessionStart={origin ?? s.created_at}
              recording={mixed}
            />
          ) : (
            <Loading />
          )}
        </Card>
        <AnalysisCard sessionId={sessionId} />
        <Card title="Per-turn latency">
          <LatencyWaterfall turns={turns} />
        </Card>
        <Card title="Timeline" actions={live ? <Badge tone="success">live</Badge> : undefined}>
          <ErrorBanner error={log.error} />
          {log.loading && !log.data ? (
            <Loading />
          ) : (
            <SessionTimeline
              entries={entries}
              origin={origin}
              knowledge={knowledgeBySeq(replay.data?.items)}
            />
          )}
        </Card>
      </div>
    </>
  );
}
