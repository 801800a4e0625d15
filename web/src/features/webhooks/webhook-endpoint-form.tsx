'use client';

import { useState, type FormEvent } from 'react';
import { WEBHOOK_EVENTS, validateWebhookEndpoint } from '@/lib/form-validation';
import { CheckboxChips, ErrorBanner, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { fieldProblems, type Schema } from '@/lib/api/client';

const EVENT_OPTIONS = WEBHOOK_EVENTS.map((e) => ({ value: e, label: e }));

export interface EndpointValues {
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
}

/** Create/edit form for a customer webhook endpoint; `onSubmit` throws the API's error. */
export function WebhookEndpointForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial?: Schema<'EndpointRead'>;
  submitLabel: string;
  onSubmit: (values: EndpointValues) => Promise<void>;
}) {
  const [values, setValues] = useState<EndpointValues>({
    url: initial?.url ?? '',
    description: initial?.description ?? '',
    events: initial?.events ?? [...WEBHOOK_EVENTS],
    enabled: initial?.enabled ?? true,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const found = validateWebhookEndpoint(values.url, values.events, values.description);
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await onSubmit({ ...values, url: values.url.trim() });
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
      <ErrorBanner error={error} />
      <TextField
        label="Endpoint URL"
        id="endpoint-url"
        type="url"
        placeholder="https://example.com/troupe-events"
        value={values.url}
        error={errors.url}
        onChange={(e) => setValues({ ...values, url: e.target.value })}
      />
      <TextField
        label="Description"
        id="endpoint-description"
        value={values.description}
        error={errors.description}
        onChange={(e) => setValues({ ...values, description: e.target.value })}
      />
      <CheckboxChips
        label="Events"
        name="events"
        options={EVENT_OPTIONS}
        value={values.events}
        error={errors.events}
        onChange={(events) => setValues({ ...values, events })}
      />
      <label className={dash.row}>
        <input
          type="checkbox"
          checked={values.enabled}
          onChange={(e) => setValues({ ...values, enabled: e.target.checked })}
        />
        Enabled
      </label>
      <Button type="submit" disabled={busy} data-testid="save-endpoint">
        {busy ? 'Saving…' : submitLabel}
      </Button>
    </form>
  );
}
