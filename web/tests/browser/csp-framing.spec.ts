import { expect, test, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, demo, demoPassword } from './support';

/** `/embed/<key>` may be framed by its deployment's allowed origins only (CSP `frame-ancestors`
 *  from the proxy); every other page by nobody. */

async function bearer(page: Page): Promise<Record<string, string>> {
  const login = await page.request.post('/api/v1/auth/login', {
    data: { email: demo().email, password: demoPassword(), delivery: 'body' },
  });
  expect(login.ok()).toBe(true);
  return { authorization: `Bearer ${(await login.json()).access_token}` };
}

// The framing pages are routed "public" hosts and the web app listens on loopback: Chromium's
// local-network-access checks would refuse every such frame, whatever its CSP says.
test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks'],
  },
});

test('the embed page is framed by its deployment’s origins only', async ({ page, baseURL }) => {
  const headers = await bearer(page);
  const created = await page.request.post(
    `/api/v1/session-templates/${demo().handoff_template_id}/deployments`,
    {
      headers,
      data: {
        name: `framing ${Date.now().toString(36)}`,
        allowed_origins: ['http://partner.test'],
      },
    },
  );
  expect(created.status()).toBe(201);
  const { embed_key: key } = await created.json();
  const embed = `${baseURL}/embed/${key}`;

  const direct = await page.request.get(embed);
  expect(direct.headers()['content-security-policy']).toContain(
    'frame-ancestors http://partner.test',
  );
  expect(direct.headers()['x-frame-options']).toBeUndefined();
  const other = await page.request.get('/login');
  expect(other.headers()['x-frame-options']).toBe('DENY');

  const host = (body: string) => ({ status: 200, contentType: 'text/html', body });
  const framing = `<!doctype html><iframe id="embed" src="${embed}" width="600" height="600"></iframe>`;
  await page.route('http://partner.test/**', (route) => route.fulfill(host(framing)));
  await page.route('http://evil.test/**', (route) => route.fulfill(host(framing)));

  // An allowed origin: the start page renders inside the frame.
  await page.goto('http://partner.test/');
  await expect(page.frameLocator('#embed').getByTestId('start-session')).toBeVisible({
    timeout: 30_000,
  });

  // Any other origin: the browser refuses to render it.
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors/.test(message.text())) refused.push(message.text());
  });
  await page.goto('http://evil.test/');
  await expect.poll(() => refused.length, { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(page.frameLocator('#embed').getByTestId('start-session')).toHaveCount(0);
});
