'use client';

import { useState } from 'react';
import { Card, ErrorBanner, Notice, dash } from '@/components/ui/kit';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

/** The organization's PII redaction switch (admins change it; everyone sees it). */
export function RedactionSettings({ isAdmin }: { isAdmin: boolean }) {
  const settings = useApi<Schema<'UsageSettingsRead'>>('/usage/settings');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Shown at once (a controlled checkbox would lag the request); dropped again on failure.
  const [optimistic, setOptimistic] = useState<boolean | null>(null);

  async function toggle(next: boolean) {
    setError(null);
    setSaved(null);
    setBusy(true);
    setOptimistic(next);
    try {
      await api('/usage/settings', { method: 'PATCH', json: { redact_pii: next } });
      setSaved(next ? 'Redaction on for new session logs.' : 'Redaction off.');
      settings.reload();
    } catch (err) {
      setOptimistic(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Privacy" testId="redaction-settings">
      <div className={dash.stack}>
        <ErrorBanner error={error ?? settings.error} />
        {saved && <Notice tone="success">{saved}</Notice>}
        {settings.data && (
          <>
            <label className={dash.row} style={{ flexWrap: 'nowrap', alignItems: 'flex-start' }}>
              <input
                type="checkbox"
                data-testid="redact-pii"
                checked={optimistic ?? settings.data.redact_pii}
                disabled={!isAdmin || busy}
                onChange={(e) => void toggle(e.target.checked)}
              />
              Redact personal data in transcripts and logs
            </label>
            <p className={dash.muted}>
              Emails, phone numbers and card numbers are replaced by [EMAIL], [PHONE] and [CARD]
              before session logs are stored. Logs kept {settings.data.retention_days} days.
              {!isAdmin && ' Only admins change this.'}
            </p>
          </>
        )}
      </div>
    </Card>
  );
}
