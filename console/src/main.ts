/** The reference release console: sign in, pick an environment, release it and follow the order live. */
import { byId, h, show } from './dom.js';
import { disconnect, request, whenUnauthenticated } from './graphql.js';
import * as op from './operations.js';
import { session } from './session.js';
import { renderApps, type EnvironmentSummary } from './views/apps.js';
import { signInView } from './views/sign-in.js';

const root = byId('root');
const viewerEl = byId('viewer');

function signOut(notice = ''): void {
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
  let selected: string | null = null;
  const refresh = () =>
    renderApps(apps, selected, (env: EnvironmentSummary) => {
      selected = env.id;
      void refresh();
      show(detail, h('section', {}, h('h2', {}, env.kind)));
    }).catch((error: unknown) => show(apps, h('p', { class: 'error' }, String(error))));
  await refresh();
}

void start().catch((error: unknown) => show(root, h('section', {}, h('p', { class: 'error' }, String(error)))));
