import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { MEDIA_USE, shot as pageShot } from './support';

/**
 * The customer journey against a real API (through the Next proxy) and, in `make test`, a real
 * agent worker. No mocks: if the API is not reachable through the proxy the test fails.
 */
test.use(MEDIA_USE);

test.setTimeout(300_000);

// Offline providers from the catalog (the same ones the seeded test agents run on).
const STT = 'local/whisper-tiny';
const LLM = 'fake/echo';
const TTS = 'local/piper-joe';

async function shot(page: Page, testInfo: TestInfo, name: string) {
  await pageShot(page, testInfo, `dashboard-${name}`);
}

async function createAgent(
  page: Page,
  agent: { name: string; slug: string; instructions: string; greeting: string; handoffTo?: string },
) {
  await page.goto('/dashboard/agents/new');
  await page.getByLabel('Name', { exact: true }).fill(agent.name);
  await page.getByLabel('Slug').fill(agent.slug);
  await page.getByLabel('System prompt (Markdown)').fill(agent.instructions);
  await page.getByLabel('Greeting').fill(agent.greeting);
  await page.getByLabel('Speech-to-text').selectOption(STT);
  await page.getByLabel('Language model').selectOption(LLM);
  await page.getByLabel('Text-to-speech').selectOption(TTS);
  if (agent.handoffTo) {
    await page.getByTestId('add-handoff').click();
    await page.getByLabel('Hand off to').selectOption(agent.handoffTo);
    await page.getByLabel('When to transfer').fill('The caller asks about an invoice');
  }
  await page.getByTestId('save-agent').click();
  await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}/);
  await expect(page.getByRole('heading', { level: 1, name: agent.name })).toBeVisible();
}

