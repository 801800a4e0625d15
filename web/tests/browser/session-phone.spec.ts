import { expect, test, type Page } from '@playwright/test';
import { MEDIA_USE, demo, login, shot } from './support';

/**
 * A live session and its replay on a 390×844 phone, on the real stack (API, LiveKit, agent
 * worker): once connected the page fits the screen (no horizontal scrolling) and End stays on
 * screen and ends the session; the replay page fits too.
 */
test.use({ ...MEDIA_USE, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
test.setTimeout(180_000);

/** How far the page scrolls sideways: 0 when everything fits the viewport's width. */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

test('a connected session fits a 390 px phone and End ends it; the replay fits too', async ({
  page,
}, testInfo) => {
  const d = demo();
  if (!d.handoff_embed_key)
    throw new Error('the demo file has no handoff_embed_key (seed with test providers)');
  await page.goto(`/embed/${encodeURIComponent(d.handoff_embed_key)}`);
  await page.getByTestId('start-session').click();
  await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}$/);
  const sessionId = page.url().split('/').pop()!;
  await expect(page.getByTestId('connection-state')).toHaveText('connected', { timeout: 30_000 });
  await expect(page.getByTestId('active-agent')).not.toHaveText('Agent', { timeout: 60_000 });
  await expect(page.getByTestId('transcript-entry').first()).toBeVisible({ timeout: 60_000 });

  expect(await horizontalOverflow(page)).toBe(0);
  const end = page.getByTestId('end-session');
  await expect(end).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('session-phase')).toBeInViewport();
  await shot(page, testInfo, 'session-phone-connected');

  await end.click();
  await expect(page.getByTestId('end-session-dialog')).toBeVisible();
  await page.getByTestId('confirm-end').click();
  await expect(page.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });
  expect(await horizontalOverflow(page)).toBe(0);

  await login(page, d.email);
  await page.goto(`/dashboard/sessions/${sessionId}`);
  await expect(page.getByTestId('session-summary')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('replay-card')).toBeVisible();
  await expect(page.getByTestId('export-csv')).toBeInViewport({ ratio: 1 });
  await expect.poll(() => horizontalOverflow(page), { timeout: 10_000 }).toBe(0);
  await shot(page, testInfo, 'replay-phone', { idleTimeoutMs: 5_000 });
});
