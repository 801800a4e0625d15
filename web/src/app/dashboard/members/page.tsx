'use client';

import { useState, type FormEvent } from 'react';
import { ROLES, validateInvite, type Role } from '@/lib/form-validation';
import { SecretReveal } from '@/components/ui/secret-reveal';
import { useSession } from '@/components/auth/session-provider';
import {
  Badge,
  Card,
  ConfirmDialog,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  SelectField,
  TextField,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));

export default function MembersPage() {
  const { me, org } = useSession();
  const isAdmin = org?.role === 'admin';
  const members = useApi<Schema<'MemberList'>>('/members');
  const invitations = useApi<Schema<'InvitationList'>>(isAdmin ? '/invitations' : null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Schema<'InvitationCreated'> | null>(null);
  const [removing, setRemoving] = useState<Schema<'MemberRead'> | null>(null);

  async function invite(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const found = validateInvite(email, role);
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      const answer = await api<Schema<'InvitationCreated'>>('/invitations', {
        method: 'POST',
        json: { email: email.trim(), role },
      });
      setCreated(answer);
      setEmail('');
      invitations.reload();
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  async function act(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
    members.reload();
    invitations.reload();
  }

  const acceptUrl = (token: string) =>
    `${window.location.origin}/dashboard/invitations/accept?token=${encodeURIComponent(token)}`;

  return (
    <>
      <PageHeader
        title="Members"
        description={`Who works in ${org?.organization_name ?? 'this organization'}, and with which role.`}
      />
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        <ErrorBanner error={members.error} />
        <Card title="Members" testId="members-card">
          {members.loading && !members.data ? (
            <Loading />
          ) : (
            <DataTable
              columns={['Member', 'Role', 'Joined']}
              actions={isAdmin}
              testId="members-table"
            >
              {(members.data?.items ?? []).map((m) => {
                const self = m.user_id === me.user.id;
                return (
                  <tr key={m.user_id} data-testid="member-row">
                    <td>
                      <strong>{m.display_name}</strong>
                      {self && <Badge tone="accent">you</Badge>}
                      <div className={dash.muted}>{m.email}</div>
                    </td>
                    <td>
                      {isAdmin && !self ? (
                        <select
                          className={dash.input}
                          aria-label={`Role of ${m.email}`}
                          value={m.role}
                          onChange={(e) =>
                            void act(() =>
                              api(`/members/${m.user_id}`, {
                                method: 'PATCH',
                                json: { role: e.target.value },
                              }),
                            )
                          }
                        >
                          {ROLE_OPTIONS.map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <Badge>{m.role}</Badge>
                      )}
                    </td>
                    <td className={dash.muted}>{formatDate(m.joined_at)}</td>
                    {isAdmin && (
                      <td>
                        {!self && (
                          <Button variant="ghost" size="sm" onClick={() => setRemoving(m)}>
                            Remove
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </DataTable>
          )}
        </Card>
        {isAdmin ? (
          <div className={dash.grid2} style={{ alignItems: 'start' }}>
            <Card title="Invite someone">
              {created ? (
                <SecretReveal
                  label={`Invitation for ${created.email} (${created.role}) created. Send them this link.`}
                  secret={acceptUrl(created.token)}
                  onDismiss={() => setCreated(null)}
                  testId="invitation-link"
                />
              ) : (
                <form className={dash.stack} onSubmit={(e) => void invite(e)} noValidate>
                  <TextField
                    label="Email"
                    id="invite-email"
                    type="email"
                    value={email}
                    error={errors.email}
                    onChange={(e) => setEmail(e.target.value)}
                  />
                  <SelectField
                    label="Role"
                    id="invite-role"
                    value={role}
                    error={errors.role}
                    options={ROLE_OPTIONS}
                    hint="Admins manage members, keys and settings; viewers only read."
                    onChange={(e) => setRole(e.target.value as Role)}
                  />
                  <Button type="submit" data-testid="send-invite">
                    Create invitation
                  </Button>
                </form>
              )}
            </Card>
            <Card title="Pending invitations" testId="invitations-card">
              {(invitations.data?.items ?? []).length === 0 ? (
                <EmptyState title="No pending invitations" testId="no-invitations" />
              ) : (
                <ul className={dash.stack} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                  {(invitations.data?.items ?? []).map((inv) => (
                    <li key={inv.id} className={dash.row} data-testid="invitation-row">
                      <span style={{ flex: 1 }}>
                        <strong>{inv.email}</strong> <Badge>{inv.role}</Badge>
                        <div className={dash.muted}>expires {formatDate(inv.expires_at)}</div>
                      </span>
                      <Button
                        variant="ghost"
                        size="sm"
                        onClick={() =>
                          void act(() => api(`/invitations/${inv.id}`, { method: 'DELETE' }))
                        }
                      >
                        Revoke
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        ) : (
          <p className={dash.muted}>Only admins invite members and change roles.</p>
        )}
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.email ?? ''}?`}
        body="They lose access to this organization at once."
        confirmLabel="Remove"
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          const target = removing;
          setRemoving(null);
          if (target) void act(() => api(`/members/${target.user_id}`, { method: 'DELETE' }));
        }}
      />
    </>
  );
}
