'use client';

import Link from 'next/link';
import { useState } from 'react';
import {
  Card,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  TextField,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import type { KnowledgeBase } from '@/features/knowledge/knowledge-api';
import { EmbeddingModelField } from '@/features/knowledge/embedding-model-field';
import {
  DEFAULT_CHOICE,
  embeddingErrorText,
  embeddingModelLabel,
  embeddingModelName,
  keyState,
  type EmbeddingChoice,
} from '@/features/knowledge/embedding-model';
import type { ProviderKeyList } from '@/features/providers/provider-keys';

export default function KnowledgePage() {
  const bases = useApi<{ items: KnowledgeBase[] }>('/knowledge-bases');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<EmbeddingChoice>(DEFAULT_CHOICE);
  // Only admins may read the provider keys: for others the list is null and the API's check
  // on create decides.
  const keys = useApi<ProviderKeyList>('/provider-keys');
  const keyItems = keys.data?.items ?? null;
  const model = embeddingModelName(choice);
  const missingKey = keyState(choice.provider, keyItems) === 'missing';
  const embeddingError = embeddingErrorText(error);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    if (!model.name) return;
    setBusy(true);
    setError(null);
    try {
      await api<KnowledgeBase>('/knowledge-bases', {
        method: 'POST',
        json: { name, description, embedding_model: model.name },
      });
      setName('');
      setDescription('');
      setChoice(DEFAULT_CHOICE);
      bases.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const items = bases.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Knowledge"
        description="Documents your agents search with the search_knowledge tool. Attach a knowledge base to an agent in its configuration."
      />
      <div className={dash.stack}>
        <ErrorBanner error={bases.error} />
        <div className={dash.grid2} style={{ alignItems: 'start' }}>
          <Card title="New knowledge base">
            <form onSubmit={(e) => void create(e)} className={dash.stack}>
              <TextField
                label="Name"
                value={name}
                required
                maxLength={200}
                onChange={(e) => setName(e.target.value)}
                data-testid="kb-name"
              />
              <TextField
                label="Description"
                value={description}
                maxLength={2000}
                onChange={(e) => setDescription(e.target.value)}
              />
              <EmbeddingModelField
                value={choice}
                onChange={(next) => {
                  setChoice(next);
                  if (embeddingError) setError(null);
                }}
                keys={keyItems}
                problem={model.problem}
              />
              <ErrorBanner error={embeddingError ?? error} />
              <div>
                <Button
                  type="submit"
                  disabled={busy || !name.trim() || !model.name || missingKey}
                  data-testid="kb-create"
                >
                  {busy && choice.provider !== 'local' ? 'Checking the model…' : 'Create'}
                </Button>
              </div>
            </form>
          </Card>
          <Card title="Knowledge bases">
            {bases.loading && !bases.data ? (
              <Loading />
            ) : items.length === 0 ? (
              <EmptyState
                title="No knowledge bases yet"
                body="Create one, then upload PDF, Markdown, HTML or text files."
              />
            ) : (
              <DataTable columns={['Name', 'Embedding model', 'Documents', 'Created']}>
                {items.map((kb) => (
                  <tr key={kb.id} data-testid="kb-row">
                    <td>
                      <Link href={`/dashboard/knowledge/${kb.id}`}>{kb.name}</Link>
                      {kb.description && <div className={dash.muted}>{kb.description}</div>}
                      <div className={dash.mono}>{kb.id}</div>
                    </td>
                    <td data-testid="kb-model">{embeddingModelLabel(kb.embedding_model)}</td>
                    <td>{kb.documents}</td>
                    <td className={dash.muted}>{formatDate(kb.created_at)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
