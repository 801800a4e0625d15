import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { demo, login, shot as pageShot } from './support';

/**
 * Simulations from the dashboard against the real stack: the scenario is created in the form,
 * "Run" queues it, the agent worker runs the seeded handoff template's real agents (scripted
 * LLM) and posts the result; the run page shows the verdict per criterion and the transcript.
 * A second run after an edit shows the regression and the transcript diff.
 */
test.setTimeout(180_000);
test.use({ viewport: { width: 1366, height: 900 } });

async function shot(page: Page, testInfo: TestInfo, name: string) {
  await pageShot(page, testInfo, `simulations-${name}`, { fromTop: true });
}

async function runAndOpen(page: Page) {
  await page.getByTestId('run-scenario').first().click();
  await expect(page.getByTestId('run-scenario').first()).toHaveText(/Running/);
  await expect(page).toHaveURL(/\/dashboard\/simulations\/runs\/[0-9a-f-]{36}/, {
    timeout: 90_000,
  });
}

test('run a simulation from the dashboard, read its verdict, transcript and diff', async ({
  page,
}, testInfo) => {
  const d = demo();
  const name = `Expert handoff ${Date.now().toString(36)}`;
  await login(page, d.email);

  await page.goto(`/dashboard/simulations/new?template=${d.handoff_template_id}`);
  // Client-side validation first.
  await page.getByTestId('save-scenario').click();
  await expect(page.getByTestId('error-scenario-name')).toBeVisible();
  await expect(page.getByTestId('error-criteria.0')).toContainText('Name the agent');

  await page.getByLabel('Name', { exact: true }).fill(name);
  await expect(page.getByTestId('error-scenario-name')).toHaveCount(0); // fixed problems clear
  await page.getByLabel('Goal of the simulated user').fill('Reach an expert');
  await page
    .getByLabel('What the user says (one turn per line)')
    .fill('I need to talk to an expert, please.');
  await page.getByLabel('Agent (slug)').fill('test_expert');
  await page.getByTestId('add-criterion').click();
  await page.locator('#criterion-1-type').selectOption('tool_call');
  await page.locator('#criterion-1-tool').fill('log_observation');
  await page.locator('#criterion-1-arguments').fill('{"category": "routing"}');
  await page.getByTestId('add-criterion').click();
  await page.locator('#criterion-2-type').selectOption('must_not_say');
  await page.locator('#criterion-2-pattern').fill('sorry|cannot');
  await page.getByTestId('add-criterion').click();
  await page.locator('#criterion-3-type').selectOption('max_turns');
  await page.locator('#criterion-3-turns').fill('1');
  await shot(page, testInfo, 'form');
  await page.getByTestId('save-scenario').click();
  await expect(page).toHaveURL(/\/dashboard\/simulations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const scenarioUrl = page.url();

  // Run it: queued → the worker claims it → the run page.
  await runAndOpen(page);
  await expect(page.getByTestId('run-verdict')).toHaveText('passed', { timeout: 30_000 });
  const results = page.getByTestId('criterion-result');
  await expect(results).toHaveCount(4);
  await expect(page.locator('[data-testid="criterion-result"][data-status="passed"]')).toHaveCount(
    4,
  );
  await expect(page.getByTestId('criteria-table')).toContainText(
    'test_front handed off to test_expert in turn 1',
  );
  const transcript = page.getByTestId('transcript');
  await expect(transcript).toContainText('User: I need to talk to an expert, please.');
  await expect(page.getByTestId('transcript-handoff')).toContainText('test_front → test_expert');
  await expect(page.getByTestId('transcript-tool-call').first()).toContainText('log_observation');
  await expect(transcript).toContainText('test_expert: The expert says: all good.');
  await expect(page.getByTestId('run-diff')).toContainText('first completed run');
  await shot(page, testInfo, 'run-passed');

  // Edit: a second user turn breaks "finishes within 1 turns".
  await page.goto(scenarioUrl);
  await page.getByTestId('edit-scenario').click();
  await page
    .getByLabel('What the user says (one turn per line)')
    .fill('I need to talk to an expert, please.\nThanks, that is all.');
  await page.getByTestId('save-scenario').click();
  await expect(page.getByText('Saved. The next run uses this version.')).toBeVisible();
  await runAndOpen(page);
  await expect(page.getByTestId('run-verdict')).toHaveText('failed', { timeout: 30_000 });
  const failed = page.locator('[data-testid="criterion-result"][data-status="failed"]');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText('it took 2 user turns, more than 1');
  await expect(page.getByTestId('regressions')).toContainText('finishes within 1 turns');
  await expect(page.getByTestId('transcript-diff')).toContainText('+user: Thanks, that is all.');
  await shot(page, testInfo, 'run-failed-diff');

  // Both runs are listed on the scenario, newest first.
  await page.goto(scenarioUrl);
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await expect(page.getByTestId('run-row').first().getByTestId('run-verdict')).toHaveText('failed');
  await page.goto('/dashboard/simulations');
  await expect(page.getByTestId('scenario-row').filter({ hasText: name })).toContainText('failed');
  await shot(page, testInfo, 'list');
});
