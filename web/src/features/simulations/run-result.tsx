'use client';

import { Badge, Card, DataTable, EmptyState, dash } from '@/components/ui/kit';
import type { CriterionResult, SimulationResult, SimulationTurn } from '@/contracts';
import type { Schema } from '@/lib/api/client';
import styles from './simulations.module.css';

type Tone = 'success' | 'danger' | 'warning' | 'accent' | undefined;

export function verdictTone(verdict: string | null | undefined): Tone {
  if (verdict === 'passed') return 'success';
  if (verdict === 'failed') return 'danger';
  if (verdict === 'error') return 'warning';
  return 'accent';
}

export function RunBadge({ run }: { run: Pick<Schema<'RunSummary'>, 'status' | 'verdict'> }) {
  const label = run.status === 'completed' ? (run.verdict ?? 'completed') : run.status;
  return (
    <Badge tone={verdictTone(run.status === 'completed' ? run.verdict : null)} testId="run-verdict">
      {label}
    </Badge>
  );
}

function statusTone(status: CriterionResult['status']): Tone {
  return status === 'passed' ? 'success' : status === 'failed' ? 'danger' : 'warning';
}

export function CriteriaTable({ criteria }: { criteria: CriterionResult[] }) {
  if (!criteria.length) return <p className={dash.muted}>This scenario has no criteria.</p>;
  return (
    <DataTable columns={['Criterion', 'Verdict', 'Why']} testId="criteria-table">
      {criteria.map((c, i) => (
        <tr key={i} data-testid="criterion-result" data-status={c.status}>
          <td className={dash.mono}>{c.name}</td>
          <td>
            <Badge tone={statusTone(c.status)}>{c.status}</Badge>
          </td>
          <td>{c.reason}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function Turn({ turn }: { turn: SimulationTurn }) {
  return (
    <li className={styles.turn} data-testid="transcript-turn">
      <div className={styles.turnHead}>
        <span>{turn.index === 0 ? 'Opening' : `Turn ${turn.index}`}</span>
        {turn.latency_ms != null && <span>{Math.round(turn.latency_ms)} ms to first reply</span>}
        <span>active: {turn.agent}</span>
      </div>
      {turn.user_text != null && (
        <div>
          <span className={styles.user}>User: </span>
          {turn.user_text}
        </div>
      )}
      {turn.tool_calls.map((call, i) => (
        <div key={`t${i}`} className={styles.event} data-testid="transcript-tool-call">
          {call.agent} → {call.name}({JSON.stringify(call.arguments)}){call.mocked ? ' mocked' : ''}
          : {call.is_error ? 'error' : 'ok'}
          {call.output ? ` — ${call.output.slice(0, 200)}` : ''}
        </div>
      ))}
      {turn.handoffs.map((h, i) => (
        <div key={`h${i}`} className={styles.event} data-testid="transcript-handoff">
          handoff {h.from_agent ?? '—'} → {h.to_agent}
        </div>
      ))}
      {turn.replies.map((r, i) => (
        <div key={`r${i}`} className={styles.agentLine} data-testid="transcript-reply">
          <strong>{r.agent}: </strong>
          {r.text}
        </div>
      ))}
    </li>
  );
}

export function Transcript({ result }: { result: SimulationResult }) {
  if (!result.turns.length)
    return <EmptyState title="No transcript" body={result.error ?? 'The run produced no turns.'} />;
  return (
    <ol className={styles.transcript} data-testid="transcript">
      {result.turns.map((t) => (
        <Turn key={t.index} turn={t} />
      ))}
    </ol>
  );
}

export function RunDiffCard({ diff }: { diff: Schema<'RunDiff'> }) {
  if (!diff.previous_run_id)
    return (
      <Card title="Against the previous run" testId="run-diff">
        <p className={dash.muted}>This is the scenario&apos;s first completed run.</p>
      </Card>
    );
  const changed = (diff.criteria ?? []).filter((c) => c.before !== c.after);
  const regressions = diff.regressions ?? [];
  const transcript = diff.transcript ?? [];
  return (
    <Card title="Against the previous run" testId="run-diff">
      <p>
        Verdict {diff.verdict_before ?? '—'} → <strong>{diff.verdict_after ?? '—'}</strong>
        {diff.duration_ms_before != null && diff.duration_ms_after != null && (
          <span className={dash.muted}>
            {' '}
            · duration {Math.round(diff.duration_ms_before)} → {Math.round(diff.duration_ms_after)}{' '}
            ms
          </span>
        )}
      </p>
      {regressions.length > 0 && (
        <p data-testid="regressions">
          <Badge tone="danger">regressed</Badge> {regressions.join(', ')}
        </p>
      )}
      {changed.length ? (
        <ul>
          {changed.map((c) => (
            <li key={c.name}>
              <span className={dash.mono}>{c.name}</span>: {c.before ?? 'new'} →{' '}
              {c.after ?? 'removed'}
            </li>
          ))}
        </ul>
      ) : (
        <p className={dash.muted}>Every criterion has the same verdict as before.</p>
      )}
      {transcript.length ? (
        <pre className={styles.diff} data-testid="transcript-diff">
          {transcript.map((line, i) => (
            <div
              key={i}
              className={
                line.startsWith('+') && !line.startsWith('+++')
                  ? styles.diffAdd
                  : line.startsWith('-') && !line.startsWith('---')
                    ? styles.diffDel
                    : undefined
              }
            >
              {line}
            </div>
          ))}
        </pre>
      ) : (
        <p className={dash.muted} data-testid="transcript-unchanged">
          The transcript is the same as in the previous run.
        </p>
      )}
    </Card>
  );
}
