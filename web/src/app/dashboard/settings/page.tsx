'use client';

import { useState, type FormEvent } from 'react';
import { EmailChange } from '@/features/account/email-change';
import { Organizations } from '@/features/account/organizations';
import { SignOutEverywhere } from '@/features/account/sign-out-everywhere';
import { RedactionSettings } from '@/features/settings/redaction-settings';
import { ConfigTransfer } from '@/features/settings/config-transfer';
import { useSession } from '@/components/auth/session-provider';
import { Card, ErrorBanner, Notice, TextField, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, fieldProblems } from '@/lib/api/client';
import { validatePasswordChange } from '@/components/auth/password';

export default function SettingsPage() {
  const { me, org, reloadMe, switchOrg } = useSession();
  const [name, setName] = useState(me.user.display_name);
  const [profileMsg, setProfileMsg] = useState<string | null>(null);
  const [profileErr, setProfileErr] = useState<unknown>(null);
  const [pw, setPw] = useState({ current: '', next: '', confirm: '' });
  const [pwErrors, setPwErrors] = useState<Record<string, string>>({});
  const [pwMsg, setPwMsg] = useState<string | null>(null);
  const [pwErr, setPwErr] = useState<unknown>(null);

  async function saveProfile(e: FormEvent) {
    e.preventDefault();
    setProfileMsg(null);
    setProfileErr(null);
    try {
      await api('/me', { method: 'PATCH', noOrg: true, json: { display_name: name.trim() } });
      await reloadMe();
      setProfileMsg('Profile saved.');
    } catch (err) {
      setProfileErr(err);
    }
  }

  async function changePassword(e: FormEvent) {
    e.preventDefault();
    setPwMsg(null);
    setPwErr(null);
    const found = validatePasswordChange(pw.current, pw.next, pw.confirm);
    setPwErrors(found);
    if (Object.keys(found).length) return;
    try {
      await api('/me/password', {
        method: 'POST',
        noOrg: true,
        json: { current_password: pw.current, new_password: pw.next },
      });
      setPw({ current: '', next: '', confirm: '' });
      setPwMsg('Password changed. Other devices were signed out.');
    } catch (err) {
      setPwErrors(fieldProblems(err));
      setPwErr(err);
    }
  }

  return (
    <>
      <PageHeader title="Settings" description="Your profile, organizations and data handling." />
      <div className={dash.grid2} style={{ alignItems: 'start' }}>
        <Card title="Profile">
          <form className={dash.stack} onSubmit={(e) => void saveProfile(e)} noValidate>
            {profileMsg && <Notice tone="success">{profileMsg}</Notice>}
            <ErrorBanner error={profileErr} />
            <TextField
              label="Display name"
              id="profile-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <Button type="submit">Save profile</Button>
          </form>
        </Card>
        <Card title="Email" testId="email-card">
          <EmailChange email={me.user.email} pendingEmail={me.pending_email} onChanged={reloadMe} />
        </Card>
        <Card title="Password">
          <form className={dash.stack} onSubmit={(e) => void changePassword(e)} noValidate>
            {pwMsg && <Notice tone="success">{pwMsg}</Notice>}
            <ErrorBanner error={pwErr} />
            <TextField
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={pw.current}
              error={pwErrors.current_password}
              onChange={(e) => setPw({ ...pw, current: e.target.value })}
            />
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              value={pw.next}
              error={pwErrors.new_password}
              onChange={(e) => setPw({ ...pw, next: e.target.value })}
            />
            <TextField
              label="Confirm new password"
              type="password"
              autoComplete="new-password"
              value={pw.confirm}
              error={pwErrors.confirm}
              onChange={(e) => setPw({ ...pw, confirm: e.target.value })}
            />
            <Button type="submit">Change password</Button>
          </form>
        </Card>
        <Card title="Organizations" testId="organizations-card">
          <Organizations
            memberships={me.memberships}
            selected={org}
            reloadMe={reloadMe}
            switchOrg={switchOrg}
          />
        </Card>
        <Card title="Sessions" testId="sessions-card">
          <SignOutEverywhere />
        </Card>
        <RedactionSettings isAdmin={org?.role === 'admin'} />
        <Card title="Configuration" testId="configuration-card">
          <ConfigTransfer role={org?.role} />
        </Card>
      </div>
    </>
  );
}