test('dashboard journey: register → agents → topology → template → test session → history → usage', async ({
  page,
  context,
  request,
}, testInfo) => {
  // The API must answer through the proxy.
  const health = await request.get('/api/v1/healthz');
  expect(health.ok(), 'the Platform API is not reachable through the web proxy').toBe(true);

  const run = Date.now().toString(36);
  const email = `journey-${run}@example.com`;

  // Protected: no session → login.
  await page.goto('/dashboard/agents');
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%2Fagents/);

  // Register (validation first).
  await page.goto('/register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Name your organization.')).toBeVisible();
  await shot(page, testInfo, 'register');
  await page.getByLabel('Name', { exact: true }).fill('Jordan Journey');
  await page.getByLabel('Organization').fill(`Journey ${run}`);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill('correct-horse-battery-9');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('org-name')).toHaveText(`Journey ${run}`);
  await expect(page.getByTestId('stat-sessions-today')).toContainText('0');
  await shot(page, testInfo, 'home');

  // Two agents with a handoff.
  const billing = `billing_${run}`.replace(/[^a-z0-9_]/g, '');
  const front = `front_${run}`.replace(/[^a-z0-9_]/g, '');
  await page.goto('/dashboard/agents/new');
  await shot(page, testInfo, 'agent-new');
  await createAgent(page, {
    name: 'Billing specialist',
    slug: billing,
    instructions: '# Role\nYou answer **billing** questions.',
    greeting: 'Billing here.',
  });
  await createAgent(page, {
    name: 'Front desk',
    slug: front,
    instructions: '# Role\nYou greet callers and route them.\n\n- Be brief\n- Be kind',
    greeting: 'Hello from the front desk.',
    handoffTo: billing,
  });
  await shot(page, testInfo, 'agent-edit');
  await page.getByTestId('tab-versions').click();
  await expect(page.getByTestId('versions-table')).toContainText('v1');
  await shot(page, testInfo, 'agent-versions');

  await page.goto('/dashboard/agents');
  await expect(page.getByTestId('agent-row')).toHaveCount(2);
  await shot(page, testInfo, 'agents');

  // Topology: an agent set with both, starting at the front desk.
  await page.goto('/dashboard/topology');
  await page.getByTestId('new-agent-set').click();
  await page.getByLabel('Set name').fill('Support line');
  const form = page.getByTestId('agent-set-form');
  await form.getByLabel('Front desk').check();
  await form.getByLabel('Billing specialist').check();
  await form.getByLabel('Starts with').selectOption(front);
  await page.getByTestId('save-agent-set').click();
  await expect(page.getByTestId(`topology-node-${front}`)).toBeVisible();
  await expect(page.getByTestId(`topology-node-${billing}`)).toBeVisible();
  await expect(page.getByTestId(`topology-node-${front}`)).toHaveAttribute('data-initial', 'true');
  await expect(page.getByTestId('topology-flags')).toContainText('Every agent is reachable');
  await shot(page, testInfo, 'topology');

  // Tools (list + the new-tool form with its JSON Schema editor).
  await page.goto('/dashboard/tools');
  await expect(page.getByRole('heading', { name: 'Tools' })).toBeVisible();
  await shot(page, testInfo, 'tools');
  await page.goto('/dashboard/tools/new');
  await expect(page.getByTestId('tool-parameters')).toBeVisible();
  await shot(page, testInfo, 'tool-new');

  // Template.
  await page.goto('/dashboard/templates/new');
  await page.getByLabel('Name', { exact: true }).fill('Support hotline');
  await page.getByLabel('Agent set').selectOption({ label: 'Support line' });
  await page.getByTestId('save-template').click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}/);
  await expect(page.getByRole('heading', { level: 1, name: 'Support hotline' })).toBeVisible();
  await expect(page.getByTestId('deployments')).toBeVisible();
  await expect(
    page
      .getByTestId('deployments')
      .getByText(/Allowed origins|not available/)
      .first(),
  ).toBeVisible();
  if ((await page.getByTestId('deployments-unavailable').count()) === 0) {
    await page.getByLabel('Allowed origins').fill('https://www.example.com');
    await page.getByTestId('create-deployment').click();
    await expect(page.getByTestId('embed-snippet')).toContainText('/embed/');
  }
  await shot(page, testInfo, 'template');
  await page.goto('/dashboard/templates');
  await shot(page, testInfo, 'templates');
  await page.goBack();

  // Test this template: a new tab with the live session.
  const [session] = await Promise.all([
    context.waitForEvent('page'),
    page.getByTestId('test-template').click(),
  ]);
  await expect(session).toHaveURL(/\/s\/[0-9a-f-]{36}$/);
  const sessionId = session.url().split('/').pop()!;
  await expect(session.getByTestId('session-root')).toBeVisible({ timeout: 30_000 });
  await expect(session.getByTestId('connection-state')).toHaveText('connected', {
    timeout: 30_000,
  });
  await expect(session.getByTestId('active-agent')).not.toBeEmpty({ timeout: 90_000 });
  await expect(session.getByTestId('transcript-entry').first()).toBeVisible({ timeout: 90_000 });

  // While it runs it is listed as active.
  await page.goto('/dashboard/sessions');
  await expect(
    page.getByTestId('active-sessions').locator(`[data-session-id="${sessionId}"]`),
  ).toBeVisible({ timeout: 30_000 });
  await shot(page, testInfo, 'sessions-live');

  await session.bringToFront();
  await session.getByTestId('end-session').click();
  await session.getByTestId('confirm-end').click();
  await expect(session.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });
  await session.close();

  // History → the session page with its transcript.
  await page.bringToFront();
  await page.goto('/dashboard/sessions');
  const row = page.getByTestId('session-history').locator(`[data-session-id="${sessionId}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  await shot(page, testInfo, 'sessions');
  await row.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/sessions/${sessionId}$`));
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('transcript-line').first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await expect(page.getByTestId('transcript-line').first()).toContainText(/front desk/i);
  await shot(page, testInfo, 'session');

  // Usage, status, settings.
  await page.goto('/dashboard/usage');
  await expect(page.getByTestId('usage-page')).toBeVisible();
  await expect(
    page.getByTestId('usage-chart').or(page.getByText('No usage in this period')).first(),
  ).toBeVisible({ timeout: 30_000 });
  await shot(page, testInfo, 'usage');
  await page.goto('/dashboard/status');
  await expect(page.getByTestId('status-overall-badge')).toBeVisible();
  await shot(page, testInfo, 'status');
  await page.goto('/dashboard/settings');
  await expect(page.getByLabel('Display name')).toHaveValue('Jordan Journey');
  await shot(page, testInfo, 'settings');

  // Home now counts the session.
  await page.goto('/dashboard');
  await expect(page.getByTestId('stat-sessions-today')).toContainText('1');
  await shot(page, testInfo, 'home-after');

  // Sign out ends the dashboard session.
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login/);
  await shot(page, testInfo, 'login');
});
