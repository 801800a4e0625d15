import { expect, test } from '@playwright/test';
import { fakeLiveKit, screenshot, startSession } from './fake-session';
import { CHROMIUM_PATH, MEDIA_CHROMIUM_ARGS } from './support';

/** The microphone picker of the session page is a menu (issue 23). */

// A fake microphone, granted without a prompt, so the browser lists devices with their names.
test.use({
  permissions: ['microphone'],
  launchOptions: { executablePath: CHROMIUM_PATH, args: MEDIA_CHROMIUM_ARGS },
});

const livekit = fakeLiveKit();

test('the microphone picker is a menu button next to the mute button', async ({
  page,
}, testInfo) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await startSession(page, livekit.url());
  await expect(page.getByTestId('mic-select')).toHaveCount(0);
  const button = page.getByTestId('mic-menu');
  await expect(button).toHaveAttribute('aria-haspopup', 'menu');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await button.click();
  const list = page.getByTestId('mic-menu-list');
  await expect(list).toBeVisible();
  await expect(list).toHaveAttribute('role', 'menu');
  const items = page.getByTestId('mic-menu-item');
  await expect(items.first()).toBeVisible();
  await expect(items.first()).not.toHaveText('No microphone found');
  await expect(page.locator('[data-testid="mic-menu-item"][aria-checked="true"]')).toHaveCount(1);
  await expect(list).toBeInViewport({ ratio: 1 });
  await screenshot(page, testInfo, 'session-mic-menu');
  await page.keyboard.press('Escape');
  await expect(list).toHaveCount(0);
  await expect(button).toBeFocused();
});

test('the microphone menu fits a phone', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await startSession(page, livekit.url());
  await page.getByTestId('mic-menu').click();
  await expect(page.getByTestId('mic-menu-list')).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('end-session')).toBeInViewport();
  await screenshot(page, testInfo, 'session-mic-menu-mobile');
});
