/** The reference release console: sign in, pick an environment, release it and follow the order live. */
import { byId, h, show } from './dom.js';
import { disconnect, request, whenUnauthenticated } from './graphql.js';
import * as op from './operations.js';
import { session } from './session.js';
import { renderApps, type EnvironmentSummary } from './views/apps.js';
import { environmentView } from './views/environment.js';
import { signInView } from './views/sign-in.js';

const root = byId('root');
const viewerEl = byId('viewer');
let current: { close(): void } | null = null;

function signOut(notice = ''): void {
  current?.close();
  current = null;
  session.signOut();
  disconnect();
  show(viewerEl);
  signInView(root, () => void start(), notice);
}

whenUnauthenticated(() => signOut('The token was refused: sign in again.'));

async function start(): Promise<void> {
  if (!session.token()) return signOut();
  const { viewer } = await request<{ viewer: { name: string; admin: boolean } }>(op.Viewer);
  show(viewerEl, h('span', { id: 'viewer-name' }, `${viewer.name}${viewer.admin ? ' (admin)' : ''}`), h('button', { id: 'sign-out', onclick: () => signOut() }, 'Sign out'));
  root.className = '';
  const apps = h('section', { id: 'apps', class: 'apps' }, 'Loading apps…');
  const detail = h('div', { id: 'detail' }, h('section', {}, h('p', { class: 'muted' }, 'Pick an environment.')));
  show(root, h('div', {}, apps), detail);
  // The environment shown is in the URL (#env=<id>), so a reload comes back to it.
  let selected: string | null = new URLSearchParams(location.hash.slice(1)).get('env');
  const refresh = () => renderApps(apps, selected, (env: EnvironmentSummary) => void select(env.id)).catch((error: unknown) => show(apps, h('p', { class: 'error' }, String(error))));
  let shown = 0; // the latest selection wins when two load at once
  const select = async (id: string) => {
    const mine = ++shown;
    selected = id;
    history.replaceState(null, '', `#env=${encodeURIComponent(id)}`);
    current?.close();
    current = null;
    void refresh();
    show(detail, h('section', {}, h('p', { class: 'muted' }, 'Loading…')));
    // Built off-page and shown only if it is still the one picked.
    const container = h('div');
    const view = await environmentView(container, id, () => void refresh()).catch((error: unknown) => {
      show(container, h('section', {}, h('p', { class: 'error' }, String(error instanceof Error ? error.message : error))));
      return null;
    });
    if (mine !== shown) return view?.close();
    current = view;
    show(detail, container);
  };
  await refresh();
  if (selected) await select(selected);
}

void start().catch((error: unknown) => show(root, h('section', {}, h('p', { class: 'error' }, String(error instanceof Error ? error.message : error)))));
