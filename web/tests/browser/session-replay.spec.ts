import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, expect, test, type APIRequestContext, type Page } from '@playwright/test';
import {
  apiBearer,
  CHROMIUM_PATH,
  demo,
  login,
  MEDIA_CHROMIUM_ARGS,
  piperSpeechWav,
  REPO_ROOT,
  type Demo,
} from './support';

/**
 * A recorded session replayed in the dashboard, on the real stack: a template with recording on
 * (the seeded handoff agents), a real conversation in Chromium with a fake microphone speaking a
 * Piper sentence, the runtime's recording upload, then the replay page: play moves the playhead
 * and the highlighted turn follows it; clicking a turn seeks there.
 */
test.setTimeout(300_000);

const ROOT = REPO_ROOT;
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const CONSENT = 'This call is recorded so we can review the handoff.';

/**
 * What the seeded front desk's handoff should show: the topic the scripted LLM passes on its
 * accepted transfer (tests/e2e/scripts/handoff.json) and the rejection rule's message (the
 * agent as the API stores it).
 */
async function seededHandoff(
  request: APIRequestContext,
  headers: Record<string, string>,
): Promise<{ topic: string; message: string }> {
  const script = JSON.parse(
    readFileSync(path.join(ROOT, 'tests', 'e2e', 'scripts', 'handoff.json'), 'utf8'),
  ) as {
    agents: Record<string, { tool_calls?: { name: string; arguments: { topic?: string } }[] }[]>;
  };
  const topics = script.agents.test_front!.flatMap((turn) =>
    (turn.tool_calls ?? [])
      .filter((c) => c.name === 'transfer_to_test_expert')
      .map((c) => c.arguments.topic),
  );
  const agents = await request.get('/api/v1/agents', { headers });
  expect(agents.status()).toBe(200);
  const front = ((await agents.json()).items as { slug: string; handoffs: unknown[] }[]).find(
    (a) => a.slug === 'test_front',
  ) as { handoffs: { agent: string; reject_when: { message: string } | null }[] } | undefined;
  const rule = front?.handoffs.find((h) => h.agent === 'test_expert')?.reject_when;
  expect(rule, 'the seeded front desk refuses a transfer without a topic').toBeTruthy();
  // The script's last transfer is the one the rule lets through.
  return { topic: topics[topics.length - 1]!, message: rule!.message };
}

