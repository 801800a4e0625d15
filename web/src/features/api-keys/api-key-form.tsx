'use client';

import { useState, type FormEvent } from 'react';
import { SCOPES, validateApiKey } from '@/lib/form-validation';
import { CheckboxChips, ErrorBanner, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';

const SCOPE_OPTIONS = SCOPES.map((s) => ({ value: s, label: s }));

export function ApiKeyForm({ onCreated }: { onCreated: (key: Schema<'ApiKeyCreated'>) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['sessions:write']);
  const [expiresAt, setExpiresAt] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const found = validateApiKey(name, scopes, expiresAt);
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      const key = await api<Schema<'ApiKeyCreated'>>('/api-keys', {
        method: 'POST',
        json: {
          name: name.trim(),
          scopes,
          expires_at: expiresAt ? new Date(expiresAt).toISOString() : null,
        },
      });
      setName('');
      onCreated(key);
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  return (
    <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
      <ErrorBanner error={error} />
      <TextField
        label="Key name"
        id="key-name"
        value={name}
        error={errors.name}
        placeholder="e.g. CRM backend"
        onChange={(e) => setName(e.target.value)}
      />
      <CheckboxChips
        label="Scopes"
        name="scopes"
        options={SCOPE_OPTIONS}
        value={scopes}
        error={errors.scopes}
        onChange={setScopes}
      />
      <TextField
        label="Expires (optional)"
        id="key-expires"
        type="datetime-local"
        value={expiresAt}
        error={errors.expires_at}
        onChange={(e) => setExpiresAt(e.target.value)}
      />
      <Button type="submit" data-testid="create-api-key">
        Create key
      </Button>
    </form>
  );
}
