/**
 * A real browser for tests: Debian's chromium, headless, driven by puppeteer-core. Where chromium
 * is not installed the browser tests are skipped with a message saying so (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here; null when they can. */
export const chromiumMissing: string | null = existsSync(CHROMIUM)
  ? null
  : `chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CAIRN_CHROMIUM): browser tests skipped`;

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
}

/** Where a page tried to go that is not this machine, and what it logged (errors and policy violations). */
export interface PageWatch {
  /** URLs of requests that would have left the machine (they were aborted). */
  outside: string[];
  /** Console errors, uncaught exceptions and content-security-policy violations. */
  problems: string[];
}

/**
 * Lets the page reach only this machine (127.0.0.1, localhost, ::1, data: and blob: URLs): any other
 * request is aborted and recorded. Records console errors, page errors and CSP violations too.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { outside: [], problems: [] };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.protocol === 'data:' || url.protocol === 'blob:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (local) return void request.continue();
    watch.outside.push(request.url());
    void request.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watch.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => watch.problems.push(`page error: ${String(error)}`));
  await page.exposeFunction('__cairnViolation', (text: string) => watch.problems.push(text));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cairnViolation: (t: string) => void }).__cairnViolation(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return watch;
}

/** Where tests save screenshots: CAIRN_SCREENSHOTS=<folder> (e.g. docs); null to save none. */
export const screenshotFolder: string | null = process.env.CAIRN_SCREENSHOTS ?? null;
