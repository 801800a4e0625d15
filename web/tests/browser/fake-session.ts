import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { Schema } from '@/lib/api/client';

/**
 * A session page without a real SFU: the page is handed the stack's LiveKit URL (the one the
 * web app's CSP `connect-src` allows) and its WebSocket is taken over by Playwright and never
 * answered, which keeps the page in its connecting state long enough to check the session
 * layout; `POST /sessions` is answered by hand (typed against the generated API types, so the
 * answer cannot drift from what the API sends).
 */
export function fakeLiveKit(): { url: () => string } {
  const url = process.env.LIVEKIT_URL ?? 'ws://127.0.0.1:7880';
  return { url: () => url };
}

/** `POST /sessions`' answer for a session whose room is at `livekitUrl`. */
export function sessionStart(
  livekitUrl: string,
  modality_profile: Schema<'ModalityProfile'> = 'audio',
): Schema<'SessionStartResponse'> {
  const sessionId = '0f4b8f0e-2d1c-4a57-9a3e-5c6d7e8f9a0b';
  return {
    session: {
      id: sessionId,
      organization_id: '1d7a2f1e-5a3b-4c6d-8e9f-0a1b2c3d4e5f',
      template_id: null,
      room_name: 'room-1',
      status: 'created',
      end_user_id: null,
      created_at: new Date().toISOString(),
      started_at: null,
      ended_at: null,
      duration_seconds: null,
      close_reason: null,
    },
    connection: {
      session_id: sessionId,
      room_name: 'room-1',
      livekit_url: livekitUrl,
      participant_token: 'token',
      participant_identity: 'user-test',
      token_expires_at: new Date(Date.now() + 600_000).toISOString(),
    },
    modality_profile,
    enabled_panels: [],
    recording: { enabled: false, consent_text: '' },
  };
}

/** Opens the demo embed page and starts a session that connects to `livekitUrl`. */
export async function startSession(
  page: Page,
  livekitUrl: string,
  modality_profile: Schema<'ModalityProfile'> = 'audio',
) {
  await page.route('**/api/v1/sessions', (route) =>
    route.fulfill({ json: sessionStart(livekitUrl, modality_profile) }),
  );
  // The signal connection never reaches a server and no join answer ever comes.
  await page.routeWebSocket(
    (url) => url.href.startsWith(livekitUrl),
    () => undefined,
  );
  await page.goto('/embed/demo');
  await page.getByTestId('start-session').click();
  // generous: a server under load (or `next dev` compiling the page) may take a while
  await expect(page.getByTestId('session-root')).toBeVisible({ timeout: 30_000 });
}

/** A full-page screenshot into test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}