async function recordedEmbedKey(
  request: APIRequestContext,
  headers: Record<string, string>,
  d: Demo,
  origin: string,
): Promise<string> {
  const handoff = await request.get(`/api/v1/session-templates/${d.handoff_template_id}`, {
    headers,
  });
  expect(handoff.status()).toBe(200);
  const base = await handoff.json();
  const created = await request.post('/api/v1/session-templates', {
    headers,
    data: {
      name: `Recorded replay ${Date.now()}`,
      agent_set_id: base.agent_set_id,
      initial_agent: base.initial_agent,
      modality_profile: 'audio',
      enabled_panels: [],
      record_audio: true,
      recording_consent_text: CONSENT,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const deployment = await request.post(
    `/api/v1/session-templates/${(await created.json()).id}/deployments`,
    { headers, data: { name: `replay ${Date.now()}`, allowed_origins: [origin] } },
  );
  expect(deployment.status(), await deployment.text()).toBe(201);
  return (await deployment.json()).embed_key as string;
}

/** One real recorded conversation; returns its session id. */
async function recordConversation(baseURL: string, embedKey: string): Promise<string> {
  const wav = piperSpeechWav('replay', 'I need to talk to an expert please.', {
    leadS: 6.0,
    tailS: 8.0,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...MEDIA_CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`],
  });
  try {
    const context = await browser.newContext({ baseURL, permissions: ['microphone'] });
    const page = await context.newPage();
    await page.goto(`/embed/${embedKey}`);
    // The consent notice is shown before joining.
    await expect(page.getByTestId('recording-prejoin')).toContainText(CONSENT);
    await page.screenshot({ path: path.join(SHOTS, 'replay-consent-prejoin.png') });
    await page.getByTestId('start-session').click();
    await page.waitForURL(/\/s\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const sessionId = page.url().split('/').pop()!;
    await expect(page.getByTestId('recording-badge')).toBeVisible({ timeout: 30_000 });
    const agent = page.locator('[data-testid="transcript-entry"][data-role="agent"]');
    await expect(agent.first()).toBeVisible({ timeout: 90_000 });
    const user = page.locator('[data-testid="transcript-entry"][data-role="user"]');
    await expect(user.first()).toBeVisible({ timeout: 90_000 });
    await expect(agent.nth(1)).toBeVisible({ timeout: 90_000 });
    // End once the agent has finished speaking, so the last turn is recorded whole.
    await expect(page.getByTestId('agent-state')).toHaveText('listening', { timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, 'replay-recorded-call.png') });
    await page.getByTestId('end-session').click();
    await page.getByTestId('confirm-end').click();
    await expect(page.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });
    return sessionId;
  } finally {
    await browser.close();
  }
}

async function waitForRecordings(
  request: APIRequestContext,
  headers: Record<string, string>,
  sessionId: string,
) {
  await expect
    .poll(
      async () => {
        const r = await request.get(`/api/v1/sessions/${sessionId}/recordings`, { headers });
        return r.ok() ? ((await r.json()).items as unknown[]).length : -1;
      },
      { timeout: 120_000, intervals: [1000] },
    )
    .toBe(3);
}

/** In one DOM snapshot: the highlighted turn is the last one starting at or before the playhead. */
async function highlightMatchesPlayhead(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const head = document.querySelector('[data-testid="replay-playhead"]');
    const position = Number(head?.getAttribute('data-position-ms'));
    const turns = [...document.querySelectorAll('[data-testid="replay-turn"]')];
    const started = turns.filter((t) => Number(t.getAttribute('data-at-ms')) <= position);
    const expected = started[started.length - 1];
    const active = turns.filter((t) => t.getAttribute('data-active') === 'true');
    return active.length === 1 && active[0] === expected;
  });
}

async function playheadMs(page: Page): Promise<number> {
  return Number(await page.getByTestId('replay-playhead').getAttribute('data-position-ms'));
}

test('replay of a recorded session: play moves the playhead, the highlighted turn follows, a click seeks', async ({
  page,
  request,
  baseURL,
}) => {
  const d = demo();
  const headers = await apiBearer(request, d.email);
  const embedKey = await recordedEmbedKey(request, headers, d, new URL(baseURL!).origin);
  const sessionId = await recordConversation(baseURL!, embedKey);
  await waitForRecordings(request, headers, sessionId);

  await login(page, d.email);
  await page.goto(`/dashboard/sessions/${sessionId}`);
  const audio = page.getByTestId('replay-audio');
  await expect(audio).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(1);
  const turns = page.getByTestId('replay-turn');
  expect(await turns.count()).toBeGreaterThanOrEqual(3);
  await expect(
    page.getByTestId('replay-event').filter({ hasText: 'handoff' }).first(),
  ).toBeVisible();

  // The front desk's handoff shows its context plan, the variable the scripted LLM passed and
  // how the summary was made; the first transfer, which the seeded rejection rule refused, is
  // marked as refused with the rule's message.
  const { topic, message } = await seededHandoff(request, headers);
  const handoff = page.locator('[data-testid="replay-event"][data-handoff="accepted"]');
  await expect(handoff).toHaveCount(1);
  await expect(handoff).toContainText('test_front → test_expert');
  await expect(handoff.getByTestId('replay-handoff-plan')).toHaveText(
    'plan summary · extractive summary',
  );
  await expect(handoff.getByTestId('replay-handoff-variable')).toHaveText(
    `topic = ${JSON.stringify(topic)}`,
  );
  const refused = page.locator('[data-testid="replay-event"][data-handoff="refused"]');
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText('handoff refused');
  await expect(refused.getByTestId('replay-handoff-refused')).toHaveText(`Refused: ${message}`);
  await expect(refused.getByTestId('replay-handoff-variable')).toHaveText('topic = "unknown"');
  // The refusal comes before the handoff on the timeline.
  expect(Number(await refused.getAttribute('data-at-ms'))).toBeLessThanOrEqual(
    Number(await handoff.getAttribute('data-at-ms')),
  );
  await page.screenshot({ path: path.join(SHOTS, 'replay-before-play.png'), fullPage: true });

  // Clicking a turn seeks there and highlights it.
  const first = turns.first();
  const firstAt = Number(await first.getAttribute('data-at-ms'));
  await first.click();
  await expect(first).toHaveAttribute('data-active', 'true');
  expect(Math.abs((await playheadMs(page)) - Math.max(0, firstAt))).toBeLessThan(50);

  // Playing moves the playhead; once it has passed the next turn's start, that turn (or a later
  // one, whichever is being spoken) is highlighted instead of the first.
  const secondAt = Number(await turns.nth(1).getAttribute('data-at-ms'));
  await page.getByTestId('replay-play').click();
  await expect
    .poll(() => playheadMs(page), { timeout: 30_000 })
    .toBeGreaterThan(Math.max(firstAt, secondAt) + 300);
  await expect(first).not.toHaveAttribute('data-active', 'true');
  expect(await highlightMatchesPlayhead(page)).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'replay-playing.png'), fullPage: true });

  // Seeking to the last turn while playing: it is highlighted and playback goes on from there.
  const last = turns.last();
  const lastAt = Number(await last.getAttribute('data-at-ms'));
  await last.click();
  await expect(last).toHaveAttribute('data-active', 'true');
  // (the recording may end less than half a second after the last turn starts: then the end)
  const endMs = await audio.evaluate((a: HTMLAudioElement) => Math.floor(a.duration * 1000));
  await expect
    .poll(() => playheadMs(page), { timeout: 15_000 })
    .toBeGreaterThan(Math.min(lastAt + 500, endMs - 150));
  expect(await highlightMatchesPlayhead(page)).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'replay-playing-last-turn.png'), fullPage: true });

  await page.getByTestId('replay-play').click(); // pause
  await expect(page.getByTestId('latency-waterfall')).toBeVisible();

  // One time base, one turn count (issue 23): the user's line sits at the same time on the audio
  // strip and on the timeline; the summary counts the turns the strip lists; the greeting is a
  // labelled turn; the latency chart has a time axis; no analysis is an empty state, not a 404.
  const userTurn = page.locator('[data-testid="replay-turn"][data-role="user"]').first();
  const userLine = page
    .locator('[data-testid="session-timeline"] li')
    .filter({ has: page.locator('[data-testid="transcript-line"][data-role="user"]') })
    .first();
  await expect(userLine).toHaveAttribute(
    'data-at-ms',
    (await userTurn.getAttribute('data-at-ms'))!,
  );
  const spoken = page.locator('[data-testid="replay-turn"]:not([data-role="system"])');
  await expect(page.getByTestId('summary-turns')).toHaveText(String(await spoken.count()));
  await expect(turns.first()).toHaveAttribute('data-greeting', 'true');
  await expect(turns.first()).toContainText('Greeting');
  await expect(page.getByTestId('latency-axis')).toContainText('0 ms');
  await expect(page.getByTestId('analysis-empty')).toBeVisible();
  await page.getByTestId('latency-waterfall').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'replay-one-time-base.png'), fullPage: true });
});
