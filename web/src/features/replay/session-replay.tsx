'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Badge, dash } from '@/components/ui/kit';
import { formatMs } from '@/lib/format';
import { Button } from '@/components/ui/button';
import {
  STAGES,
  buildMarks,
  currentTurn,
  handoffText,
  stagesOf,
  type HandoffDetail,
  type Mark,
  type Recording,
  type ReplayItem,
} from './replay-model';
import styles from './replay.module.css';
import { clock, msTicks, type Turn } from './turns';

const KIND_LABEL: Record<Mark['kind'], string> = {
  message: 'turn',
  transition: 'handoff',
  tool_call: 'tool',
  panel_event: 'panel',
  error: 'error',
};

/** The context plan, variables and summary method of a handoff, or the refusal's message. */
export function HandoffLine({ detail }: { detail: HandoffDetail }) {
  return (
    <span
      className={styles.handoff}
      data-testid="replay-handoff"
      data-refused={detail.refused ? 'true' : undefined}
    >
      {detail.plan && (
        <span className={styles.plan} data-testid="replay-handoff-plan">
          plan <strong>{detail.plan}</strong>
          {detail.summaryMethod && ` · ${detail.summaryMethod} summary`}
        </span>
      )}
      {detail.variables.map(([name, value]) => (
        <code key={name} className={styles.variable} data-testid="replay-handoff-variable">
          {name} = {value}
        </code>
      ))}
      {detail.refused && (
        <span className={styles.refused} data-testid="replay-handoff-refused">
          Refused: {detail.refused}
        </span>
      )}
    </span>
  );
}

/**
 * The recorded session replayed: the mixed recording with a playhead moving along a timeline of
 * turns, handoffs, tool calls and panel events; the turn being spoken is highlighted, and
 * clicking a turn (or the timeline) seeks the audio there.
 */
