import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { register, shot } from './support';

/**
 * Account settings against the real stack: a new organization starts on the trial plan, the
 * organization is renamed and a second one created, the e-mail address changes only through
 * the link mailed to the new address (the API's dev mailbox of .eml files), and "sign out
 * everywhere" ends the session. OAuth buttons appear only when a provider is configured (the
 * test stack has none).
 */

function mailbox(): string {
  const dir =
    process.env.TROUPE_MAILBOX_DIR ??
    (process.env.TROUPE_DATA_DIR ? path.join(process.env.TROUPE_DATA_DIR, 'mailbox') : '');
  if (!dir) throw new Error('TROUPE_DATA_DIR is not set: run through make test or stack.sh');
  return dir;
}

/** The newest link to `/<page>?token=…` mailed to `to`, or null. */
function mailedLink(to: string, page: 'confirm-email' | 'verify-email'): string | null {
  let files: string[];
  try {
    files = readdirSync(mailbox()).filter((f) => f.endsWith('.eml'));
  } catch {
    return null;
  }
  for (const file of files.sort().reverse()) {
    const text = readFileSync(path.join(mailbox(), file), 'utf8');
    if (!new RegExp(`^To: ${to.replace(/[.+]/g, '\\$&')}$`, 'm').test(text)) continue;
    const link = new RegExp(`https?://\\S+/${page}\\?token=\\S+`).exec(text);
    if (link) return link[0];
  }
  return null;
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
}

test('plan, organizations, e-mail change and sign out everywhere', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const email = `account-${stamp}@example.com`;
  const moved = `moved-${stamp}@example.com`;

  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await settle(page);
  await expect(page.getByTestId('oauth-buttons')).toHaveCount(0);

  await register(page, { name: 'Ada Account', org: 'Account Co', email });

  // Sign-up mails a link that verifies the address; until it is opened the dashboard says so.
  await page.goto('/dashboard/settings');
  const banner = page.getByTestId('verify-email-banner');
  await expect(banner).toContainText(email);
  await page.getByTestId('verify-email-resend').click();
  await expect(page.getByTestId('verify-email-sent')).toBeVisible();
  await shot(page, testInfo, 'account-verify-banner', { idleTimeoutMs: 5_000 });
  let verify: string | null = null;
  await expect
    .poll(() => (verify = mailedLink(email, 'verify-email')), { timeout: 10_000 })
    .not.toBeNull();
  const verifyUrl = new URL(verify!);
  await page.goto(`${verifyUrl.pathname}${verifyUrl.search}`);
  await expect(page.getByTestId('email-verified')).toContainText(email);
  await shot(page, testInfo, 'account-email-verified');
  await page.reload(); // once only
  await expect(page.getByTestId('email-verify-failed')).toBeVisible();
  await page.goto('/dashboard/settings');
  await expect(page.getByTestId('email-card')).toBeVisible();
  await expect(banner).toHaveCount(0);

  await page.goto('/dashboard/usage');
  await expect(page.getByTestId('usage-plan-name')).toHaveText('Trial');
  await expect(page.getByTestId('usage-plan')).toContainText('days left');
  await shot(page, testInfo, 'account-usage-plan', { idleTimeoutMs: 5_000 });

  await page.goto('/dashboard/settings');
  await page.getByLabel('Rename this organization').fill('Account Co Renamed');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByText('Organization renamed.')).toBeVisible();
  await expect(page.getByTestId('org-list')).toContainText('Account Co Renamed');

  await page.getByLabel('New organization').fill('Second Co');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('org-list')).toContainText('Second Co');
  await expect(page.getByTestId('org-list').getByText('selected')).toBeVisible();

  await page.getByLabel('New email').fill(moved);
  await page.getByLabel('Current password').first().fill('correct-horse-battery-9');
  await page.getByRole('button', { name: 'Change email' }).click();
  await expect(page.getByTestId('email-pending')).toContainText(moved);
  await shot(page, testInfo, 'account-settings', { idleTimeoutMs: 5_000 });

  let link: string | null = null;
  await expect
    .poll(() => (link = mailedLink(moved, 'confirm-email')), { timeout: 10_000 })
    .not.toBeNull();
  const url = new URL(link!);
  await page.goto(`${url.pathname}${url.search}`);
  await expect(page.getByTestId('email-confirmed')).toContainText(moved);
  await shot(page, testInfo, 'account-email-confirmed');
  // The link works once.
  await page.reload();
  await expect(page.getByTestId('email-confirm-failed')).toBeVisible();

  await page.goto('/dashboard/settings');
  await expect(page.getByTestId('email-card').getByLabel('Email', { exact: true })).toHaveValue(
    moved,
  );

  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByTestId('confirm').click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/dashboard/settings');
  await expect(page).toHaveURL(/\/login/, { timeout: 15_000 });

  // The new address signs in.
  await page.getByLabel('Work email').fill(moved);
  await page.getByLabel('Password').fill('correct-horse-battery-9');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard/, { timeout: 30_000 });
});
