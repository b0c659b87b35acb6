/**
 * Debian's chromium, headless, driven by puppeteer-core. Every request the page makes is checked:
 * one that would leave cairn's host is refused and recorded (so is a WebSocket to another host).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumInstalled = existsSync(CHROMIUM);

export interface ConsoleBrowser {
  page: Page;
  /** URLs the page tried to reach outside `origin` (refused). */
  offHost: string[];
  /** Errors the page threw or logged (console.error). */
  pageErrors: string[];
  /** The bodies of the page's POSTs to /graphql, parsed. */
  graphqlBodies: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function openBrowser(origin: string): Promise<ConsoleBrowser> {
  const browser: Browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: 60_000,
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const host = new URL(origin).host;
  const offHost: string[] = [];
  const pageErrors: string[] = [];
  const graphqlBodies: Array<Record<string, unknown>> = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (request.method() === 'POST' && url.endsWith('/graphql')) graphqlBodies.push(JSON.parse(request.postData() ?? '{}') as Record<string, unknown>);
    if (url.startsWith('data:') || new URL(url).host === host) return void request.continue();
    offHost.push(url);
    void request.abort('blockedbyclient');
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', ({ url }) => {
    if (new URL(url).host !== host) offHost.push(url);
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return { page, offHost, pageErrors, graphqlBodies, close: () => browser.close() };
}

/** Waits until the page's visible text (document.body.innerText) contains `text`. */
export async function waitForText(page: Page, text: string, within = 'body', timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (selector: string, wanted: string) => (document.querySelector(selector) as HTMLElement | null)?.innerText.includes(wanted) ?? false,
    { timeout, polling: 'mutation' },
    within,
    text,
  );
}

/** The visible text of the first element matching `selector`. */
export function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as HTMLElement).innerText);
}
