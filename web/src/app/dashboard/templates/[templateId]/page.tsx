'use client';

import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { useSession } from '@/components/auth/session-provider';
import { ConfirmDialog, ErrorBanner, Loading, Notice, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { AnalysisConfigEditor } from '@/features/templates/analysis-config-editor';
import { DeploymentsSection } from '@/features/templates/deployments-section';
import { TemplateAnalyticsCard } from '@/features/templates/template-analytics';
import { TemplateSharing } from '@/features/templates/template-sharing';
import { TemplateForm } from '@/features/templates/template-form';
import { TestTemplateButton } from '@/features/templates/test-template-button';
import { Button, ButtonLink } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { plural } from '@/lib/words';

export default function TemplatePage() {
  const { templateId } = useParams<{ templateId: string }>();
  const router = useRouter();
  const { org } = useSession();
  const template = useApi<Schema<'TemplateRead'>>(`/session-templates/${templateId}`);
  const catalog = useApi<Schema<'Catalog'>>('/catalog');
  const sets = useApi<Schema<'AgentSetList'>>('/agent-sets');
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [confirm, setConfirm] = useState(false);

  if (!template.data || !sets.data) {
    return template.error ? <ErrorBanner error={template.error} /> : <Loading />;
  }
  const current = template.data;
  if (current.shared) {
    return (
      <>
        <PageHeader
          title={current.name}
          description={`Shared with you · ${plural(current.agents.length, 'agent')} · ${current.modality_profile}`}
        />
        <TemplateSharing template={current} isAdmin={org?.role === 'admin'} />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={current.name}
        description={`${plural(current.agents.length, 'agent')} · ${current.modality_profile}`}
        actions={
          <>
            <TestTemplateButton templateId={templateId} variables={current.variables} />
            <ButtonLink
              variant="secondary"
              href={`/dashboard/experiments?template=${templateId}`}
              data-testid="template-experiment"
            >
              Experiment
            </ButtonLink>
            <Button variant="danger" onClick={() => setConfirm(true)}>
              Delete
            </Button>
          </>
        }
      />
      <div className={dash.stack}>
        {saved && <Notice tone="success">Template saved.</Notice>}
        <TemplateAnalyticsCard templateId={templateId} />
        <DeploymentsSection templateId={templateId} />
        <TemplateSharing template={current} isAdmin={org?.role === 'admin'} />
        <TemplateForm
          key={current.updated_at}
          initial={current}
          catalog={catalog.data}
          sets={sets.data.items}
          agents={agents.data?.items}
          serverErrors={problems}
          submitError={error}
          onSubmit={async (body) => {
            setError(null);
            setProblems({});
            setSaved(false);
            try {
              await api(`/session-templates/${templateId}`, { method: 'PUT', json: body });
              setSaved(true);
              template.reload();
            } catch (e) {
              setProblems(fieldProblems(e));
              setError(e);
            }
          }}
        />
        <AnalysisConfigEditor templateId={templateId} />
      </div>
      <ConfirmDialog
        open={confirm}
        title={`Delete ${current.name}?`}
        body="Embeds that use this template stop working."
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            await api(`/session-templates/${templateId}`, { method: 'DELETE' });
            router.push('/dashboard/templates');
          } catch (e) {
            setError(e);
            setConfirm(false);
          }
        }}
      />
    </>
  );
}