export function SessionReplayPlayer({
  items,
  sessionStart,
  recording,
}: {
  items: ReplayItem[];
  sessionStart: string;
  recording: Recording | undefined;
}) {
  const audioRef = useRef<HTMLAudioElement>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [playing, setPlaying] = useState(false);
  const audioStart = recording?.started_at ?? sessionStart;
  const marks = useMemo(() => buildMarks(items, audioStart), [items, audioStart]);
  const lastMark = marks.length ? marks[marks.length - 1]!.atMs : 0;
  const durationMs = Math.max(recording?.duration_ms ?? 0, lastMark + 1000, 1000);
  const turn = currentTurn(marks, positionMs);

  // Follow the audio smoothly while it plays (timeupdate alone fires about 4 times a second).
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = () => {
      const audio = audioRef.current;
      if (audio) setPositionMs(audio.currentTime * 1000);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  const seek = useCallback((ms: number) => {
    const clamped = Math.max(0, ms);
    setPositionMs(clamped);
    const audio = audioRef.current;
    if (audio) audio.currentTime = clamped / 1000;
  }, []);

  const toggle = useCallback(() => {
    const audio = audioRef.current;
    if (!audio) return;
    if (audio.paused) void audio.play();
    else audio.pause();
  }, []);

  const percent = (ms: number) => `${Math.min(100, Math.max(0, (ms / durationMs) * 100))}%`;

  return (
    <div className={styles.player} data-testid="session-replay">
      {recording ? (
        <div className={styles.transport}>
          <Button
            variant="secondary"
            onClick={toggle}
            data-testid="replay-play"
            aria-pressed={playing}
          >
            {playing ? 'Pause' : 'Play'}
          </Button>
          <span className={dash.mono} data-testid="replay-clock">
            {clock(positionMs)} / {clock(recording.duration_ms)}
          </span>
          <audio
            ref={audioRef}
            src={recording.url}
            preload="auto"
            controls
            className={styles.audio}
            data-testid="replay-audio"
            onPlay={() => setPlaying(true)}
            onPause={() => setPlaying(false)}
            onEnded={() => setPlaying(false)}
            onTimeUpdate={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
            onSeeked={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
          />
        </div>
      ) : (
        <p className={dash.muted} data-testid="replay-no-recording">
          No recording for this session (its template does not record audio, or the upload has not
          arrived yet). The timeline below still shows what happened.
        </p>
      )}

      <div
        className={styles.track}
        data-testid="replay-track"
        role="slider"
        aria-label="Replay position"
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs)}
        aria-valuenow={Math.round(positionMs)}
        tabIndex={0}
        onClick={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          seek(((e.clientX - box.left) / box.width) * durationMs);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight') seek(positionMs + 5000);
          if (e.key === 'ArrowLeft') seek(positionMs - 5000);
        }}
      >
        {marks.map((m) =>
          m.kind === 'message' ? (
            <span
              key={m.key}
              className={styles.span}
              data-role={m.role}
              data-greeting={m.greeting || undefined}
              style={{
                left: percent(m.atMs),
                width: `calc(${percent((m.endMs ?? durationMs) - m.atMs)} - 2px)`,
              }}
              title={m.greeting ? `Greeting: ${m.text}` : m.text}
            />
          ) : (
            <span
              key={m.key}
              className={styles.tick}
              data-kind={m.kind}
              style={{ left: percent(m.atMs) }}
              data-refused={m.handoff?.refused ? 'true' : undefined}
              title={`${m.handoff?.refused ? 'handoff refused' : KIND_LABEL[m.kind]}: ${m.text}${
                m.handoff ? ` (${handoffText(m.handoff)})` : ''
              }`}
            />
          ),
        )}
        <span
          className={styles.playhead}
          data-testid="replay-playhead"
          data-position-ms={Math.round(positionMs)}
          style={{ left: percent(positionMs) }}
        />
      </div>

      <ol className={styles.events} data-testid="replay-events">
        {marks.map((m) => {
          const active = turn?.key === m.key;
          const label =
            m.kind === 'message'
              ? m.greeting
                ? 'Greeting'
                : m.role === 'user'
                  ? 'User'
                  : (m.agent ?? 'Agent')
              : null;
          return (
            <li key={m.key} data-kind={m.kind}>
              <button
                type="button"
                className={styles.event}
                data-testid={m.kind === 'message' ? 'replay-turn' : 'replay-event'}
                data-kind={m.kind}
                data-handoff={m.handoff ? (m.handoff.refused ? 'refused' : 'accepted') : undefined}
                data-role={m.role}
                data-greeting={m.greeting || undefined}
                data-active={active || undefined}
                data-at-ms={Math.round(m.atMs)}
                aria-current={active ? 'true' : undefined}
                onClick={() => seek(m.atMs)}
              >
                <span className={styles.at}>{clock(m.atMs)}</span>
                {label ? (
                  <span
                    className={styles.speaker}
                    title={m.greeting && m.agent ? `Greeting by ${m.agent}` : (label ?? undefined)}
                  >
                    {label}
                  </span>
                ) : m.handoff?.refused ? (
                  <Badge tone="danger">handoff refused</Badge>
                ) : (
                  <Badge tone={m.kind === 'error' ? 'danger' : 'accent'}>
                    {KIND_LABEL[m.kind]}
                  </Badge>
                )}
                <span className={styles.text}>
                  {m.text}
                  {m.handoff && <HandoffLine detail={m.handoff} />}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/**
 * One row per agent turn (numbered as in the summary and the timeline, the greeting labelled):
 * where the user's wait for the first audio went, on a millisecond axis. Unknown stages take no
 * room; a turn without metrics says n/a.
 */
export function LatencyWaterfall({ turns }: { turns: Turn[] }) {
  const agentTurns = turns.filter((t) => t.role === 'assistant');
  const rows = agentTurns.map((t) => ({ turn: t, ...stagesOf(t.metrics ?? {}) }));
  if (!rows.some((r) => r.turn.metrics))
    return <p className={dash.muted}>No per-turn metrics were recorded.</p>;
  const ticks = msTicks(Math.max(1, ...rows.map((r) => r.total ?? 0)));
  const max = ticks[ticks.length - 1]!;
  return (
    <div className={styles.waterfall} data-testid="latency-waterfall">
      <p className={dash.muted} data-testid="latency-caption">
        {agentTurns.length} agent {agentTurns.length === 1 ? 'turn' : 'turns'} of {turns.length}{' '}
        {turns.length === 1 ? 'turn' : 'turns'}: the time from the end of the user&apos;s speech to
        the agent&apos;s first audio.
      </p>
      <div className={dash.row}>
        {STAGES.map(([, label, color]) => (
          <span key={label} className={dash.muted} data-testid="latency-legend">
            <span className={styles.swatch} style={{ background: color }} /> {label}
          </span>
        ))}
      </div>
      {rows.map((row) => (
        <div
          key={row.turn.seq}
          className={styles.waterfallRow}
          data-testid="latency-row"
          data-turn={row.turn.n}
        >
          <span className={dash.muted}>
            {row.turn.greeting ? 'Greeting' : `Turn ${row.turn.n}`}
            {row.turn.agent ? ` · ${row.turn.agent}` : ''}
            <span className={styles.rowAt}> at {clock(row.turn.atMs)}</span>
          </span>
          {row.segments.length === 0 ? (
            <span className={styles.na} data-testid="latency-na">
              n/a{row.turn.greeting ? ' (spoken first, nobody waited)' : ''}
            </span>
          ) : (
            <div className={styles.lane}>
              {row.segments.map((s) => (
                <span
                  key={s.key}
                  className={styles.segment}
                  data-stage={s.key}
                  title={`${s.label}: ${formatMs(s.ms)}`}
                  style={{
                    left: `${(s.startMs / max) * 100}%`,
                    width: `${Math.max(0.5, (s.ms / max) * 100)}%`,
                    background: s.color,
                  }}
                />
              ))}
            </div>
          )}
          <span className={dash.mono} title={row.unknown.length ? 'some stages not measured' : ''}>
            {row.total === null ? 'n/a' : formatMs(row.total)}
          </span>
        </div>
      ))}
      <div className={styles.waterfallRow} aria-hidden="true">
        <span />
        <div className={styles.axis} data-testid="latency-axis">
          {ticks.map((t) => (
            <span key={t} className={styles.axisTick} style={{ left: `${(t / max) * 100}%` }}>
              {t >= 1000 ? `${t / 1000} s` : `${t} ms`}
            </span>
          ))}
        </div>
        <span />
      </div>
    </div>
  );
}
