import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { Schema } from '@/lib/api/client';

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  // outputDir is ../test-results/web; screenshots go next to it for humans to review.
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** A signed-in user without an API: the session marker cookie plus canned `/api/v1` answers. */
async function fakeSession(page: Page) {
  const base = process.env.TROUPE_WEB_URL ?? 'http://127.0.0.1:3000';
  await page.context().addCookies([{ name: 'troupe_csrf', value: 'test', url: base }]);
  await page.route('**/api/v1/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/api/v1/me') {
      return route.fulfill({
        json: {
          user: {
            id: 'u1',
            email: 'ada@example.com',
            display_name: 'Ada Lovelace',
            created_at: '',
          },
          memberships: [
            {
              organization_id: 'o1',
              organization_name: 'Acme',
              organization_slug: 'acme',
              role: 'admin',
            },
          ],
          default_organization_id: 'o1',
        } satisfies Schema<'MeRead'>,
      });
    }
    return route.fulfill({ json: { items: [], next_cursor: null } });
  });
}

async function htmlTheme(page: Page) {
  return page.locator('html').getAttribute('data-theme');
}

test.describe('app shell', () => {
  test('landing renders and the theme toggle flips and persists', async ({ page }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Dashboard', exact: true })).toHaveAttribute(
      'href',
      '/dashboard',
    );
    await expect(page.getByRole('link', { name: /Try the demo/ })).toHaveAttribute(
      'href',
      /^\/embed\//,
    );
    expect(await htmlTheme(page)).toBe('light');
    await screenshot(page, testInfo, 'landing');

    await page.getByTestId('theme-toggle').click();
    expect(await htmlTheme(page)).toBe('dark');
    await expect(page.locator('html')).toHaveClass(/dark/);
    await screenshot(page, testInfo, 'landing-dark');

    await page.reload();
    expect(await htmlTheme(page)).toBe('dark');
    await page.getByTestId('theme-toggle').click();
    expect(await htmlTheme(page)).toBe('light');
  });

  test('theme follows the system preference before any choice', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/login');
    expect(await htmlTheme(page)).toBe('dark');
  });

  test('login and register render their forms', async ({ page }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter a valid email address.')).toBeVisible();
    await screenshot(page, testInfo, 'login');

    await page.goto('/register');
    await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
    await screenshot(page, testInfo, 'register');
  });

  test('dashboard redirects to sign-in without a session', async ({ page }) => {
    await page.goto('/dashboard/usage');
    await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%2Fusage$/);
  });

  test('dashboard shell has the full navigation', async ({ page }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await fakeSession(page);
    await page.goto('/dashboard');
    const nav = page.getByTestId('dashboard-nav');
    for (const label of [
      'Home',
      'Agents',
      'Topology',
      'Tools',
      'Templates',
      'Sessions',
      'Experiments',
      'Simulations',
      'Webhooks',
      'Usage',
      'Status',
      'Members',
      'API keys',
      'Audit log',
      'Settings',
    ]) {
      await expect(nav.getByRole('link', { name: label })).toBeVisible();
    }
    await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    await screenshot(page, testInfo, 'dashboard');

    await nav.getByRole('link', { name: 'Agents' }).click();
    await expect(page).toHaveURL(/\/dashboard\/agents$/);
    await expect(page.getByText('No agents yet')).toBeVisible();

    const before = await htmlTheme(page);
    await page.getByTestId('theme-toggle').click();
    expect(await htmlTheme(page)).not.toBe(before);
    await screenshot(page, testInfo, 'dashboard-agents-dark');
  });

  test('dashboard is usable on a phone', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await fakeSession(page);
    await page.goto('/dashboard');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await expect(
      page.getByTestId('dashboard-nav').getByRole('link', { name: 'Usage' }),
    ).toBeInViewport();
    await screenshot(page, testInfo, 'dashboard-mobile-nav');
  });

  test('an unknown session shows the expired state', async ({ page }, testInfo) => {
    await page.goto('/s/unknown');
    await expect(page.getByTestId('session-expired')).toBeVisible();
    await expect(page.getByText('This session link has expired — start a new one')).toBeVisible();
    await screenshot(page, testInfo, 'session-expired');
  });
});

test.describe('session start', () => {
  const sessionId = '7b0c6a52-4a4e-4f59-9d51-2d6a3f7a0c11';
  const startResponse: Schema<'SessionStartResponse'> = {
    session: {
      id: sessionId,
      organization_id: '1d7a2f1e-5a3b-4c6d-8e9f-0a1b2c3d4e5f',
      template_id: null,
      room_name: `session-${sessionId}`,
      status: 'created',
      end_user_id: null,
      created_at: new Date().toISOString(),
      started_at: null,
      ended_at: null,
      duration_seconds: null,
      close_reason: null,
    },
    connection: {
      session_id: sessionId,
      room_name: `session-${sessionId}`,
      // Nothing listens here: the page must fail to connect with a clear message.
      livekit_url: 'ws://127.0.0.1:9',
      participant_token: 'not-a-real-token',
      participant_identity: 'user-test',
      token_expires_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    },
    modality_profile: 'audio',
    enabled_panels: [],
    recording: { enabled: false, consent_text: '' },
  };

  test('embed page starts a session and shows connection failures clearly', async ({
    page,
  }, testInfo) => {
    await page.route('**/api/v1/sessions', async (route) => {
      expect(route.request().method()).toBe('POST');
      expect(route.request().postDataJSON()).toEqual({ embed_key: 'demo', variables: {} });
      await route.fulfill({ json: startResponse });
    });
    await page.goto('/embed/demo?name=Ava');
    await expect(page.getByTestId('embed-title')).toHaveText('Talk to Ava');
    await screenshot(page, testInfo, 'embed');
    await page.getByTestId('start-session').click();
    await expect(page).toHaveURL(new RegExp(`/s/${sessionId}$`));
    await expect(page.getByTestId('session-problem')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('retry-session')).toBeVisible();
    await screenshot(page, testInfo, 'session-connect-failed');
  });

  test('embed page shows API errors from the error envelope', async ({ page }) => {
    await page.route('**/api/v1/sessions', (route) =>
      route.fulfill({
        status: 404,
        json: {
          error: {
            code: 'embed_not_found',
            message: 'This embed key is not valid.',
            details: null,
          },
        },
      }),
    );
    await page.goto('/embed/nope');
    await page.getByTestId('start-session').click();
    await expect(page.getByTestId('start-error')).toHaveText('This embed key is not valid.');
  });

  test('session page on a phone', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/embed/demo');
    await screenshot(page, testInfo, 'embed-mobile');
  });
});
