import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type APIRequestContext } from '@playwright/test';
import { apiBearer, CHROMIUM_PATH, demo, MEDIA_CHROMIUM_ARGS, shot } from './support';

/**
 * Why the server ended a conversation, whole system: a copy of the seeded scripted handoff
 * template with the shortest silence limit (`idle_timeout_s: 10`) gets its own deployment;
 * Chromium joins it through /embed/<key> with a fake microphone that plays silence and says
 * nothing. The agent's idle handling (agent/src/troupe_agent/lifecycle.py: the user goes
 * "away" after 10 s, the agent checks in once, 30 s later it says goodbye and ends with
 * reason `idle`) closes the room, and the ended page says why: "…after a long silence.", with
 * the raw reason in `data-reason`. The API reports the same `close_reason`.
 */
test.setTimeout(300_000);

const IDLE_TIMEOUT_S = 10; // the minimum (contracts SessionConfig.idle_timeout_s)
const IDLE_WORDS = 'The conversation ended after a long silence.';
const IDLE_GOODBYE = 'It seems you have stepped away'; // lifecycle.IDLE_GOODBYE

/** Ten seconds of digital silence (16-bit mono 48 kHz WAV): Chromium loops it as the mic. */
function silentWav(): string {
  const rate = 48_000;
  const samples = rate * 10;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  const dir = path.join(os.tmpdir(), `troupe-silence-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'silence.wav');
  writeFileSync(file, Buffer.concat([header, Buffer.alloc(samples * 2)]));
  return file;
}

/** A new template like the seeded handoff one (same agents, scripted LLM) that ends after
 * 10 s of silence, and a deployment of it for `origin`; returns the embed key. The seeded
 * template itself is left as it is (other specs use it). */
async function idleEmbedKey(
  request: APIRequestContext,
  headers: Record<string, string>,
  origin: string,
): Promise<string> {
  const seeded = await request.get(`/api/v1/session-templates/${demo().handoff_template_id}`, {
    headers,
  });
  expect(seeded.status(), await seeded.text()).toBe(200);
  const base = await seeded.json();
  const run = Date.now().toString(36);
  const created = await request.post('/api/v1/session-templates', {
    headers,
    data: {
      name: `Idle close ${run}`,
      agent_set_id: base.agent_set_id,
      initial_agent: base.initial_agent,
      modality_profile: 'audio',
      enabled_panels: [],
      idle_timeout_s: IDLE_TIMEOUT_S,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const template = await created.json();
  expect(template.idle_timeout_s).toBe(IDLE_TIMEOUT_S);
  const deployment = await request.post(`/api/v1/session-templates/${template.id}/deployments`, {
    headers,
    data: { name: `idle ${run}`, allowed_origins: [origin] },
  });
  expect(deployment.status(), await deployment.text()).toBe(201);
  return (await deployment.json()).embed_key as string;
}

test('a session the agent ends after a long silence says so on the ended page', async ({
  request,
  baseURL,
}, testInfo) => {
  const headers = await apiBearer(request, demo().email);
  const embedKey = await idleEmbedKey(request, headers, new URL(baseURL!).origin);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...MEDIA_CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${silentWav()}`],
  });
  try {
    const context = await browser.newContext({
      baseURL,
      permissions: ['microphone'],
      viewport: { width: 1366, height: 900 },
    });
    const page = await context.newPage();
    // Every transcript line's last text, kept after the live view is replaced by the ended one.
    await page.addInitScript(() => {
      const lines = new Map<Element, string>();
      (window as unknown as { transcript: () => string[] }).transcript = () =>
        [...lines.entries()].map(([el, text]) => `${el.getAttribute('data-role')}: ${text}`);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="transcript-entry"]')) {
          lines.set(el, el.textContent ?? '');
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`/embed/${encodeURIComponent(embedKey)}`);
    await page.getByTestId('start-session').click();
    await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const sessionId = page.url().split('/').pop()!;
    await expect(page.getByTestId('connection-state')).toHaveText('connected', {
      timeout: 30_000,
    });
    // The greeting, spoken to the end; then the user says nothing.
    await expect(
      page.locator('[data-testid="transcript-entry"][data-role="agent"]').first(),
    ).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('agent-state')).toHaveText('listening', { timeout: 60_000 });

    // 10 s of silence, a check-in, 30 s more, the goodbye: the server closes the room.
    const ended = page.getByTestId('session-ended');
    await expect(ended).toBeVisible({ timeout: 150_000 });
    const reason = page.getByTestId('session-ended-reason');
    await expect(reason).toHaveAttribute('data-reason', 'idle', { timeout: 15_000 });
    await expect(reason).toHaveText(IDLE_WORDS);
    await expect(ended).toContainText('Conversation ended');
    await expect(ended.getByRole('link', { name: 'Start a new conversation' })).toHaveAttribute(
      'href',
      `/embed/${encodeURIComponent(embedKey)}`,
    );
    await shot(page, testInfo, 'session-ended-idle');

    const transcript = await page.evaluate(() =>
      (window as unknown as { transcript: () => string[] }).transcript(),
    );
    expect(
      transcript.filter((line) => line.startsWith('user:')),
      transcript.join('\n'),
    ).toEqual([]);
    expect(
      transcript.some((line) => line.includes(IDLE_GOODBYE)),
      transcript.join('\n'),
    ).toBe(true);

    // The dashboard's view of the same session.
    const read = await request.get(`/api/v1/sessions/${sessionId}`, { headers });
    expect(read.status(), await read.text()).toBe(200);
    const session = await read.json();
    expect(session.close_reason).toBe('idle');
    expect(session.status).toBe('completed');
  } finally {
    await browser.close();
  }
});
