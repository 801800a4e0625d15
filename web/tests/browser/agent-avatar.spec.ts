import { expect, test, type Page } from '@playwright/test';
import { MEDIA_USE, demo, login, shot } from './support';

/**
 * Agent avatars on the real stack (API, storage, LiveKit, agent worker): the demo's front-desk
 * agent gets an avatar uploaded on its dashboard page (a file the API refuses by its bytes shows
 * the refusal), the live session of its template shows the image as the speaking agent, and
 * removing it brings the initial back.
 */
test.use(MEDIA_USE);
test.setTimeout(240_000);

const AGENT = 'Test Front Desk';

/** A 320×240 PNG drawn in the page (no image file in the repository needed). */
async function drawnPng(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#0f766e';
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#fde68a';
    g.beginPath();
    g.arc(160, 120, 80, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#7c2d12';
    g.font = 'bold 64px sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText('FD', 160, 124);
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1]!, 'base64');
}

/** The natural width of a loaded image (0 when it did not load, e.g. refused by the CSP). */
function naturalWidth(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((img) => (img as HTMLImageElement).naturalWidth);
}

test('an avatar uploaded in the dashboard is the speaking agent’s face in a live session', async ({
  page,
}, testInfo) => {
  const d = demo();
  if (!d.handoff_embed_key)
    throw new Error('the demo file has no handoff_embed_key (seed with test providers)');
  await login(page, d.email);
  await page.goto('/dashboard/agents');
  await page.getByRole('link', { name: AGENT }).first().click();
  await expect(page).toHaveURL(/\/dashboard\/agents\/[0-9a-f-]{36}/);
  const card = page.getByTestId('agent-avatar');
  await expect(card).toBeVisible({ timeout: 30_000 });
  const input = page.getByTestId('avatar-input');

  // A text file that claims to be a PNG passes the browser's check; the API reads the bytes.
  await input.setInputFiles({
    name: 'not-an-image.png',
    mimeType: 'image/png',
    buffer: Buffer.from('hello, I am text'),
  });
  await page.getByTestId('avatar-upload').click();
  await expect(page.getByTestId('avatar-error')).toHaveText(/not a PNG, JPEG or WebP image/);

  await input.setInputFiles({
    name: 'front-desk.png',
    mimeType: 'image/png',
    buffer: await drawnPng(page),
  });
  await expect(page.getByTestId('avatar-preview')).toBeVisible();
  await expect(page.getByTestId('avatar-error')).toHaveCount(0);
  await card.scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'agent-avatar-preview', { fromTop: true });
  await page.getByTestId('avatar-upload').click();
  const current = page.getByTestId('avatar-current');
  await expect(current).toHaveAttribute('src', /^\/api\/v1\/avatars\/[A-Za-z0-9_-]{32}$/);
  await expect(current).toHaveAttribute('alt', AGENT);
  await expect.poll(() => naturalWidth(page, 'avatar-current')).toBe(256);
  const avatarUrl = (await current.getAttribute('src'))!;
  await page.reload();
  await expect(page.getByTestId('avatar-current')).toHaveAttribute('src', avatarUrl, {
    timeout: 30_000,
  });
  await shot(page, testInfo, 'agent-avatar-saved', { fromTop: true });

  // A live session of the template whose first agent this is (the end user's page: no login
  // needed for the image, and the page's CSP allows it).
  await page.goto(`/embed/${encodeURIComponent(d.handoff_embed_key)}`);
  await page.getByTestId('start-session').click();
  await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('connection-state')).toHaveText('connected', { timeout: 30_000 });
  await expect(page.getByTestId('active-agent')).toHaveText(AGENT, { timeout: 90_000 });
  const face = page.getByRole('img', { name: AGENT });
  await expect(face).toHaveAttribute('src', avatarUrl, { timeout: 30_000 });
  await expect.poll(() => naturalWidth(page, 'active-agent-avatar')).toBe(256);
  await expect(page.getByTestId('active-agent-initial')).toHaveCount(0);
  await expect(page.getByTestId('agent-state')).toHaveText('listening', { timeout: 90_000 });
  await shot(page, testInfo, 'session-agent-avatar', { idleTimeoutMs: 5_000 });
  await page.getByTestId('end-session').click();
  await page.getByTestId('confirm-end').click();
  await expect(page.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });

  // Remove it again (the demo agent is shared with other specs): the initial is back.
  await page.goto('/dashboard/agents');
  await page.getByRole('link', { name: AGENT }).first().click();
  await page.getByTestId('avatar-remove').click();
  await expect(page.getByTestId('avatar-current')).toHaveCount(0);
  await expect(page.getByTestId('avatar-frame')).toHaveText('T');
  expect((await page.request.get(avatarUrl)).status()).toBe(404);
});
