import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';

/**
 * Shared set-up for the browser specs: the Chromium launch flags, the demo organization that
 * `stack.sh` / `make test` seed, signing in and registering, and full-page screenshots into
 * test-results/screenshots.
 */

/** Chromium flags for every spec (playwright.config.ts): offline, no first-run or sync noise. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Plus a fake microphone/camera that is granted without a prompt and audio that autoplays. */
export const MEDIA_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `test.use(...)` for specs that join a live session: desktop viewport, fake microphone. */
export const MEDIA_USE = {
  viewport: { width: 1366, height: 900 },
  permissions: ['microphone'],
  launchOptions: { executablePath: CHROMIUM_PATH, args: MEDIA_CHROMIUM_ARGS },
};

/** The seeded demo organization (the JSON file `TROUPE_DEMO_FILE` names). */
export interface Demo {
  email: string;
  handoff_template_id: string;
  /** The scripted two-agent template's public embed key (deterministic, fake LLM). */
  handoff_embed_key?: string;
}

export function demo(): Demo {
  const file = process.env.TROUPE_DEMO_FILE;
  if (!file) throw new Error('TROUPE_DEMO_FILE is not set: run through make test or stack.sh');
  return JSON.parse(readFileSync(file, 'utf8')) as Demo;
}

/** The demo user's password (`TROUPE_DEMO_PASSWORD`). */
export function demoPassword(): string {
  const password = process.env.TROUPE_DEMO_PASSWORD;
  if (!password) throw new Error('TROUPE_DEMO_PASSWORD is not set');
  return password;
}

/** Signs the demo user in through the login form; ends on the dashboard. */
export async function login(page: Page, email: string) {
  const password = demoPassword();
  await page.goto('/login');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard/, { timeout: 30_000 });
}

/** Creates a fresh user and organization through the registration form; ends on /dashboard. */
export async function register(page: Page, who: { name: string; org: string; email: string }) {
  await page.goto('/register');
  await page.getByLabel('Name', { exact: true }).fill(who.name);
  await page.getByLabel('Organization').fill(who.org);
  await page.getByLabel('Work email').fill(who.email);
  await page.getByLabel('Password').fill('correct-horse-battery-9');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/**
 * A full-page screenshot to test-results/screenshots/<name>.png once the page has settled.
 * `idleTimeoutMs` bounds the wait for network idle (a page that polls never gets there);
 * `fromTop` scrolls up first (a full-page shot of a scrolled page repeats the sticky header).
 */
export async function shot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  options: { idleTimeoutMs?: number; fromTop?: boolean } = {},
) {
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', `${name}.png`);
  await page
    .waitForLoadState(
      'networkidle',
      options.idleTimeoutMs === undefined ? undefined : { timeout: options.idleTimeoutMs },
    )
    .catch(() => undefined);
  if (options.fromTop) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
}

/** The repository root (the specs run in web/; a copy of web/ elsewhere names it in TROUPE_REPO_ROOT). */
export const REPO_ROOT = process.env.TROUPE_REPO_ROOT ?? path.resolve(process.cwd(), '..');

/** Bearer headers of `email` (with the demo password), signed in through the API. */
export async function apiBearer(
  request: APIRequestContext,
  email: string,
): Promise<Record<string, string>> {
  const r = await request.post('/api/v1/auth/login', {
    data: { email, password: demoPassword(), delivery: 'body' },
  });
  expect(r.status(), await r.text()).toBe(200);
  return { Authorization: `Bearer ${(await r.json()).access_token}` };
}

/**
 * `sentence` as a WAV for Chromium's fake microphone, spoken by the local Piper voice
 * (tests/e2e/support.speech_wav) with `leadS` / `tailS` seconds of silence around it.
 */
export function piperSpeechWav(
  name: string,
  sentence: string,
  { leadS, tailS }: { leadS: number; tailS: number },
): string {
  const file = path.join(os.tmpdir(), `troupe-${name}-${process.pid}.wav`);
  execFileSync(
    'uv',
    [
      'run',
      '--frozen',
      'python',
      '-c',
      'import sys; from pathlib import Path; from tests.e2e.support import speech_wav; ' +
        'speech_wav(sys.argv[2], Path(sys.argv[1]), lead_s=float(sys.argv[3]), tail_s=float(sys.argv[4]))',
      file,
      sentence,
      String(leadS),
      String(tailS),
    ],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  return file;
}
