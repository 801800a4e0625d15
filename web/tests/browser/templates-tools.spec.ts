import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { demo, login, shot } from './support';

/**
 * Templates and deployments against the real stack (the seeded demo organization): the
 * template's analytics, a deployment whose allowed origins are edited, whose embed key is
 * rotated and which is deleted, environment overrides edited as fields, tool usage on the
 * tools page, and the configuration exported and imported again. Everything it changes is put
 * back.
 */
test('template analytics, deployment keys and origins, environment overrides, tools, config', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const d = demo() as ReturnType<typeof demo> & { template_id: string };
  await login(page, d.email);

  await page.goto(`/dashboard/templates/${d.template_id}`);
  const analytics = page.getByTestId('template-analytics');
  await expect(analytics).toBeVisible();
  await expect(analytics.getByText(/Sessions|No sessions in this period/).first()).toBeVisible();

  // A new deployment: edit its origins, rotate its key, delete it.
  const deployments = page.getByTestId('deployment');
  const before = await deployments.count();
  await page
    .getByLabel(/Allowed origins|Add another deployment/)
    .last()
    .fill('https://a.example');
  await page.getByTestId('create-deployment').click();
  await expect(deployments).toHaveCount(before + 1);
  const mine = deployments.last();
  await mine.getByRole('button', { name: 'Edit origins' }).click();
  await mine.getByLabel('Allowed origins').fill('https://a.example, https://shop.example/');
  await mine.getByRole('button', { name: 'Save origins' }).click();
  await expect(mine.getByTestId('deployment-origins')).toHaveText(
    'Allowed origins: https://a.example, https://shop.example',
  );
  const oldSnippet = await mine.getByTestId('embed-snippet').textContent();
  await mine.getByRole('button', { name: 'Rotate key' }).click();
  await page.getByTestId('confirm').click();
  await expect(mine.getByTestId('embed-snippet')).not.toHaveText(oldSnippet ?? '');
  await shot(page, testInfo, 'template-analytics-deployments', { idleTimeoutMs: 3_000 });
  await mine.getByRole('button', { name: 'Delete' }).click();
  await page.getByTestId('confirm').click();
  await expect(deployments).toHaveCount(before);

  // Environment overrides as a form: staging gets its own max duration, then loses it again.
  await page.getByLabel('Override in Staging').check();
  await page.getByLabel('Staging: max duration (s)').fill('300');
  await page.getByTestId('save-template').click();
  await expect(page.getByText('Template saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Staging: max duration (s)')).toHaveValue('300');
  await page.getByTestId('env-overrides').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'template-env-overrides', { idleTimeoutMs: 3_000 });
  await page.getByLabel('Override in Staging').uncheck();
  await page.getByTestId('save-template').click();
  await expect(page.getByText('Template saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Override in Staging')).not.toBeChecked();

  // Tool usage columns.
  await page.goto('/dashboard/tools');
  await expect(
    page.getByTestId('tools-table').getByRole('columnheader', { name: 'Calls' }),
  ).toBeVisible();

  // Usage grouped by template.
  await page.goto('/dashboard/usage');
  await page.getByRole('tab', { name: 'By template' }).click();
  await expect(page.getByRole('tab', { name: 'By template' })).toHaveAttribute(
    'aria-selected',
    'true',
  );

  // Export the configuration and import the same file: nothing changes.
  await page.goto('/dashboard/settings');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export configuration' }).click();
  const file = await (await download).path();
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as { format: string; agents: unknown[] };
  expect(bundle.format).toBe('troupe.config');
  expect(bundle.agents.length).toBeGreaterThan(0);
  await page.getByLabel('Import a configuration file').setInputFiles(file);
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('nothing written yet');
  await expect(report).toContainText('unchanged:');
  await page.getByTestId('configuration-card').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'settings-config-import', { idleTimeoutMs: 3_000 });
  await page.getByRole('button', { name: 'Apply import' }).click();
  await expect(page.getByText('The configuration was imported.')).toBeVisible();
});
