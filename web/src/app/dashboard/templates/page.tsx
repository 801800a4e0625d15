'use client';

import Link from 'next/link';
import {
  Badge,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { ButtonLink } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { LinkRow } from '@/components/ui/link-row';

export default function TemplatesPage() {
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  const shared = useApi<Schema<'TemplateList'>>('/session-templates/shared');
  const items = templates.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Session templates"
        description="Bundle an agent set, modality and panels into something you can embed."
        actions={
          <ButtonLink href="/dashboard/templates/new" data-testid="new-template">
            New template
          </ButtonLink>
        }
      />
      <ErrorBanner error={templates.error} />
      {templates.loading && !templates.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState
          title="No templates yet"
          body="A template is what a caller talks to: pick an agent set and how the session looks."
          action={<ButtonLink href="/dashboard/templates/new">Create a template</ButtonLink>}
        />
      ) : (
        <DataTable columns={['Template', 'Agents', 'Modality', 'Panels', 'Updated']}>
          {items.map((t) => (
            <LinkRow key={t.id} href={`/dashboard/templates/${t.id}`} data-testid="template-row">
              <td>
                <Link href={`/dashboard/templates/${t.id}`}>{t.name}</Link>
                {t.description && <div className={dash.muted}>{t.description}</div>}
              </td>
              <td className={dash.muted}>
                {t.agents.join(', ')} <Badge tone="accent">starts {t.initial_agent}</Badge>
              </td>
              <td>
                <Badge>{t.modality_profile}</Badge>
              </td>
              <td className={dash.muted}>{t.enabled_panels.join(', ') || '—'}</td>
              <td className={dash.muted}>{formatDate(t.updated_at)}</td>
            </LinkRow>
          ))}
        </DataTable>
      )}
      {(shared.data?.items ?? []).length > 0 && (
        <section className={dash.stack} style={{ marginTop: 'var(--space-6)' }}>
          <h2 style={{ fontSize: 'var(--text-lg)' }}>Shared with you</h2>
          <DataTable columns={['Template', 'Agents', 'Modality']} testId="shared-templates">
            {(shared.data?.items ?? []).map((t) => (
              <tr key={t.id}>
                <td>
                  <Link href={`/dashboard/templates/${t.id}`}>{t.name}</Link> <Badge>shared</Badge>
                </td>
                <td className={dash.muted}>{t.agents.join(', ')}</td>
                <td>
                  <Badge>{t.modality_profile}</Badge>
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
      )}
    </>
  );
}
