import { expect, test } from '@playwright/test';
import { demo, login, shot } from './support';

/**
 * The agent form's model fields say what "Default" is and which providers have no key for the
 * organization (issue 23), from the real API's catalog: the stack runs without cloud keys, so
 * the cloud models read "no key" and the offline defaults do not.
 */
// a loaded machine (or `next dev` compiling the page) may take a while to show the catalog
test.setTimeout(120_000);

test('model fields name the default and mark providers without a key', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, demo().email);
  await page.goto('/dashboard/agents/new');
  const llm = page.getByLabel('Language model');
  await expect(llm.locator('option[value=""]')).toHaveText(/^Default: SmolLM2/, {
    timeout: 90_000,
  });
  await expect(page.getByLabel('Speech-to-text').locator('option[value=""]')).toHaveText(
    /^Default: Whisper/,
  );
  await expect(page.getByLabel('Text-to-speech').locator('option[value=""]')).toHaveText(
    /^Default: Piper/,
  );
  await expect(llm.locator('option[value="openai/gpt-4.1-mini"]')).toHaveText(
    /^OpenAI GPT-4.1 mini · no key/,
  );
  await expect(llm.locator('option[value="local/smollm2"]')).not.toHaveText(/no key/);

  await expect(page.getByTestId('no-key-llm')).toHaveCount(0);
  await llm.selectOption('openai/gpt-4.1-mini');
  await expect(page.getByTestId('no-key-llm')).toContainText('sessions use SmolLM2');
  await page.getByTestId('no-key-llm').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'agent-form-models', { fromTop: true });
});
