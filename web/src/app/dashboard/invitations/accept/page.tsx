'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { useSession } from '@/components/auth/session-provider';
import { Card, ErrorBanner, Notice, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, setSelectedOrg, type Schema } from '@/lib/api/client';

function AcceptInvitation() {
  const token = useSearchParams().get('token') ?? '';
  const { reloadMe } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [joined, setJoined] = useState<Schema<'OrganizationRead'> | null>(null);

  async function accept() {
    setError(null);
    try {
      const org = await api<Schema<'OrganizationRead'>>('/invitations/accept', {
        method: 'POST',
        noOrg: true,
        json: { token },
      });
      setSelectedOrg(org.id);
      setJoined(org);
      await reloadMe();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card title="Invitation">
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        {!token ? (
          <ErrorBanner error="This link has no invitation token. Ask for a new invitation." />
        ) : joined ? (
          <Notice tone="success" testId="invitation-accepted">
            You joined {joined.name} as {joined.role}.{' '}
            <Link href="/dashboard">Go to the dashboard</Link>
          </Notice>
        ) : (
          <>
            <p>You were invited to an organization. Accept to join it with your current account.</p>
            <Button onClick={() => void accept()} data-testid="accept-invitation">
              Accept invitation
            </Button>
          </>
        )}
      </div>
    </Card>
  );
}

export default function AcceptInvitationPage() {
  return (
    <>
      <PageHeader title="Join an organization" />
      <Suspense>
        <AcceptInvitation />
      </Suspense>
    </>
  );
}
