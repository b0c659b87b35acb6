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

// Waits are on conditions; the timeout only bounds a test on a loaded machine.
describe.skipIf(!chromiumInstalled)('the reference console in chromium', { timeout: 90_000 }, () => {
  let cairn: ConsoleCairn;
  let browser: ConsoleBrowser;
  let envId: string;
  let token: string;

  beforeAll(async () => {
    cairn = await startConsoleCairn();
    // The app and its draft are set up through the API, as an admin would (the e2e tests' operations).
    const api = { gql: (query: string, variables?: Record<string, unknown>) => cairn.gql(query, variables) } as Cairn;
    ({ envId } = await createApp(api, 'shop', 'STATELESS'));
    await setDraft(api, envId, { instances: 4, tag: '1.25', greeting: 'hello', file: 'one' });
    await createApp(api, 'billing', 'STATEFUL'); // a second app in the list
    // The browser signs in as the app's owner, not an admin: under CAIRN_PERSISTED_ONLY it may send hashes only.
    token = await cairn.memberToken('console-owner', { shop: 'OWNER', billing: 'VIEWER' });
    browser = await openBrowser(cairn.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cairn?.stop();
  });

  it('signs in with a token and lists the apps with their environments', async () => {
    const { page } = browser;
    await page.goto(`${cairn.origin}/console`);
    await page.waitForSelector('#token');
    await page.type('#token', 'cairn_not-a-token');
    await page.click('#sign-in');
    await waitForText(page, 'The API token is not valid.', '#sign-in-error');
    await page.$eval('#token', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#token', token);
    await page.click('#sign-in');
    await waitForText(page, 'console-owner', '#viewer');
    expect(await textOf(page, '#viewer')).not.toContain('(admin)');
    await waitForText(page, 'shop', '#apps');
    const apps = await textOf(page, '#apps');
    expect(apps).toContain('PRODUCTION · e2e-production · nothing deployed · 0/4 instances');
    expect(apps).toContain('TEST · e2e-test');
  });

  it('releases 4 instances in 2 batches with FIRST_BATCH: the preview, the pause, resume, COMPLETED', async () => {
    const { page } = browser;
    await page.click('[data-env="shop/PRODUCTION"]');
    await waitForText(page, 'Deploys nginx:1.25 in 2 batches: 2 + 2 instances.', '#preview');
    expect(await textOf(page, '#preview')).toContain('Everything is new (first release)');
    await page.select('#pause-mode', 'FIRST_BATCH');
    await page.type('#description', 'first release');
    await page.click('#submit-order');
    await waitForText(page, 'PAUSED', '#order-state');
    expect(await textOf(page, '#batches')).toMatch(/Batch 1\s+2 instances · DONE\s*Batch 2\s+2 instances · PENDING/);
    expect(await textOf(page, '#order-status')).toContain('1 of 2 batches done, pause mode FIRST_BATCH');
    await waitForText(page, 'Instances (2)', '#instances-live');
    expect((await textOf(page, '#instances-live')).match(/\bREADY\b/g)).toHaveLength(2);
    expect(await page.$eval('#resume', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    await waitForText(page, 'PAUSED', '#apps');
    if (SCREENSHOTS) await screenshot('order');

    expect(await page.$eval('#switch-mode-select', (el) => (el as HTMLSelectElement).value)).toBe('FIRST_BATCH');
    await page.select('#switch-mode-select', 'NONE');
    await page.click('#switch-mode');
    await waitForText(page, 'Pause mode is now NONE.', '#order-message');
    await waitForText(page, 'pause mode NONE', '#order-status');

    await page.click('#resume');
    await waitForText(page, 'COMPLETED', '#order-state', 30_000);
    expect(await textOf(page, '#batches')).toMatch(/Batch 1\s+2 instances · DONE\s*Batch 2\s+2 instances · DONE/);
    expect(await page.$eval('#resume', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await waitForText(page, 'revision 1 (1.25) · 4/4 instances', '#apps');
    await waitForText(page, 'No changes: the draft is what runs.', '#preview');
    if (SCREENSHOTS) await screenshot('apps');
  });

  it('shows an instance\'s log tail and runs a command in its terminal', async () => {
    const { page } = browser;
    await waitForText(page, 'Instances (4)', '#instances-live');
    await page.click('#instances-live tr[data-instance] button.logs');
    await page.waitForFunction(() => (document.querySelector('#log')?.textContent ?? '').length > 0, { polling: 'mutation' });
    await page.click('#instances-live tr[data-instance] button.terminal');
    await waitForText(page, 'Shell in container', '#terminal-status');
    await page.type('#terminal-input', 'cat /etc/cairn/release.txt\n');
    await waitForText(page, 'one', '#terminal-output');
    await page.click('#terminal-close');
    await waitForText(page, 'Closed.', '#terminal-status');
  });

  it('a broken tag fails with IMAGE_PULL, and the order is rolled back', async () => {
    const { page } = browser;
    await page.$eval('#image-tag', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#image-tag', '9.9.9');
    await page.click('#save-draft');
    await waitForText(page, 'Draft saved', '#draft-message');
    await waitForText(page, 'Deploys nginx:9.9.9', '#preview');
    expect(await textOf(page, '#preview')).toMatch(/Changes from revision 1\s+1 setting\s+Setting\s+Deployed\s+Draft\s+imageTag\s+1\.25\s+9\.9\.9/);
    await page.select('#pause-mode', 'NONE');
    await page.click('#submit-order');
    await waitForText(page, 'revision 2 (9.9.9)', '#order');
    await waitForText(page, 'IMAGE_PULL', '#failures', 30_000);
    await waitForText(page, 'IMAGE_PULL_FAILED', '#instances-live');
    await waitForText(page, 'FAILED', '#order-state');
    expect(await textOf(page, '#warnings')).toMatch(/Warning events \([1-9]/);
    if (SCREENSHOTS) await screenshot('failure');
    await page.click('#rollback');
    await waitForText(page, 'ROLLED_BACK', '#order-state', 30_000);
    await waitForText(page, 'revision 1 (1.25) · 4/4 instances', '#apps');
  });

  it('a revoked token ends the live feed and brings the sign-in form back', async () => {
    const { page } = browser;
    const { data } = await cairn.gql('query { apiTokens(first: 50) { edges { node { id name } } } }');
    const id = data.apiTokens.edges.find((e: { node: { name: string } }) => e.node.name === 'console-owner').node.id;
    const revoked = await cairn.gql('mutation ($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { __typename } }', { input: { id } });
    expect(revoked.data?.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
    await waitForText(page, 'The token was refused: sign in again.', '#sign-in-error');
    expect(await page.evaluate(() => sessionStorage.getItem('cairn.token'))).toBeNull();
  });

  it('sent every operation as its persisted hash (the server runs persisted operations only)', () => {
    expect(browser.graphqlBodies.length).toBeGreaterThan(10);
    for (const body of browser.graphqlBodies) {
      expect(body.query).toBeUndefined();
      expect(body.extensions).toMatchObject({ persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    }
  });

  it('no request left cairn\'s host, and the page threw nothing', () => {
    expect(browser.offHost).toEqual([]);
    // The only errors the page saw are 401s, on purpose: the refused token at sign-in, and the revoked token's
    // last requests (how many depends on what was in flight when it was revoked).
    expect(browser.pageErrors.length).toBeGreaterThanOrEqual(1);
    expect(new Set(browser.pageErrors)).toEqual(new Set(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']));
  });

  async function screenshot(name: string) {
    mkdirSync(DOCS, { recursive: true });
    await browser.page.evaluate(() => window.scrollTo(0, 0));
    await browser.page.screenshot({ path: join(DOCS, `console-${name}.png`) as `${string}.png` });
  }
});
