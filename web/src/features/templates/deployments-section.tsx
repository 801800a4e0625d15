'use client';

import { useState } from 'react';
import {
  Badge,
  Card,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Loading,
  TextField,
  dash,
} from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { ApiError } from '@/lib/api/api-error';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Deployment = Schema<'DeploymentRead'>;

/** Origins typed as a comma/space/newline separated list, trimmed, without duplicates. */
export function parseOrigins(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    ),
  ];
}

/** The API's bound for a deployment's concurrent-session cap. */
export const MAX_SESSION_CAP = 100_000;

/** A typed concurrent-session cap: empty means no cap of its own (the plan's limits only),
 *  otherwise a whole number from 1 to MAX_SESSION_CAP; `error` says what is wrong. */
export function parseSessionCap(text: string): { cap: number | null } | { error: string } {
  const value = text.trim();
  if (!value) return { cap: null };
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SESSION_CAP) {
    return {
      error: `A whole number from 1 to ${MAX_SESSION_CAP.toLocaleString('en-US')}, or empty for no cap`,
    };
  }
  return { cap: Number(value) };
}

const CAP_HINT = "Sessions of this deployment open at once; empty: only the plan's limits.";

function capText(cap: number | null): string {
  return cap === null ? 'no cap (plan limits)' : String(cap);
}

