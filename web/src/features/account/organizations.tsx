'use client';

import { useState, type FormEvent } from 'react';
import type { Membership } from '@/components/auth/session-provider';
import { Badge, ErrorBanner, Notice, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';

/** The user's organizations: switch, create another (`POST /organizations`) and rename the
 * selected one (`PATCH /organization`, admins). */
export function Organizations({
  memberships,
  selected,
  reloadMe,
  switchOrg,
}: {
  memberships: Membership[];
  selected: Membership | undefined;
  reloadMe: () => Promise<void>;
  switchOrg: (orgId: string) => void;
}) {
  const [rename, setRename] = useState(selected?.organization_name ?? '');
  const [create, setCreate] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const isAdmin = selected?.role === 'admin';

  async function submitRename(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setMessage(null);
    if (!rename.trim()) {
      setErrors({ rename: 'Enter a name.' });
      return;
    }
    setErrors({});
    try {
      await api<Schema<'OrganizationRead'>>('/organization', {
        method: 'PATCH',
        json: { name: rename.trim() },
      });
      await reloadMe();
      setMessage('Organization renamed.');
    } catch (err) {
      setErrors({ rename: fieldProblems(err).name ?? '' });
      setError(err);
    }
  }

  async function submitCreate(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setMessage(null);
    if (!create.trim()) {
      setErrors({ create: 'Name the new organization.' });
      return;
    }
    setErrors({});
    try {
      const org = await api<Schema<'OrganizationRead'>>('/organizations', {
        method: 'POST',
        noOrg: true,
        json: { name: create.trim() },
      });
      setCreate('');
      await reloadMe();
      switchOrg(org.id);
    } catch (err) {
      setErrors({ create: fieldProblems(err).name ?? '' });
      setError(err);
    }
  }

  return (
    <div className={dash.stack}>
      {message && <Notice tone="success">{message}</Notice>}
      <ErrorBanner error={error} />
      <ul
        className={dash.stack}
        style={{ gap: 8, listStyle: 'none', padding: 0, margin: 0 }}
        data-testid="org-list"
      >
        {memberships.map((m) => (
          <li key={m.organization_id} className={dash.row}>
            <strong>{m.organization_name}</strong>
            <Badge>{m.role}</Badge>
            {m.organization_id === selected?.organization_id ? (
              <Badge tone="accent">selected</Badge>
            ) : (
              <Button variant="ghost" size="sm" onClick={() => switchOrg(m.organization_id)}>
                Switch
              </Button>
            )}
          </li>
        ))}
      </ul>
      {isAdmin && (
        <form className={dash.row} onSubmit={(e) => void submitRename(e)} noValidate>
          <TextField
            label="Rename this organization"
            id="org-rename"
            value={rename}
            error={errors.rename || undefined}
            maxLength={200}
            onChange={(e) => setRename(e.target.value)}
          />
          <Button type="submit" variant="secondary">
            Rename
          </Button>
        </form>
      )}
      <form className={dash.row} onSubmit={(e) => void submitCreate(e)} noValidate>
        <TextField
          label="New organization"
          id="org-create"
          value={create}
          error={errors.create || undefined}
          maxLength={200}
          placeholder="Acme Support"
          onChange={(e) => setCreate(e.target.value)}
        />
        <Button type="submit" variant="secondary">
          Create organization
        </Button>
      </form>
    </div>
  );
}
