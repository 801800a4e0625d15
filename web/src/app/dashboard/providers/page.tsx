'use client';

import { useState, type FormEvent } from 'react';
import {
  Badge,
  Card,
  ErrorBanner,
  Loading,
  Notice,
  TextField,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import {
  PROVIDER_LABELS,
  keyBody,
  keyStatus,
  type ProviderKeyList,
  type ProviderKeyRead,
} from '@/features/providers/provider-keys';

function ProviderKeyCard({ item, onSaved }: { item: ProviderKeyRead; onSaved: () => void }) {
  const { label, used } = PROVIDER_LABELS[item.provider];
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const compatible = item.provider === 'openai-compatible';

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    setError(null);
    const built = keyBody(item.provider, apiKey, baseUrl);
    if ('problem' in built) {
      setProblem(built.problem);
      return;
    }
    setProblem(null);
    try {
      await api(`/provider-keys/${item.provider}`, { method: 'PUT', json: built.body });
      setApiKey(''); // the key leaves the page once saved
      setBaseUrl('');
      setSaved('Saved. The key will not be shown again.');
      onSaved();
    } catch (err) {
      setError(err);
    }
  }

  async function remove() {
    setSaved(null);
    setError(null);
    try {
      await api(`/provider-keys/${item.provider}`, { method: 'DELETE' });
      setSaved('Removed: sessions use the platform key again.');
      onSaved();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card title={label} testId={`provider-key-${item.provider}`}>
      <form className={dash.stack} onSubmit={(e) => void save(e)} noValidate>
        <p className={dash.muted}>
          Used for {used} in this organization’s sessions.{' '}
          {item.configured ? <Badge tone="success">set</Badge> : <Badge>platform</Badge>}
        </p>
        <p data-testid={`provider-key-status-${item.provider}`}>
          {keyStatus(item)}
          {item.updated_at ? ` · saved ${formatDate(item.updated_at)}` : ''}
        </p>
        {saved && <Notice tone="success">{saved}</Notice>}
        <ErrorBanner error={error} />
        {compatible && (
          <TextField
            label="Base URL"
            placeholder="http://10.0.0.5:8080/v1"
            value={baseUrl}
            error={problem && compatible ? problem : undefined}
            onChange={(e) => setBaseUrl(e.target.value)}
          />
        )}
        <TextField
          label={compatible ? 'API key (if the server wants one)' : 'API key'}
          type="password"
          autoComplete="off"
          value={apiKey}
          error={problem && !compatible ? problem : undefined}
          onChange={(e) => setApiKey(e.target.value)}
        />
        <span className={dash.chips}>
          <Button type="submit">{item.configured ? 'Replace key' : 'Save key'}</Button>
          {item.configured && (
            <Button type="button" variant="ghost" onClick={() => void remove()}>
              Remove
            </Button>
          )}
        </span>
      </form>
    </Card>
  );
}

export default function ProvidersPage() {
  const keys = useApi<ProviderKeyList>('/provider-keys');
  return (
    <>
      <PageHeader
        title="Model providers"
        description="Your organization’s own provider keys. Stored encrypted and never shown again; without one, the platform’s key is used."
      />
      <div className={dash.stack}>
        <ErrorBanner error={keys.error} />
        {keys.loading && !keys.data ? (
          <Loading />
        ) : (
          <div className={dash.grid2} style={{ alignItems: 'start' }}>
            {(keys.data?.items ?? []).map((item) => (
              <ProviderKeyCard key={item.provider} item={item} onSaved={keys.reload} />
            ))}
          </div>
        )}
      </div>
    </>
  );
}