function deploymentLinks(d: Deployment, origin: string) {
  const embedUrl = d.embed_url || `${origin}/embed/${encodeURIComponent(d.embed_key)}`;
  const standaloneUrl = d.standalone_url || embedUrl;
  const snippet =
    d.embed_snippet ||
    `<iframe src="${embedUrl}" allow="microphone; camera; display-capture; autoplay" style="width:100%;height:640px;border:0"></iframe>`;
  return { embedUrl, standaloneUrl, snippet };
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      variant="secondary"
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

export function DeploymentsSection({ templateId }: { templateId: string }) {
  const path = `/session-templates/${templateId}/deployments`;
  const list = useApi<Schema<'DeploymentList'>>(path);
  const [origins, setOrigins] = useState('');
  const [capInput, setCapInput] = useState('');
  const [error, setError] = useState<unknown>(null);
  const newCap = parseSessionCap(capInput);
  const missing =
    list.error instanceof ApiError && (list.error.status === 404 || list.error.status === 405);
  const items = list.data?.items ?? [];
  const origin = typeof window === 'undefined' ? '' : window.location.origin;

  async function create() {
    if ('error' in newCap) return;
    setError(null);
    try {
      await api(path, {
        method: 'POST',
        json: {
          name: 'Website',
          allowed_origins: parseOrigins(origins),
          max_concurrent_sessions: newCap.cap,
        },
      });
      setOrigins('');
      setCapInput('');
      list.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Card title="Deployment" testId="deployments">
      {missing ? (
        <EmptyState
          testId="deployments-unavailable"
          title="Deployments are not available on this server yet"
          body="Once the API offers deployments you can publish this template here and copy its embed snippet."
        />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : (
        <div className={dash.stack}>
          <ErrorBanner error={error ?? list.error} />
          {items.map((d) => {
            const links = deploymentLinks(d, origin);
            return (
              <div key={d.id} className={dash.stack} style={{ gap: 8 }} data-testid="deployment">
                <DeploymentControls
                  deployment={d}
                  path={`${path}/${d.id}`}
                  onChanged={list.reload}
                  onError={setError}
                />
                <LinkRow label="Embed URL" value={links.embedUrl} />
                <LinkRow label="Standalone URL" value={links.standaloneUrl} />
                <div className={dash.row} style={{ alignItems: 'flex-start', flexWrap: 'nowrap' }}>
                  <pre
                    className={dash.pre}
                    style={{ flex: 1, margin: 0 }}
                    data-testid="embed-snippet"
                  >
                    {links.snippet}
                  </pre>
                  <CopyButton text={links.snippet} />
                </div>
                <p className={dash.hint} data-testid="embed-variables-help">
                  Session variables: add <code>?var.customer_name=Sam</code> to the embed URL
                  (text), or <code>?vars={'{"seats":3}'}</code> (a JSON object, typed values); they
                  are checked against this template&apos;s declared variables.
                </p>
              </div>
            );
          })}
          <div className={dash.row} style={{ alignItems: 'flex-end' }}>
            <div style={{ flex: 1, minWidth: 240 }}>
              <TextField
                label={items.length ? 'Add another deployment: allowed origins' : 'Allowed origins'}
                placeholder="https://www.example.com, https://app.example.com"
                value={origins}
                onChange={(e) => setOrigins(e.target.value)}
              />
            </div>
            <div style={{ width: 220 }}>
              <TextField
                label="Max concurrent sessions"
                inputMode="numeric"
                placeholder="no cap"
                hint={CAP_HINT}
                value={capInput}
                error={'error' in newCap ? newCap.error : undefined}
                onChange={(e) => setCapInput(e.target.value)}
                data-testid="create-deployment-cap"
              />
            </div>
            <Button
              onClick={() => void create()}
              disabled={'error' in newCap}
              data-testid="create-deployment"
            >
              Publish
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}

function LinkRow({ label, value }: { label: string; value: string }) {
  return (
    <div className={dash.row}>
      <span className={dash.label} style={{ width: 120 }}>
        {label}
      </span>
      <a href={value} target="_blank" rel="noreferrer" className={dash.mono}>
        {value}
      </a>
      <CopyButton text={value} />
    </div>
  );
}

type Pending = 'rotate' | 'delete' | null;

/** Enable/disable, edit allowed origins, rotate the embed key, delete: one deployment. */
export function DeploymentControls({
  deployment: d,
  path,
  onChanged,
  onError,
}: {
  deployment: Deployment;
  path: string;
  onChanged: () => void;
  onError: (error: unknown) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [originsText, setOriginsText] = useState(d.allowed_origins.join(', '));
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [editingCap, setEditingCap] = useState(false);
  const [capInput, setCapInput] = useState(d.max_concurrent_sessions?.toString() ?? '');
  const cap = parseSessionCap(capInput);

  async function run(request: () => Promise<unknown>) {
    setBusy(true);
    onError(null);
    try {
      await request();
      onChanged();
      return true;
    } catch (e) {
      onError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function saveOrigins() {
    const ok = await run(() =>
      api(path, { method: 'PATCH', json: { allowed_origins: parseOrigins(originsText) } }),
    );
    if (ok) setEditing(false);
  }

  async function saveCap() {
    if ('error' in cap) return;
    // The update takes 0 to remove the cap (null there means "leave it unchanged").
    const ok = await run(() =>
      api(path, { method: 'PATCH', json: { max_concurrent_sessions: cap.cap ?? 0 } }),
    );
    if (ok) setEditingCap(false);
  }

  async function confirmPending() {
    const which = pending;
    await run(() =>
      which === 'rotate'
        ? api(`${path}/rotate-key`, { method: 'POST' })
        : api(path, { method: 'DELETE' }),
    );
    setPending(null);
  }

  return (
    <div className={dash.stack} style={{ gap: 8 }}>
      <span className={dash.row}>
        <strong>{d.name}</strong>
        <Badge tone={d.enabled ? 'success' : 'danger'}>{d.enabled ? 'live' : 'disabled'}</Badge>
        <Button
          size="sm"
          variant="ghost"
          disabled={busy}
          onClick={() =>
            void run(() => api(path, { method: 'PATCH', json: { enabled: !d.enabled } }))
          }
        >
          {d.enabled ? 'Disable' : 'Enable'}
        </Button>
        <Button size="sm" variant="ghost" disabled={busy} onClick={() => setPending('rotate')}>
          Rotate key
        </Button>
        <Button size="sm" variant="ghost" disabled={busy} onClick={() => setPending('delete')}>
          Delete
        </Button>
      </span>
      {editing ? (
        <div className={dash.row} style={{ alignItems: 'flex-end' }}>
          <div style={{ flex: 1, minWidth: 240 }}>
            <TextField
              label="Allowed origins"
              hint="Comma-separated, e.g. https://www.example.com"
              value={originsText}
              onChange={(e) => setOriginsText(e.target.value)}
            />
          </div>
          <Button size="sm" disabled={busy} onClick={() => void saveOrigins()}>
            Save origins
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setOriginsText(d.allowed_origins.join(', '));
              setEditing(false);
            }}
          >
            Cancel
          </Button>
        </div>
      ) : (
        <span className={dash.row}>
          <span className={dash.muted} data-testid="deployment-origins">
            Allowed origins: {d.allowed_origins.join(', ') || 'none'}
          </span>
          <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
            Edit origins
          </Button>
        </span>
      )}
      {editingCap ? (
        <div className={dash.row} style={{ alignItems: 'flex-end' }}>
          <div style={{ width: 260 }}>
            <TextField
              label="Max concurrent sessions"
              inputMode="numeric"
              placeholder="no cap"
              hint={CAP_HINT}
              value={capInput}
              error={'error' in cap ? cap.error : undefined}
              onChange={(e) => setCapInput(e.target.value)}
              data-testid="deployment-cap-input"
            />
          </div>
          <Button size="sm" disabled={busy || 'error' in cap} onClick={() => void saveCap()}>
            Save limit
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setCapInput(d.max_concurrent_sessions?.toString() ?? '');
              setEditingCap(false);
            }}
          >
            Cancel
          </Button>
        </div>
      ) : (
        <span className={dash.row}>
          <span className={dash.muted} data-testid="deployment-cap">
            Max concurrent sessions: {capText(d.max_concurrent_sessions)}
          </span>
          <Button size="sm" variant="ghost" onClick={() => setEditingCap(true)}>
            Edit limit
          </Button>
        </span>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={pending === 'rotate' ? 'Rotate the embed key?' : 'Delete this deployment?'}
        body={
          pending === 'rotate'
            ? 'A new key replaces the current one. Pages that embed the old snippet stop working until you paste the new one.'
            : 'Its embed key stops working at once. Sessions that already ran stay in the history.'
        }
        confirmLabel={pending === 'rotate' ? 'Rotate key' : 'Delete'}
        busy={busy}
        onConfirm={() => void confirmPending()}
        onCancel={() => setPending(null)}
      />
    </div>
  );
}
