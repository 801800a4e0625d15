'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog, ErrorBanner, dash } from '@/components/ui/kit';
import { api, setSelectedOrg } from '@/lib/api/client';

/** `POST /auth/logout-all`: every session of the user, this one included, is signed out. */
export function SignOutEverywhere() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await api('/auth/logout-all', { method: 'POST', noOrg: true });
      setSelectedOrg(null);
      router.replace('/login?signed_out=everywhere');
    } catch (err) {
      setError(err);
      setBusy(false);
      setOpen(false);
    }
  }

  return (
    <div className={dash.stack}>
      <p className={dash.muted}>
        Signs you out on every device and browser, this one included. Use it if you lost a device or
        think someone else used your account.
      </p>
      <ErrorBanner error={error} />
      <div>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Sign out everywhere
        </Button>
      </div>
      <ConfirmDialog
        open={open}
        title="Sign out everywhere?"
        body="Every session of your account ends now, including this one."
        confirmLabel="Sign out everywhere"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      />
    </div>
  );
}
