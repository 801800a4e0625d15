import { expect, test } from '@playwright/test';
import { register, shot } from './support';

/**
 * The embedding model field of /dashboard/knowledge, on the real stack: the offline model is the
 * default and the list says which model each knowledge base uses; an OpenAI-compatible model
 * cannot be created before the organization saved its server (the form says so and links to
 * Provider keys); once a server is saved that does not answer, the API's check (one test
 * sentence) fails and the form says why in words, not a code.
 */
test.setTimeout(120_000);

test('knowledge base embedding model: offline default, provider models, the API check in words', async ({
  page,
}, testInfo) => {
  const run = Date.now().toString(36);
  await register(page, {
    name: 'Ema Embedding',
    org: `Embedding ${run}`,
    email: `kb-embed-${run}@example.com`,
  });

  await page.goto('/dashboard/knowledge');
  const provider = page.getByTestId('kb-embedding-provider');
  await expect(provider).toHaveValue('local');
  await expect(page.getByTestId('kb-embedding')).toContainText('Chosen once');
  await page.getByTestId('kb-name').fill('Offline handbook');
  await page.getByTestId('kb-create').click();
  await expect(
    page.getByTestId('kb-row').filter({ hasText: 'Offline handbook' }).getByTestId('kb-model'),
  ).toHaveText('all-MiniLM-L6-v2 (Offline, 384 dimensions)');

  // OpenAI: the organization (an admin reading its keys) has none: create stays off.
  await page.getByTestId('kb-name').fill('Cloud handbook');
  await provider.selectOption('openai');
  await page.getByTestId('kb-embedding-openai-model').selectOption('text-embedding-3-large');
  await page.getByTestId('kb-embedding-openai-size').selectOption('3072');
  await expect(page.getByTestId('kb-embedding-key')).toContainText('no OpenAI key saved yet');
  await expect(page.getByTestId('kb-create')).toBeDisabled();

  // OpenAI-compatible: a model name is needed.
  await provider.selectOption('openai-compatible');
  await expect(page.getByTestId('kb-embedding')).toContainText('Enter the model name');
  await page.getByTestId('kb-embedding-compatible-model').fill('nomic-embed-text');
  await page.getByTestId('kb-embedding-compatible-size').fill('768');
  await expect(page.getByTestId('kb-embedding-key')).toContainText('Add it under Provider keys');
  await shot(page, testInfo, 'knowledge-embedding-no-key');

  // The organization saves a server that is down (nothing listens on port 9).
  await page.getByRole('link', { name: 'Add it under Provider keys' }).click();
  await expect(page).toHaveURL(/\/dashboard\/providers$/);
  const card = page.getByTestId('provider-key-openai-compatible');
  await card.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
  await card.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByTestId('provider-key-status-openai-compatible')).toContainText(
    '127.0.0.1:9',
  );

  await page.goto('/dashboard/knowledge');
  await page.getByTestId('kb-name').fill('Cloud handbook');
  await provider.selectOption('openai-compatible');
  await page.getByTestId('kb-embedding-compatible-model').fill('nomic-embed-text');
  await expect(page.getByTestId('kb-embedding-key')).toContainText(
    "Uses the organization's OpenAI-compatible server at http://127.0.0.1:9/v1",
  );
  await page.getByTestId('kb-create').click();
  const banner = page.getByTestId('kb-embedding').locator('..').getByTestId('error-banner');
  await expect(banner).toContainText('The OpenAI-compatible server did not embed a test sentence');
  await expect(banner).toContainText('Check that the server is up and serves this model');
  await expect(banner).not.toContainText('embedding_provider_unavailable');
  await shot(page, testInfo, 'knowledge-embedding-unavailable', { fromTop: true });
  // Nothing was created.
  await expect(page.getByTestId('kb-row')).toHaveCount(1);
});
