'use client';

import { useState } from 'react';
import { ErrorBanner } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import { saveSession } from '@/features/session/lib/session-store';

/**
 * Starts a test session of the template as the signed-in user and opens `/s/<id>` in a new tab.
 * The connection is stored in sessionStorage exactly like the embed page does; a tab opened
 * with `window.open` (opener kept) starts with a copy of this tab's sessionStorage.
 */
/**
 * Starts a test session of the template and opens it in a new tab; the session's path when the
 * browser blocked the tab (shown as a link), else null.
 */
export async function openTestSession(templateId: string): Promise<string | null> {
  const response = await api<Schema<'SessionStartResponse'>>('/sessions', {
    method: 'POST',
    json: { template_id: templateId },
  });
  saveSession(response as never);
  const path = `/s/${encodeURIComponent(response.connection.session_id)}`;
  return window.open(path, '_blank') ? null : path;
}

/**
 * A button that starts a test session and opens it in a new tab, with a link to it when the
 * browser blocked the tab and the error when it failed. `template` gives the template to test.
 */
export function TestSessionButton({
  label,
  testId,
  template,
}: {
  label: string;
  testId: string;
  template: () => Promise<string> | string;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [fallback, setFallback] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    setFallback(null);
    try {
      setFallback(await openTestSession(await template()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button onClick={() => void start()} disabled={busy} data-testid={testId}>
        {busy ? 'Starting…' : label}
      </Button>
      {fallback && (
        <a href={fallback} target="_blank" rel="opener" data-testid="open-test-session">
          Open the test session
        </a>
      )}
      <ErrorBanner error={error} />
    </>
  );
}

export function TestTemplateButton({ templateId }: { templateId: string }) {
  return (
    <TestSessionButton
      label="Test this template"
      testId="test-template"
      template={() => templateId}
    />
  );
}
