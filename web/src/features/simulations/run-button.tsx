'use client';

import { useEffect, useRef, useState } from 'react';
import { ErrorBanner, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';

const POLL_MS = 1000;

/** Queues a text-mode run and follows it until the worker has posted the result. */
export function RunButton({
  scenarioId,
  onDone,
}: {
  scenarioId: string;
  onDone: (run: Schema<'RunRead'>) => void;
}) {
  const [run, setRun] = useState<Schema<'RunRead'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function follow(id: string) {
    try {
      const current = await api<Schema<'RunRead'>>(`/simulations/runs/${id}`);
      setRun(current);
      if (current.status === 'completed') {
        onDone(current);
        return;
      }
    } catch (err) {
      setError(err);
    }
    timer.current = setTimeout(() => void follow(id), POLL_MS);
  }

  async function start() {
    setError(null);
    try {
      const queued = await api<Schema<'RunRead'>>(`/simulations/scenarios/${scenarioId}/runs`, {
        method: 'POST',
        json: { mode: 'text' },
      });
      setRun(queued);
      timer.current = setTimeout(() => void follow(queued.id), POLL_MS);
    } catch (err) {
      setError(err);
    }
  }

  const busy = run !== null && run.status !== 'completed';
  return (
    <span className={dash.row}>
      <Button onClick={() => void start()} disabled={busy} data-testid="run-scenario">
        {busy ? 'Running…' : 'Run'}
      </Button>
      {busy && (
        <span className={dash.muted} role="status" data-testid="run-progress">
          {run.status === 'queued'
            ? 'Queued, waiting for an agent worker…'
            : 'An agent worker is running it…'}
        </span>
      )}
      <ErrorBanner error={error} />
    </span>
  );
}
