/**
 * GraphiQL, served whole from the installed packages: `@graphql-yoga/render-graphiql` inlines
 * GraphiQL's script, styles and editor workers into one page, so a browser fetches nothing but the
 * page and /graphql — no CDN, nothing for a machine without internet access to miss.
 *
 * cairn adds two things. A token prompt: the page asks for an API token before GraphiQL starts and
 * sends it as `Authorization: Bearer …` with every request GraphiQL makes (the introspection of the
 * Docs panel included, so the schema loads at once); the token stays in the tab's sessionStorage
 * and never shows in the Headers editor. And a content-security policy: only this page's own
 * inline script (by its sha256), its styles, its workers (blob: URLs) and requests to this origin.
 */
import { createHash } from 'node:crypto';
import type { GraphiQLOptions, Plugin, YogaLogger } from 'graphql-yoga';
import { cacheSuccess, unavailable } from './cache-success.js';
import { GRAPHIQL_TOUR } from './graphiql-tour.js';
import { isConsolePath } from './console-route.js';

/** The options GraphiQL starts with (the token is added in the browser). */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'cairn',
  // GraphiQL runs subscriptions over server-sent events: plain requests that carry the token.
  subscriptionsProtocol: 'SSE',
  defaultQuery: GRAPHIQL_TOUR,
  shouldPersistHeaders: false,
  schemaDescription: true,
  inputValueDeprecation: true,
};

/** The sessionStorage key of the token the prompt asked for. */
export const TOKEN_KEY = 'cairn.graphiql.token';

/**
 * Replaces yoga's `renderYogaGraphiQL(root, options)` call: asks for a token first (unless the tab
 * has one), then starts GraphiQL with it. DOM built with createElement and styled through the CSSOM,
 * so the policy needs no inline event handlers. `__OPTIONS__` is the options' JSON.
 */
const START = `(function (options) {
  var KEY = ${JSON.stringify(TOKEN_KEY)};
  var root = window.document.querySelector('#root');
  function start(token) {
    options.additionalHeaders = Object.assign({}, options.additionalHeaders, { Authorization: 'Bearer ' + token });
    YogaGraphiQL.renderYogaGraphiQL(root, options);
  }
  var saved = window.sessionStorage.getItem(KEY);
  if (saved) return start(saved);
  var form = document.createElement('form');
  form.id = 'cairn-token';
  Object.assign(form.style, { maxWidth: '34rem', margin: '12vh auto', padding: '2rem', fontFamily: 'system-ui, sans-serif', border: '1px solid #ccc', borderRadius: '8px' });
  var title = document.createElement('h1');
  title.textContent = 'cairn';
  Object.assign(title.style, { margin: '0 0 1rem', fontSize: '1.5rem' });
  var label = document.createElement('label');
  label.textContent = 'API token (npm start writes the first admin token to data/admin-token):';
  label.htmlFor = 'cairn-token-input';
  Object.assign(label.style, { display: 'block', marginBottom: '0.5rem' });
  var input = document.createElement('input');
  input.id = 'cairn-token-input';
  input.type = 'password';
  input.autocomplete = 'off';
  input.required = true;
  Object.assign(input.style, { width: '100%', boxSizing: 'border-box', padding: '0.5rem', fontFamily: 'monospace' });
  var button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'Open GraphiQL';
  Object.assign(button.style, { marginTop: '1rem', padding: '0.5rem 1rem' });
  var note = document.createElement('p');
  note.textContent = 'The token is kept in this tab only (sessionStorage) and sent as the Authorization header with every request; close the tab to forget it.';
  Object.assign(note.style, { color: '#555', fontSize: '0.85rem' });
  form.append(title, label, input, button, note);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var token = input.value.trim();
    if (!token) return;
    window.sessionStorage.setItem(KEY, token);
    form.remove();
    start(token);
  });
  root.append(form);
  input.focus();
})(__OPTIONS__);`;

