'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Badge, Card, ErrorBanner, Notice, TextField, dash, formatDate } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

/** Clone a template (own or shared with us); admins share their own with other organizations. */
export function TemplateSharing({
  template,
  isAdmin,
}: {
  template: Schema<'TemplateRead'>;
  isAdmin: boolean;
}) {
  const router = useRouter();
  const own = !template.shared;
  const shares = useApi<Schema<'ShareList'>>(
    own && isAdmin ? `/session-templates/${template.id}/shares` : null,
  );
  const [cloneName, setCloneName] = useState(`${template.name} (copy)`);
  const [target, setTarget] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function clone(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const name = cloneName.trim();
    if (!name || name.length > 200) {
      setErrors({ name: 'Name the copy (1–200 characters).' });
      return;
    }
    setErrors({});
    try {
      const copy = await api<Schema<'TemplateRead'>>(`/session-templates/${template.id}/clone`, {
        method: 'POST',
        json: { name },
      });
      router.push(`/dashboard/templates/${copy.id}`);
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  async function share(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    if (!target.trim()) {
      setErrors({ organization: 'Enter the organization id or slug to share with.' });
      return;
    }
    setErrors({});
    try {
      await api(`/session-templates/${template.id}/shares`, {
        method: 'POST',
        json: { organization: target.trim() },
      });
      setTarget('');
      setNotice('Shared. The organization can now read and clone this template.');
      shares.reload();
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  async function revoke(id: string) {
    setError(null);
    try {
      await api(`/session-templates/${template.id}/shares/${id}`, { method: 'DELETE' });
      shares.reload();
    } catch (err) {
      setError(err);
    }
  }

  const active = (shares.data?.items ?? []).filter((s) => !s.revoked_at);
  return (
    <Card title="Clone and share" testId="template-sharing">
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        {notice && <Notice tone="success">{notice}</Notice>}
        {!own && (
          <Notice>
            Shared with you by another organization. Cloning copies its agents and tools into yours.
          </Notice>
        )}
        <form
          className={dash.row}
          style={{ alignItems: 'flex-end' }}
          onSubmit={(e) => void clone(e)}
          noValidate
        >
          <div style={{ flex: 1 }}>
            <TextField
              label="Name of the copy"
              id="clone-name"
              value={cloneName}
              error={errors.name}
              onChange={(e) => setCloneName(e.target.value)}
            />
          </div>
          <Button type="submit" variant="secondary" data-testid="clone-template">
            Clone template
          </Button>
        </form>
        {own && isAdmin && (
          <>
            <form
              className={dash.row}
              style={{ alignItems: 'flex-end' }}
              onSubmit={(e) => void share(e)}
              noValidate
            >
              <div style={{ flex: 1 }}>
                <TextField
                  label="Share with organization"
                  id="share-target"
                  placeholder="organization slug or id"
                  value={target}
                  error={errors.organization}
                  onChange={(e) => setTarget(e.target.value)}
                />
              </div>
              <Button type="submit" variant="secondary" data-testid="share-template">
                Share
              </Button>
            </form>
            {active.length > 0 && (
              <ul className={dash.stack} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {active.map((s) => (
                  <li key={s.id} className={dash.row} data-testid="share-row">
                    <span className={dash.mono}>{s.target_organization_id}</span>
                    <Badge>since {formatDate(s.created_at)}</Badge>
                    <Button size="sm" variant="ghost" onClick={() => void revoke(s.id)}>
                      Stop sharing
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
