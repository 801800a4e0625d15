import { expect, test, type Page } from '@playwright/test';
import { demo, login } from './support';

/**
 * The Content-Security-Policy in a real browser: every page carries a per-request nonce and
 * runs with no CSP violation (no inline script without the nonce, no eval in production), the
 * code runner's eval stays in its worker (framing: csp-framing.spec.ts).
 */

const VIOLATION = /Content Security Policy|Refused to (execute|load|apply|evaluate|frame|connect)/i;

/** Collects CSP violations: console errors and `securitypolicyviolation` events. */
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

function scriptSrc(policy: string): string {
  return policy.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
}

test('public pages load with a fresh nonce and no CSP violation', async ({ page }) => {
  const violations = await watchCsp(page);
  const nonces = new Set<string>();
  const embedKey = demo().handoff_embed_key;
  for (const path of ['/', '/login', '/register', `/embed/${embedKey}`, '/dev/panels']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(400);
    const policy = response?.headers()['content-security-policy'] ?? '';
    const script = scriptSrc(policy);
    const nonce = /'nonce-([^']+)'/.exec(script)?.[1];
    expect(nonce, `${path}: ${policy}`).toBeTruthy();
    nonces.add(nonce!);
    expect(script).not.toContain("'unsafe-inline'");
    expect(script).not.toContain("'unsafe-eval'"); // the production build
    // Next's own inline scripts carry the nonce (the browser hides it from getAttribute).
    const inline = await page.evaluate(() =>
      [...document.querySelectorAll('script:not([src])')].map(
        (s) => (s as HTMLScriptElement).nonce,
      ),
    );
    expect(inline.length).toBeGreaterThan(0);
    expect(inline.every((n) => n === nonce)).toBe(true);
    await page.waitForLoadState('networkidle');
  }
  expect(nonces.size).toBe(5);
  expect(violations).toEqual([]);
});

test('the dashboard loads with no CSP violation', async ({ page }) => {
  const violations = await watchCsp(page);
  await login(page, demo().email);
  for (const path of ['/dashboard/templates', '/dashboard/sessions', '/dashboard/agents']) {
    const response = await page.goto(path);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.waitForLoadState('networkidle');
  }
  expect(violations).toEqual([]);
});

test('the code runner evaluates code in its worker, the page may not', async ({ page }) => {
  const violations = await watchCsp(page);
  await page.goto('/dev/panels');
  await page.getByTestId('harness-code-js').click();
  const panel = page.getByTestId('panel-code');
  await panel.getByTestId('code-run').click();
  await expect(panel.getByTestId('code-output')).toContainText('Hello, Ada!');
  expect(violations).toEqual([]);
  // The page itself cannot eval: a string handed to setTimeout is compiled under the page's
  // policy (page.evaluate itself runs through DevTools, which CSP does not govern).
  await page.evaluate(() => {
    (window as unknown as { evalRan: boolean }).evalRan = false;
    setTimeout('window.evalRan = true', 0);
  });
  await expect.poll(() => violations.some((v) => /unsafe-eval|evaluate/i.test(v))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { evalRan: boolean }).evalRan)).toBe(
    false,
  );
});
