import { createHmac, randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import type { Schema } from '@/lib/api/client';
import { MEDIA_USE, shot } from './support';

/**
 * The session page names what went wrong in plain words, with the fix and a "copy details" for
 * a bug report: LiveKit unreachable (nothing listens at the URL), and the agent worker not
 * running (a real LiveKit room that no agent is dispatched to, so the agent never joins).
 */
test.use(MEDIA_USE);
test.setTimeout(120_000);

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A LiveKit participant token for `room` without an agent dispatch (HS256, as LiveKit signs). */
function tokenWithoutAgent(room: string): string {
  const key = process.env.LIVEKIT_API_KEY;
  const secret = process.env.LIVEKIT_API_SECRET;
  if (!key || !secret) throw new Error('LIVEKIT_API_KEY / LIVEKIT_API_SECRET are not set');
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      iss: key,
      sub: `user-${room}`,
      nbf: now - 10,
      exp: now + 600,
      video: { room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true },
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

/** Opens `/s/<id>` as the embed page would, with the start response stored for the tab. */
async function openSession(page: Page, livekitUrl: string, token: string): Promise<string> {
  const sessionId = randomUUID();
  const room = `problem-${sessionId}`;
  await page.route('**/api/v1/sessions', (route) =>
    route.fulfill({
      json: {
        session: {
          id: sessionId,
          organization_id: randomUUID(),
          template_id: null,
          room_name: room,
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
          room_name: room,
          livekit_url: livekitUrl,
          participant_token: token,
          participant_identity: `user-${room}`,
          token_expires_at: new Date(Date.now() + 600_000).toISOString(),
        },
        modality_profile: 'audio',
        enabled_panels: [],
        recording: { enabled: false, consent_text: '' },
      } satisfies Schema<'SessionStartResponse'>,
    }),
  );
  await page.goto('/embed/demo');
  await page.getByTestId('start-session').click();
  await expect(page).toHaveURL(new RegExp(`/s/${sessionId}$`), { timeout: 30_000 });
  return sessionId;
}

async function copiedDetails(page: Page): Promise<string> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('copy-details').click();
  await expect(page.getByTestId('copy-details')).toHaveText('Details copied');
  return page.evaluate(() => navigator.clipboard.readText());
}

test('LiveKit unreachable: the reason, the fix and copy details', async ({ page }, testInfo) => {
  const sessionId = await openSession(page, 'ws://127.0.0.1:9', 'not-a-real-token');
  const problem = page.getByTestId('session-problem');
  await expect(problem).toBeVisible({ timeout: 30_000 });
  await expect(problem.locator('[data-problem]')).toHaveAttribute('data-problem', 'network');
  await expect(problem).toContainText('conversation server');
  await expect(page.getByTestId('problem-fix')).toContainText('LiveKit is running');
  const details = await copiedDetails(page);
  expect(details).toContain('Troupe session problem: network');
  expect(details).toContain(`Session: ${sessionId}`);
  expect(details).toMatch(/Time: \d{4}-\d{2}-\d{2}T/);
  expect(details).toContain('User agent: Mozilla/5.0');
  await shot(page, testInfo, 'session-problem-livekit-unreachable');
});

test('agent worker not running: joined, waiting for the agent, then the reason and the fix', async ({
  page,
}, testInfo) => {
  const livekitUrl = process.env.LIVEKIT_URL;
  if (!livekitUrl) throw new Error('LIVEKIT_URL is not set: run through make test or stack.sh');
  const sessionId = await openSession(
    page,
    livekitUrl,
    tokenWithoutAgent(`problem-${randomUUID()}`),
  );
  await expect(page.getByTestId('session-phase')).toHaveAttribute(
    'data-phase',
    'waiting-for-agent',
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('session-phase')).toHaveText('Waiting for the agent to join…');
  await shot(page, testInfo, 'session-waiting-for-agent', { idleTimeoutMs: 2_000 });
  const problem = page.getByTestId('session-problem');
  await expect(problem).toBeVisible({ timeout: 40_000 });
  await expect(problem.locator('[data-problem]')).toHaveAttribute(
    'data-problem',
    'agent-unavailable',
  );
  await expect(page.getByTestId('problem-fix')).toContainText('agent worker is running');
  expect(await copiedDetails(page)).toContain(`Session: ${sessionId}`);
  await shot(page, testInfo, 'session-problem-agent-not-running');
});
