'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { AVATAR_MAX_BYTES, AVATAR_MIME_TYPES, AVATAR_SIZE_PX } from '@/contracts';
import { Card } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { ApiError, apiErrorFromResponse } from '@/lib/api/api-error';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  ORG_HEADER,
  getSelectedOrg,
  readCookie,
  refreshTokens,
  type Schema,
} from '@/lib/api/client';
import styles from './agent-avatar.module.css';

type Agent = Schema<'AgentRead'>;

const MAX_LABEL = `${Math.round(AVATAR_MAX_BYTES / 1024 / 1024)} MB`;

/** Why a picked file cannot be an avatar, checked before any upload (the API checks again,
 *  from the bytes); null when it may be sent. */
export function avatarFileProblem(file: Pick<File, 'type' | 'size'>): string | null {
  if (!(AVATAR_MIME_TYPES as readonly string[]).includes(file.type)) {
    return 'Choose a PNG, JPEG or WebP image.';
  }
  if (file.size > AVATAR_MAX_BYTES) return `The image is larger than ${MAX_LABEL}.`;
  if (file.size === 0) return 'The file is empty.';
  return null;
}

/** A friendlier sentence for the API's refusals of an upload. */
export function avatarErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'payload_too_large') return `The image is larger than ${MAX_LABEL}.`;
    if (error.code === 'avatar_invalid') {
      const reason = (error.details as { reason?: string } | undefined)?.reason;
      if (reason === 'dimensions') return 'The image must be 16 to 4096 pixels wide and high.';
      if (reason === 'undecodable') return 'The image could not be read: is the file damaged?';
      return 'The file is not a PNG, JPEG or WebP image.';
    }
    return error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

async function send(
  path: string,
  method: 'PUT' | 'DELETE',
  body: Blob | undefined,
  fetchImpl: typeof fetch,
): Promise<Agent> {
  const request = () => {
    const headers = new Headers({ accept: 'application/json' });
    if (body) headers.set('content-type', body.type || 'application/octet-stream');
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers.set(CSRF_HEADER, csrf);
    const org = getSelectedOrg();
    if (org) headers.set(ORG_HEADER, org);
    return fetchImpl(path, { method, credentials: 'same-origin', headers, body });
  };
  let response = await request();
  if (response.status === 401 && (await refreshTokens(fetchImpl))) response = await request();
  const parsed: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw apiErrorFromResponse(response.status, response.statusText, parsed);
  return parsed as Agent;
}

/** `PUT /agents/{id}/avatar` with the file's bytes as the body. */
export function uploadAvatar(
  agentId: string,
  file: Blob,
  fetchImpl: typeof fetch = fetch,
): Promise<Agent> {
  return send(`/api/v1/agents/${agentId}/avatar`, 'PUT', file, fetchImpl);
}

/** `DELETE /agents/{id}/avatar`. */
export function removeAvatar(agentId: string, fetchImpl: typeof fetch = fetch): Promise<Agent> {
  return send(`/api/v1/agents/${agentId}/avatar`, 'DELETE', undefined, fetchImpl);
}

/**
 * The agent's avatar on its page: pick an image (previewed before it is sent), upload it,
 * replace or remove it. Shown to end users as the speaking agent on the session page.
 */
export function AgentAvatarCard({
  agent,
  onChanged,
  fetchImpl = fetch,
}: {
  agent: Pick<Agent, 'id' | 'name' | 'avatar_url'>;
  onChanged: (agent: Agent) => void;
  fetchImpl?: typeof fetch;
}) {
  const inputId = useId();
  const input = useRef<HTMLInputElement | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // What this card saved last, until the page reloads the agent (then the prop says it).
  const fromProp = agent.avatar_url ?? null;
  const [saved, setSaved] = useState<{ over: string | null; url: string | null } | null>(null);
  const current = saved && saved.over === fromProp ? saved.url : fromProp;
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );

  function reset() {
    setFile(null);
    setPreview(null);
    if (input.current) input.current.value = '';
  }

  function pick(picked: File | undefined) {
    setError(null);
    if (!picked) return reset();
    const problem = avatarFileProblem(picked);
    if (problem) {
      reset();
      setError(problem);
      return;
    }
    setFile(picked);
    setPreview(URL.createObjectURL(picked));
  }

  async function run(action: () => Promise<Agent>) {
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      setSaved({ over: fromProp, url: result.avatar_url ?? null });
      reset();
      onChanged(result);
    } catch (e) {
      setError(avatarErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const shown = preview ?? current;
  const initial = agent.name.trim().charAt(0).toUpperCase() || 'A';
  return (
    <Card title="Avatar" testId="agent-avatar">
      <div className={styles.layout}>
        <div className={styles.frame} data-testid="avatar-frame">
          {shown ? (
            // eslint-disable-next-line @next/next/no-img-element -- a user image from the API, not a build asset
            <img
              className={styles.image}
              src={shown}
              alt={preview ? `New avatar for ${agent.name} (not saved yet)` : agent.name}
              data-testid={preview ? 'avatar-preview' : 'avatar-current'}
            />
          ) : (
            <span className={styles.initial} aria-hidden="true">
              {initial}
            </span>
          )}
        </div>
        <div className={styles.controls}>
          <label className={styles.pickLabel} htmlFor={inputId}>
            {current ? 'Replace the image' : 'Choose an image'}
          </label>
          <input
            ref={input}
            id={inputId}
            type="file"
            accept={AVATAR_MIME_TYPES.join(',')}
            onChange={(e) => pick(e.target.files?.[0])}
            disabled={busy}
            className={styles.fileInput}
            data-testid="avatar-input"
          />
          <span className={styles.hint}>
            PNG, JPEG or WebP up to {MAX_LABEL}, at least 16 px a side. Shown in a circle on the
            session page while this agent speaks (kept as a {AVATAR_SIZE_PX} px square, centre
            crop).
          </span>
          {error && (
            <span className={styles.error} role="alert" data-testid="avatar-error">
              {error}
            </span>
          )}
          <div className={styles.actions}>
            {file && (
              <>
                <Button
                  onClick={() => void run(() => uploadAvatar(agent.id, file, fetchImpl))}
                  disabled={busy}
                  data-testid="avatar-upload"
                >
                  {busy ? 'Uploading…' : current ? 'Save new avatar' : 'Upload avatar'}
                </Button>
                <Button variant="ghost" onClick={reset} disabled={busy}>
                  Cancel
                </Button>
              </>
            )}
            {!file && current && (
              <Button
                variant="secondary"
                onClick={() => void run(() => removeAvatar(agent.id, fetchImpl))}
                disabled={busy}
                data-testid="avatar-remove"
              >
                Remove avatar
              </Button>
            )}
          </div>
        </div>
      </div>
    </Card>
  );
}
