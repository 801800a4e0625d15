'use client';

import { useParams, useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import {
  Badge,
  Card,
  ConfirmDialog,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import {
  ACCEPTED_FILES,
  inProgress,
  uploadDocument,
  type DocumentStatus,
  type KnowledgeBase,
  type KnowledgeChunk,
  type KnowledgeDocument,
  type KnowledgeHit,
} from '@/features/knowledge/knowledge-api';
import { embeddingModelLabel } from '@/features/knowledge/embedding-model';

const STATUS_TONE: Record<DocumentStatus, 'success' | 'danger' | 'warning' | 'accent'> = {
  queued: 'warning',
  parsed: 'accent',
  chunked: 'accent',
  embedded: 'success',
  error: 'danger',
};

interface Upload {
  name: string;
  progress: number;
  error?: unknown;
  done?: boolean;
}

function linkFromLocation(): { document: string; chunk?: string } | null {
  if (typeof window === 'undefined') return null;
  const document = new URLSearchParams(window.location.search).get('document');
  const chunk = window.location.hash.replace(/^#chunk-/, '') || undefined;
  return document ? { document, chunk } : null;
}

export default function KnowledgeBasePage() {
  const { baseId } = useParams<{ baseId: string }>();
  const router = useRouter();
  const base = useApi<KnowledgeBase>(`/knowledge-bases/${baseId}`);
  const [polling, setPolling] = useState(false);
  const docs = useApi<{ items: KnowledgeDocument[] }>(`/knowledge-bases/${baseId}/documents`, {
    pollMs: polling ? 2000 : undefined,
  });
  const items = docs.data?.items ?? [];
  const busy = items.some((d) => inProgress(d.status));
  if (busy !== polling) setPolling(busy);

  const [uploads, setUploads] = useState<Upload[]>([]);
  const [preview, setPreview] = useState<{ doc: KnowledgeDocument; chunks: KnowledgeChunk[] }>();
  const [deleting, setDeleting] = useState<KnowledgeDocument | 'base' | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function upload(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      const index = uploads.length;
      setUploads((u) => [...u, { name: file.name, progress: 0 }]);
      const update = (patch: Partial<Upload>) =>
        setUploads((u) => u.map((x, i) => (i === index ? { ...x, ...patch } : x)));
      try {
        await uploadDocument(baseId, file, (progress) => update({ progress }));
        update({ progress: 1, done: true });
      } catch (e) {
        update({ error: e });
      }
      docs.reload();
    }
  }

  // A link from a session replay (?document=<id>#chunk-<id>) opens that document's chunks and
  // marks the chunk the turn used.
  const [linked] = useState(linkFromLocation);
  const opened = useRef(false);
  const linkedDoc = linked ? items.find((d) => d.id === linked.document) : undefined;
  useEffect(() => {
    if (!linkedDoc || opened.current) return;
    opened.current = true;
    void showChunks(linkedDoc);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- showChunks is this render's
  }, [linkedDoc]);
  useEffect(() => {
    if (preview && linked?.chunk) {
      document.getElementById(`chunk-${linked.chunk}`)?.scrollIntoView?.({ block: 'center' });
    }
  }, [preview, linked?.chunk]);

  async function showChunks(doc: KnowledgeDocument) {
    try {
      const answer = await api<{ items: KnowledgeChunk[] }>(
        `/knowledge-bases/${baseId}/documents/${doc.id}/chunks`,
        { query: { limit: 50 } },
      );
      setPreview({ doc, chunks: answer.items });
    } catch (e) {
      setActionError(e);
    }
  }

  async function confirmDelete() {
    const target = deleting;
    setDeleting(null);
    try {
      if (target === 'base') {
        await api(`/knowledge-bases/${baseId}`, { method: 'DELETE' });
        router.push('/dashboard/knowledge');
        return;
      }
      if (target) {
        await api(`/knowledge-bases/${baseId}/documents/${target.id}`, { method: 'DELETE' });
        if (preview?.doc.id === target.id) setPreview(undefined);
        docs.reload();
      }
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <>
      <PageHeader
        title={base.data?.name ?? 'Knowledge base'}
        description={
          base.data
            ? `${base.data.description || 'Documents your agents can search.'} Embedding model: ${embeddingModelLabel(base.data.embedding_model)}, chosen when the knowledge base was created.`
            : undefined
        }
        actions={
          <Button variant="danger" onClick={() => setDeleting('base')}>
            Delete knowledge base
          </Button>
        }
      />
      <div className={dash.stack}>
        <ErrorBanner error={base.error ?? docs.error} />
        <ErrorBanner error={actionError} />
        <div className={dash.grid2} style={{ alignItems: 'start' }}>
          <Card title="Upload documents">
            <p className={dash.muted}>
              PDF (with selectable text), Markdown, HTML or UTF-8 text. Each file is parsed, split
              into passages and embedded in the background.
            </p>
            <input
              type="file"
              multiple
              accept={ACCEPTED_FILES}
              aria-label="Upload documents"
              data-testid="kb-upload"
              onChange={(e) => {
                void upload(e.target.files);
                e.target.value = '';
              }}
            />
            {uploads.length > 0 && (
              <ul className={dash.stack} style={{ listStyle: 'none', padding: 0 }}>
                {uploads.map((u, i) => (
                  <li key={`${u.name}-${i}`} data-testid="kb-upload-row">
                    <span className={dash.mono}>{u.name}</span>{' '}
                    {u.error ? (
                      <ErrorBanner error={u.error} />
                    ) : u.done ? (
                      <Badge tone="success">uploaded</Badge>
                    ) : (
                      <progress value={u.progress} max={1} aria-label={`Uploading ${u.name}`} />
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <TestBox baseId={baseId} />
        </div>
        <Card title="Documents">
          {docs.loading && !docs.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyState
              title="No documents yet"
              body="Upload a file to fill this knowledge base."
            />
          ) : (
            <DataTable columns={['Document', 'Status', 'Chunks', 'Uploaded', '']}>
              {items.map((d) => (
                <tr key={d.id} data-testid="kb-document-row">
                  <td>
                    <span className={dash.mono}>{d.filename}</span>
                    <div className={dash.muted}>
                      {(d.size_bytes / 1024).toFixed(1)} KB
                      {d.pages > 1 ? ` · ${d.pages} pages` : ''}
                    </div>
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[d.status]} testId="kb-document-status">
                      {d.status}
                    </Badge>
                    {d.status === 'error' && (
                      <div className={dash.muted} data-testid="kb-document-error">
                        {d.error_message} ({d.error_code})
                      </div>
                    )}
                  </td>
                  <td>{d.chunk_count}</td>
                  <td className={dash.muted}>{formatDate(d.created_at)}</td>
                  <td>
                    <span className={dash.row}>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={d.chunk_count === 0}
                        onClick={() => void showChunks(d)}
                      >
                        Preview chunks
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setDeleting(d)}>
                        Delete
                      </Button>
                    </span>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
        {preview && (
          <Card title={`Chunks of ${preview.doc.filename}`}>
            <ol className={dash.stack}>
              {preview.chunks.map((c) => (
                <li
                  key={c.id}
                  id={`chunk-${c.id}`}
                  data-testid="kb-chunk"
                  data-linked={linked?.chunk === c.id || undefined}
                  style={
                    linked?.chunk === c.id
                      ? { outline: '2px solid var(--accent, currentColor)' }
                      : undefined
                  }
                >
                  {c.heading_path && <strong>{c.heading_path}</strong>}
                  {c.page ? <span className={dash.muted}> · page {c.page}</span> : null}
                  <p style={{ margin: '0.25rem 0 0', whiteSpace: 'pre-wrap' }}>{c.text}</p>
                </li>
              ))}
            </ol>
          </Card>
        )}
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title={deleting === 'base' ? 'Delete this knowledge base?' : 'Delete this document?'}
        body={
          deleting === 'base'
            ? 'Every document, chunk and file in it is deleted; agents stop finding them.'
            : 'Its chunks and file are deleted; agents stop finding them.'
        }
        confirmLabel="Delete"
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      />
    </>
  );
}

function TestBox({ baseId }: { baseId: string }) {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function ask(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ items: KnowledgeHit[] }>(`/knowledge-bases/${baseId}/query`, {
        method: 'POST',
        json: { query, limit: 5 },
      });
      setHits(answer.items);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Test your knowledge base">
      <form onSubmit={(e) => void ask(e)} className={dash.row}>
        <input
          className={dash.input}
          type="search"
          placeholder="Ask a question a caller might ask"
          aria-label="Test question"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="kb-test-query"
        />
        <Button type="submit" disabled={busy || !query.trim()} data-testid="kb-test-submit">
          Search
        </Button>
      </form>
      <ErrorBanner error={error} />
      {hits !== null &&
        (hits.length === 0 ? (
          <p className={dash.muted}>Nothing matches: an agent would say it does not know.</p>
        ) : (
          <ol className={dash.stack} data-testid="kb-test-results">
            {hits.map((h) => (
              <li key={h.chunk_id}>
                <div className={dash.muted}>
                  {h.filename}
                  {h.heading_path ? ` · ${h.heading_path}` : ''} · score {h.score.toFixed(3)}
                  {h.vector_rank ? ` · meaning #${h.vector_rank}` : ''}
                  {h.keyword_rank ? ` · words #${h.keyword_rank}` : ''}
                </div>
                <p style={{ margin: '0.25rem 0 0' }}>{h.text}</p>
              </li>
            ))}
          </ol>
        ))}
    </Card>
  );
}
