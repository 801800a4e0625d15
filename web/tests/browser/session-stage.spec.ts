import net from 'node:net';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { CHROMIUM_PATH, MEDIA_CHROMIUM_ARGS } from './support';

// A "LiveKit server" that accepts connections and never answers keeps the page in its
// connecting state long enough to check the session layout without a real SFU.
let server: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();

test.beforeAll(async () => {
  server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

test.afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function startSession(page: Page, modality_profile = 'audio') {
  const sessionId = '0f4b8f0e-2d1c-4a57-9a3e-5c6d7e8f9a0b';
  await page.route('**/api/v1/sessions', (route) =>
    route.fulfill({
      json: {
        session: {
          id: sessionId,
          organization_id: '1d7a2f1e-5a3b-4c6d-8e9f-0a1b2c3d4e5f',
          template_id: null,
          room_name: 'room-1',
          status: 'created',
          end_user_id: null,
          created_at: new Date().toISOString(),
          started_at: null,
          ended_at: null,
          duration_seconds: null,
        },
        connection: {
          session_id: sessionId,
          room_name: 'room-1',
          livekit_url: `ws://127.0.0.1:${port}`,
          participant_token: 'token',
          participant_identity: 'user-test',
          token_expires_at: new Date(Date.now() + 600_000).toISOString(),
        },
        modality_profile,
        enabled_panels: [],
      },
    }),
  );
  await page.goto('/embed/demo');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-root')).toBeVisible();
}

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

test.describe('microphone menu (issue 23)', () => {
  // A fake microphone, granted without a prompt, so the browser lists devices with their names.
  test.use({
    permissions: ['microphone'],
    launchOptions: { executablePath: CHROMIUM_PATH, args: MEDIA_CHROMIUM_ARGS },
  });

  test('the microphone picker is a menu button next to the mute button', async ({
    page,
  }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await startSession(page);
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
    await startSession(page);
    await page.getByTestId('mic-menu').click();
    await expect(page.getByTestId('mic-menu-list')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('end-session')).toBeInViewport();
    await screenshot(page, testInfo, 'session-mic-menu-mobile');
  });
});
