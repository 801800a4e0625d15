import type {
  RecordingNotice,
  SessionConnection,
  SessionRead,
  SessionStartResponse,
  TokenMetadata,
} from '@/contracts';
import { apiFetch } from '@/lib/api/api-fetch';
import { SESSIONS_PATH } from '@/lib/api/sessions';

/**
 * The embed page's join mode: the customer's backend started the session
 * (`POST /api/v1/sessions/server-start` with its API key) and sent the visitor to
 * `<embed_url>#session=<session_id>&token=<participant_token>`. The fragment never reaches a
 * server or a log; the page takes it out of the address bar at once. No embed key starts
 * anything in the browser: the token is the credential.
 */
export interface JoinDetails {
  sessionId: string;
  token: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The join details of a `#session=…&token=…` fragment, or null when it has none (or they
 *  are malformed). */
export function parseJoinFragment(hash: string): JoinDetails | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const sessionId = params.get('session') ?? '';
  const token = params.get('token') ?? '';
  if (!UUID.test(sessionId) || token.length > 8192 || !JWT.test(token)) return null;
  return { sessionId, token };
}

/** The TokenMetadata the API put in a participant token (already verified by the API that
 *  issued it; read here only for the session's modality and panels). */
export function tokenMetadata(token: string): TokenMetadata {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as { metadata?: string };
  if (!claims.metadata) throw new Error('the participant token carries no session metadata');
  return JSON.parse(claims.metadata) as TokenMetadata;
}

/**
 * What the session page needs, from the API alone: a fresh connection (the token refresh,
 * checked against this page's embed key, so a link cannot put one deployment's page in front
 * of another deployment's session; the LiveKit URL is the API's, never the link's), the
 * session, and the deployment's recording notice.
 */
export async function joinServerStartedSession(
  embedKey: string,
  { sessionId, token }: JoinDetails,
): Promise<SessionStartResponse> {
  const base = `${SESSIONS_PATH}/${encodeURIComponent(sessionId)}`;
  const connection = await apiFetch<SessionConnection>(
    `${base}/token?embed_key=${encodeURIComponent(embedKey)}`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  const auth = { authorization: `Bearer ${connection.participant_token}` };
  const [session, info] = await Promise.all([
    apiFetch<SessionRead>(base, { headers: auth }),
    apiFetch<{ recording?: RecordingNotice }>(`/api/v1/embed/${encodeURIComponent(embedKey)}`),
  ]);
  const metadata = tokenMetadata(connection.participant_token);
  return {
    session,
    connection,
    modality_profile: metadata.modality_profile,
    enabled_panels: metadata.enabled_panels,
    recording: info.recording ?? { enabled: false, consent_text: '' },
  };
}
