import path from 'node:path';
import { chromium, expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { CHROMIUM_PATH, MEDIA_CHROMIUM_ARGS, piperSpeechWav, register, REPO_ROOT } from './support';

/**
 * Knowledge bases, whole system, through the dashboard: a new organization signs up, creates a
 * knowledge base and uploads a Markdown file in /dashboard/knowledge, waits until the job
 * worker has embedded it, attaches it to a new agent in the agent form, puts the agent in an
 * agent set and a template, and talks to it by voice ("Test this template": Chromium's fake
 * microphone plays a Piper-rendered question). The agent's scripted LLM
 * (tests/e2e/scripts/handoff.json, agent `test_knowledge_ui`) calls `search_knowledge` and says
 * the best chunk it got back, so the answer in the transcript comes from the document. Another
 * organization cannot reach that knowledge base nor find the document.
 */
test.setTimeout(480_000);

const ROOT = REPO_ROOT;
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const QUESTION = 'What discount does the Zephyr loyalty card give?';
const FACT = 'fourteen percent';
const DOCUMENT = `# Zephyr loyalty card

Members who show the Zephyr loyalty card get a ${FACT} discount on every Tuesday order,
and free delivery on orders above sixty euros.
`;
const AGENT_SLUG = 'test_knowledge_ui'; // its scripted turns: tests/e2e/scripts/handoff.json

async function shot(page: Page, name: string) {
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
  // From the top: a full-page shot of a scrolled page repeats the sticky header.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Another organization, signed up through the API; its admin's bearer header. */
async function otherOrganization(request: APIRequestContext): Promise<Record<string, string>> {
  const r = await request.post('/api/v1/auth/register', {
    data: {
      email: `kb-other-${Date.now().toString(36)}@example.com`,
      password: 'correct-horse-battery-9',
      organization_name: 'Other knowledge',
      delivery: 'body',
    },
  });
  expect(r.status(), await r.text()).toBe(201);
  return { Authorization: `Bearer ${(await r.json()).access_token}` };
}

test('knowledge in the dashboard: upload, embed, attach to an agent, ask it by voice; another organization finds nothing', async ({
  baseURL,
  request,
}) => {
  const wav = piperSpeechWav('knowledge', QUESTION, { leadS: 6.0, tailS: 20.0 });
  let baseId = '';
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...MEDIA_CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`],
  });
  try {
    const context = await browser.newContext({
      baseURL,
      permissions: ['microphone'],
      viewport: { width: 1366, height: 900 },
    });
    const page = await context.newPage();
    const run = Date.now().toString(36);
    await register(page, {
      name: 'Kim Knowledge',
      org: `Knowledge ${run}`,
      email: `kb-ui-${run}@example.com`,
    });

    // A knowledge base on the offline model (the default), then one Markdown file.
    await page.goto('/dashboard/knowledge');
    await page.getByTestId('kb-name').fill('Zephyr handbook');
    await expect(page.getByTestId('kb-embedding-provider')).toHaveValue('local');
    await page.getByTestId('kb-create').click();
    const row = page.getByTestId('kb-row').filter({ hasText: 'Zephyr handbook' });
    await expect(row.getByTestId('kb-model')).toHaveText(/all-MiniLM-L6-v2/);
    await row.getByRole('link', { name: 'Zephyr handbook' }).click();
    await expect(page).toHaveURL(/\/dashboard\/knowledge\/[0-9a-f-]{36}$/);
    baseId = page.url().split('/').pop()!;
    await page.getByTestId('kb-upload').setInputFiles({
      name: 'zephyr-card.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(DOCUMENT),
    });
    await expect(page.getByTestId('kb-upload-row')).toContainText('uploaded', {
      timeout: 30_000,
    });
    const doc = page.getByTestId('kb-document-row').filter({ hasText: 'zephyr-card.md' });
    // The page polls while the job works: queued → parsed → chunked → embedded.
    await expect(doc.getByTestId('kb-document-status')).toHaveText('embedded', {
      timeout: 120_000,
    });
    await doc.getByRole('button', { name: 'Preview chunks' }).click();
    await expect(page.getByTestId('kb-chunk').first()).toContainText(FACT);
    await page.getByTestId('kb-test-query').fill('Zephyr card discount');
    await page.getByTestId('kb-test-submit').click();
    await expect(page.getByTestId('kb-test-results')).toContainText(FACT);
    await shot(page, 'knowledge-ui-embedded');

    // An agent that searches it, made in the agent form.
    await page.goto('/dashboard/agents/new');
    await page.getByLabel('Name', { exact: true }).fill('Knowledge agent');
    await page.getByLabel('Slug').fill(AGENT_SLUG);
    await page
      .getByLabel('System prompt (Markdown)')
      .fill('Answer questions about the Zephyr loyalty card from the documents.');
    await page.getByLabel('Greeting').fill('Hello, I can answer questions about the loyalty card.');
    await page.getByLabel('Speech-to-text').selectOption('local/whisper-tiny');
    await page.getByLabel('Language model').selectOption('fake/scripted');
    await page.getByLabel('Text-to-speech').selectOption('local/piper-joe');
    await page.getByLabel('Zephyr handbook').check();
    await expect(page.getByLabel('Automatic retrieval (tokens per reply, 0 = off)')).toBeVisible();
    await shot(page, 'knowledge-ui-agent-form');
    await page.getByTestId('save-agent').click();
    await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}/);
    await expect(page.getByLabel('Zephyr handbook')).toBeChecked();

    // Its agent set and template.
    await page.goto('/dashboard/topology');
    await page.getByTestId('new-agent-set').click();
    await page.getByLabel('Set name').fill('Knowledge line');
    const form = page.getByTestId('agent-set-form');
    await form.getByLabel('Knowledge agent').check();
    await form.getByLabel('Starts with').selectOption(AGENT_SLUG);
    await page.getByTestId('save-agent-set').click();
    await expect(page.getByTestId(`topology-node-${AGENT_SLUG}`)).toBeVisible();
    await page.goto('/dashboard/templates/new');
    await page.getByLabel('Name', { exact: true }).fill('Knowledge hotline');
    await page.getByLabel('Agent set').selectOption({ label: 'Knowledge line' });
    await page.getByTestId('save-template').click();
    await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}/);

    // Talk to it: the fake microphone asks the question after six seconds of silence.
    const [session] = await Promise.all([
      context.waitForEvent('page'),
      page.getByTestId('test-template').click(),
    ]);
    await expect(session).toHaveURL(/\/s\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const agentLines = session.locator('[data-testid="transcript-entry"][data-role="agent"]');
    const userLines = session.locator('[data-testid="transcript-entry"][data-role="user"]');
    await expect(agentLines.first()).toBeVisible({ timeout: 90_000 });
    await expect(userLines.filter({ hasText: /loyalty|discount/i }).first()).toBeVisible({
      timeout: 120_000,
    });
    const answer = agentLines.filter({ hasText: 'From the handbook' });
    await expect(answer).toContainText(FACT, { timeout: 120_000 });
    await expect(answer).toContainText('Tuesday');
    // End only once the answer has been spoken to the end.
    await expect(session.getByTestId('agent-state')).toHaveText('listening', { timeout: 90_000 });
    await shot(session, 'knowledge-ui-voice-answer');
    await session.getByTestId('end-session').click();
    await session.getByTestId('confirm-end').click();
    await expect(session.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });
  } finally {
    await browser.close();
  }

  // Another organization can neither open that knowledge base nor find the document.
  const other = await otherOrganization(request);
  const get = await request.get(`/api/v1/knowledge-bases/${baseId}`, { headers: other });
  expect(get.status()).toBe(404);
  const query = await request.post(`/api/v1/knowledge-bases/${baseId}/query`, {
    headers: other,
    data: { query: 'Zephyr loyalty card discount' },
  });
  expect(query.status()).toBe(404);
  expect((await query.json()).error.code).toBe('knowledge_base_not_found');
  const own = await request.post('/api/v1/knowledge-bases', {
    headers: other,
    data: { name: 'Handbook' },
  });
  expect(own.status(), await own.text()).toBe(201);
  const search = await request.post(`/api/v1/knowledge-bases/${(await own.json()).id}/query`, {
    headers: other,
    data: { query: 'Zephyr loyalty card discount' },
  });
  expect(search.status()).toBe(200);
  expect((await search.json()).items).toEqual([]);
});
