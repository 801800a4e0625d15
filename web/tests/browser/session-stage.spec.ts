import { expect, test } from '@playwright/test';
import { fakeLiveKit, screenshot, startSession as start } from './fake-session';

const livekit = fakeLiveKit();
const startSession = (page: Parameters<typeof start>[0], profile?: Parameters<typeof start>[2]) =>
  start(page, livekit.url(), profile);

test('session layout, controls and the end-session flow', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await startSession(page);
  await expect(page.getByTestId('agent-state')).toHaveText('connecting');
  await expect(page.getByTestId('connection-state')).toHaveText('connecting');
  await expect(page.getByTestId('session-timer')).toHaveText('0:00');
  for (const id of [
    'active-agent',
    'agent-visualizer',
    'user-visualizer',
    'mic-toggle',
    'mic-menu',
    'end-session',
  ]) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  // This template has no panels: no empty "Shared workspace" box (issue 23).
  await expect(page.getByTestId('workspace-slot')).toHaveCount(0);
  await screenshot(page, testInfo, 'session-stage');

  await page.getByTestId('end-session').click();
  await expect(page.getByTestId('end-session-dialog')).toBeVisible();
  await screenshot(page, testInfo, 'session-end-dialog');
  await page.getByTestId('confirm-end').click();
  await expect(page.getByTestId('session-ended')).toBeVisible();
  await screenshot(page, testInfo, 'session-ended');
});

test('session layout on a phone, dark', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await startSession(page);
  await expect(page.getByTestId('mic-toggle')).toBeVisible();
  await expect(page.getByTestId('end-session')).toBeInViewport();
  await screenshot(page, testInfo, 'session-stage-mobile');
});

test('camera and screen buttons follow the modality profile', async ({ page }) => {
  await startSession(page, 'audio');
  await expect(page.getByTestId('mic-toggle')).toBeVisible();
  await expect(page.getByTestId('camera-toggle')).toHaveCount(0);
  await expect(page.getByTestId('screen-toggle')).toHaveCount(0);
  await page.unrouteAll();
  await startSession(page, 'audio_camera_screen');
  await expect(page.getByTestId('camera-toggle')).toBeVisible();
  await expect(page.getByTestId('screen-toggle')).toBeVisible();
});