export interface GraphiQLPage {
  /** The whole page. */
  html: string;
  /** The Content-Security-Policy header it is served with. */
  csp: string;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page `render` (@graphql-yoga/render-graphiql's) gives for `options`, with the token prompt, and its policy. Throws when the page is not shaped as expected. */
export function graphiqlPage(render: (options: GraphiQLOptions) => string, options: GraphiQLOptions = GRAPHIQL_OPTIONS): GraphiQLPage {
  const rendered = render(options);
  const optionsJson = JSON.stringify(options);
  const callAt = rendered.lastIndexOf('YogaGraphiQL.renderYogaGraphiQL(');
  const optionsAt = callAt < 0 ? -1 : rendered.indexOf(optionsJson, callAt);
  const callEnd = optionsAt < 0 ? -1 : rendered.indexOf(');', optionsAt + optionsJson.length);
  if (callEnd < 0) throw new Error('@graphql-yoga/render-graphiql: its page no longer ends with renderYogaGraphiQL(root, options); update src/server/graphiql.ts');
  const html = rendered.slice(0, callAt) + START.replace('__OPTIONS__', scriptJson(options)) + rendered.slice(callEnd + 2);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => sha256(m[1]!));
  if (scripts.length === 0) throw new Error('@graphql-yoga/render-graphiql: no inline script found');
  const csp = [
    "default-src 'self'",
    `script-src ${scripts.join(' ')}`,
    // GraphiQL's editor (Monaco) and its components add style elements and attributes as they run.
    "style-src 'self' 'unsafe-inline'",
    // The editor's workers are blob: URLs made from the inlined worker code.
    'worker-src blob:',
    // The favicon and icons are data: URLs; the editor's fonts too.
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

/** The renderer's module (9 MB of inlined assets): imported on first use only. */
const importRenderer = async () => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL;

/**
 * cairn's GraphiQL page, built on first use and kept once built (a failed build is not kept: the next
 * request tries again). A server that nobody opens GraphiQL on never loads the renderer.
 */
export function graphiqlPageLoader(renderer: () => Promise<(options: GraphiQLOptions) => string> = importRenderer): () => Promise<GraphiQLPage> {
  return cacheSuccess(async () => graphiqlPage(await renderer()));
}

/** The server's GraphiQL page (graphiqlPageLoader). */
export const loadGraphiqlPage = graphiqlPageLoader();

/** What yoga needs to serve GraphiQL's page: its `graphiql` and `renderGraphiQL` options and a plugin. */
export interface GraphiQLServing {
  /** yoga's `graphiql` option: loads the page first; GRAPHIQL_OPTIONS once it is loaded, false (no page) when loading failed. */
  options: (request: Request) => Promise<GraphiQLOptions | false>;
  /** yoga's `renderGraphiQL`: the loaded page. */
  render: () => Promise<string>;
  /** Answers 503 for a page that could not be loaded, and sets the page's policy and headers. */
  plugin: Plugin;
}

/**
 * Serves GraphiQL's page with its policy (and headers that keep it out of frames and caches of
 * other origins). yoga renders the page (`renderGraphiQL`) once `options` has loaded it; when loading
 * fails, yoga renders nothing and the plugin answers 503 (the cause in the log) — and the next request
 * loads again.
 */
export function serveGraphiql(page: () => Promise<GraphiQLPage> = loadGraphiqlPage): GraphiQLServing {
  const failed = new WeakMap<Request, unknown>();
  let logger: YogaLogger | undefined;
  return {
    async options(request) {
      try {
        await page();
        return GRAPHIQL_OPTIONS;
      } catch (error) {
        failed.set(request, error);
        return false;
      }
    },
    render: async () => (await page()).html,
    plugin: {
      onYogaInit({ yoga }) {
        logger = yoga.logger;
      },
      onRequest({ request, endResponse, fetchAPI }) {
        if (!failed.has(request)) return;
        logger?.error('the GraphiQL page could not be loaded', failed.get(request));
        const answer = unavailable('GraphiQL');
        endResponse(new fetchAPI.Response(answer.body, { status: answer.status, headers: answer.headers }));
      },
      async onResponse({ request, response }) {
        if (request.method !== 'GET' || !(response.headers.get('content-type') ?? '').startsWith('text/html')) return;
        if (isConsolePath(new URL(request.url).pathname)) return; // the console's pages carry their own policy (console-route.ts)
        response.headers.set('content-security-policy', (await page()).csp);
        response.headers.set('x-content-type-options', 'nosniff');
        response.headers.set('referrer-policy', 'no-referrer');
        response.headers.set('cache-control', 'no-store');
      },
    },
  };
}
