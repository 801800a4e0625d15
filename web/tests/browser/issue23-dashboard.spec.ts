import { expect, test } from '@playwright/test';
import { demo, login, shot } from './support';

/**
 * Issue 23 on the real stack (the seeded demo): whole rows open their page, "Test this agent"
 * opens a test session without making a set or template by hand, quotas read in words, and the
 * topology and the new-template form as a user sees them.
 */
test('issue 23: rows, Test this agent, quotas in words, template form picks agents', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  await login(page, demo().email);

  // A click on a row's plain cell (not its link) opens the agent.
  await page.goto('/dashboard/agents');
  const row = page.getByTestId('agent-row').first();
  await row.locator('td').nth(1).click();
  await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}$/);

  // "Test this agent": a test session in a new tab, the set and template made behind it.
  const popup = page.waitForEvent('popup');
  await page.getByTestId('test-agent').click();
  const tab = await popup;
  await expect(tab).toHaveURL(/\/s\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await shot(page, testInfo, 'issue23-agent-test-button', { idleTimeoutMs: 3000 });
  await tab.close();
  await page.goto('/dashboard/templates');
  await expect(page.getByTestId('template-row').filter({ hasText: 'Test · ' })).toHaveCount(1);

  // Quotas in words.
  await page.goto('/dashboard/usage');
  const quotas = page.getByTestId('usage-quotas');
  await expect(quotas).toBeVisible({ timeout: 30_000 });
  await expect(quotas).not.toContainText('_');
  await expect(quotas).not.toContainText('micros');
  await shot(page, testInfo, 'issue23-usage-quotas', { idleTimeoutMs: 3000 });

  // The template form offers picking agents directly.
  await page.goto('/dashboard/templates/new');
  await page.getByLabel('Agent set').selectOption({ label: 'Pick agents directly…' });
  await expect(page.getByTestId('chips-template-agents')).toBeVisible();
  await shot(page, testInfo, 'issue23-template-pick-agents', { idleTimeoutMs: 3000 });

  await page.goto('/dashboard/topology');
  await expect(page.getByTestId('topology-flags')).toBeVisible({ timeout: 30_000 });
  await shot(page, testInfo, 'issue23-topology', { idleTimeoutMs: 3000 });
});
