'use client';

import { useState } from 'react';
import { ErrorBanner, TextField } from '@/components/ui/kit';
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
export async function openTestSession(
  templateId: string,
  variables: Record<string, string | number | boolean> = {},
): Promise<string | null> {
  const response = await api<Schema<'SessionStartResponse'>>('/sessions', {
    method: 'POST',
    json: Object.keys(variables).length
      ? { template_id: templateId, variables }
      : { template_id: templateId },
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
  variables,
}: {
  label: string;
  testId: string;
  template: () => Promise<string> | string;
  /** The session variables to start with (the test form's values). */
  variables?: () => Record<string, string | number | boolean>;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [fallback, setFallback] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    setFallback(null);
    try {
      setFallback(await openTestSession(await template(), variables?.() ?? {}));
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

type Declared = Schema<'SessionVariable-Output'>;
type Value = string | number | boolean;

/** The form's text of each declared variable as a typed value; '' (left empty) is not sent. */
export function typedVariables(
  declared: Declared[],
  texts: Record<string, string>,
): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const v of declared) {
    const text = texts[v.name] ?? '';
    if (v.type === 'boolean') out[v.name] = text === 'true';
    else if (!text.trim()) continue;
    else if (v.type === 'number' || v.type === 'integer') out[v.name] = Number(text);
    else out[v.name] = text;
  }
  return out;
}

/**
 * "Test this template": with declared session variables, a small form of them first (defaults
 * filled in; the API checks the values: `session_variables_invalid` shows as the error).
 */
export function TestTemplateButton({
  templateId,
  variables = [],
}: {
  templateId: string;
  variables?: Declared[] | null;
}) {
  const declared = variables ?? [];
  const [open, setOpen] = useState(false);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      declared.map((v) => [
        v.name,
        v.default === null || v.default === undefined ? '' : String(v.default),
      ]),
    ),
  );
  if (declared.length && !open) {
    return (
      <Button onClick={() => setOpen(true)} data-testid="test-template">
        Test this template
      </Button>
    );
  }
  return (
    <div data-testid="test-template-variables">
      {declared.map((v) =>
        v.type === 'boolean' ? (
          <label key={v.name}>
            <input
              type="checkbox"
              data-testid={`test-variable-${v.name}`}
              checked={texts[v.name] === 'true'}
              onChange={(e) => setTexts({ ...texts, [v.name]: String(e.target.checked) })}
            />{' '}
            {v.name}
          </label>
        ) : (
          <TextField
            key={v.name}
            id={`test-variable-${v.name}`}
            data-testid={`test-variable-${v.name}`}
            label={`${v.name}${v.required ? ' (required)' : ''}`}
            hint={v.description || undefined}
            inputMode={v.type === 'string' ? undefined : 'decimal'}
            value={texts[v.name] ?? ''}
            onChange={(e) => setTexts({ ...texts, [v.name]: e.target.value })}
          />
        ),
      )}
      <TestSessionButton
        label={declared.length ? 'Start the test session' : 'Test this template'}
        testId={declared.length ? 'test-template-start' : 'test-template'}
        template={() => templateId}
        variables={() => typedVariables(declared, texts)}
      />
    </div>
  );
}
