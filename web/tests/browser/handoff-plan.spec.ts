import path from 'node:path';
import { expect, test } from '@playwright/test';
import { register } from './support';

/**
 * The handoff section of the agent form against the real API: a plan with N, a typed variable
 * and a rejection rule is saved and read back; a rule the API refuses shows its problem on the
 * condition's field.
 */
test.use({ viewport: { width: 1366, height: 900 } });
test.setTimeout(180_000);

test('agent form: handoff context plan, variables and rejection rule', async ({
  page,
  request,
}, testInfo) => {
  expect((await request.get('/api/v1/healthz')).ok()).toBe(true);
  const run = Date.now().toString(36);

  await register(page, {
    name: 'Hana Handoff',
    org: `Plans ${run}`,
    email: `plans-${run}@example.com`,
  });

  const billing = `billing_${run}`.replace(/[^a-z0-9_]/g, '');
  await page.goto('/dashboard/agents/new');
  await page.getByLabel('Name', { exact: true }).fill('Billing');
  await page.getByLabel('Slug').fill(billing);
  await page.getByLabel('System prompt (Markdown)').fill('Refund {{customer_name}}.');
  await page.getByTestId('save-agent').click();
  await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}/);

  await page.goto('/dashboard/agents/new');
  await page.getByLabel('Name', { exact: true }).fill('Front');
  await page.getByLabel('System prompt (Markdown)').fill('Route callers.');
  await page.getByTestId('add-handoff').click();
  await page.getByLabel('Hand off to').selectOption(billing);
  await page.getByLabel('Conversation context').selectOption('last_n');
  await page.getByLabel('Messages to pass').fill('5');
  await page.getByTestId('handoff-0-add-variable').click();
  await page.getByLabel('Variable name').fill('customer_name');
  await page.getByLabel('What to pass').fill("The caller's full name");
  await page.getByTestId('handoff-0-variable-0-required').check();
  await page.getByTestId('handoff-0-rule-enabled').check();
  const rule = page.getByTestId('handoff-0-rule');
  await rule.getByLabel('Variable').fill('age');
  await rule.getByLabel('Test').selectOption('lt');
  await rule.getByLabel('Value').fill('eighteen');
  await rule.getByLabel('Message to the LLM when refused').fill('Minors cannot get refunds.');

  // The API refuses a comparison with a non-number, on the condition's value field.
  await page.getByTestId('save-agent').click();
  await expect(rule.getByLabel('Value')).toHaveAttribute('aria-invalid', 'true');
  await expect(rule).toContainText("'lt' compares numbers and needs a number");
  await page.screenshot({
    path: path.resolve(testInfo.project.outputDir, '..', 'screenshots', 'handoff-plan-error.png'),
    fullPage: true,
  });

  await rule.getByLabel('Value').fill('18');
  await page.getByTestId('save-agent').click();
  await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}/);

  // Read back from the API after a reload.
  await page.reload();
  await expect(page.getByLabel('Conversation context')).toHaveValue('last_n');
  await expect(page.getByLabel('Messages to pass')).toHaveValue('5');
  await expect(page.getByLabel('Variable name')).toHaveValue('customer_name');
  await expect(page.getByTestId('handoff-0-variable-0-required')).toBeChecked();
  await expect(page.getByTestId('handoff-0-rule-enabled')).toBeChecked();
  await expect(rule.getByLabel('Test')).toHaveValue('lt');
  await expect(rule.getByLabel('Value')).toHaveValue('18');
  await expect(rule.getByLabel('Message to the LLM when refused')).toHaveValue(
    'Minors cannot get refunds.',
  );
  await page.screenshot({
    path: path.resolve(testInfo.project.outputDir, '..', 'screenshots', 'handoff-plan.png'),
    fullPage: true,
  });

  // The topology labels the edge with its plan and badges its variable and rule.
  await page.goto('/dashboard/topology');
  await page.getByTestId('new-agent-set').click();
  await page.getByLabel('Set name').fill('Refunds');
  const form = page.getByTestId('agent-set-form');
  await form.getByLabel('Front', { exact: true }).check();
  await form.getByLabel('Billing', { exact: true }).check();
  await form.getByLabel('Starts with').selectOption({ label: 'Front' });
  await page.getByTestId('save-agent-set').click();
  const edge = page.locator(`[data-testid^="topology-edge-"][data-testid$="->${billing}"]`);
  await expect(edge).toBeVisible();
  await expect(edge.getByTestId('edge-plan')).toHaveText('last 5');
  await expect(edge.getByTestId('edge-variables')).toHaveAttribute(
    'title',
    'Variables: customer_name',
  );
  await expect(edge.getByTestId('edge-rule')).toHaveAttribute(
    'title',
    'Refused when age < 18: “Minors cannot get refunds.”',
  );
  const listed = page.getByTestId('topology-handoffs').locator('li');
  await expect(listed).toHaveCount(1);
  await expect(listed.getByTestId('edge-variables')).toHaveText('{ } customer_name');
  await expect(listed).toContainText('refused when age < 18: “Minors cannot get refunds.”');
  await page.screenshot({
    path: path.resolve(
      testInfo.project.outputDir,
      '..',
      'screenshots',
      'topology-handoff-plan.png',
    ),
    fullPage: true,
  });
});
