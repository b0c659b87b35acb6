/** The app list: apps → environments, with the deployed revision, instance counts and the order in progress. */
import { h, show } from '../dom.js';
import { request } from '../graphql.js';
import * as op from '../operations.js';

export interface EnvironmentSummary {
  id: string;
  kind: string;
  clusterName: string;
  desiredInstances: number;
  runningInstances: number | null;
  deployedRevision: { number: number; imageTag: string } | null;
  activeReleaseOrder: { id: string; state: string } | null;
}

interface AppSummary {
  id: string;
  name: string;
  appType: string;
  businessType: string;
  environments: EnvironmentSummary[];
}

const PAGE = 100;

/** Loads the apps and shows them in `el`; `select` is called with the environment clicked. */
export async function renderApps(el: HTMLElement, selected: string | null, select: (env: EnvironmentSummary, app: AppSummary) => void): Promise<void> {
  const data = await request<{ apps: { totalCount: number; edges: { node: AppSummary }[] } }>(op.Apps, { first: PAGE });
  const apps = data.apps.edges.map((e) => e.node);
  show(
    el,
    h('h2', {}, 'Apps ', h('span', { class: 'muted' }, `(${data.apps.totalCount})`)),
    apps.length === 0 ? h('p', { class: 'muted' }, 'No apps yet: an admin creates them with createApp.') : null,
    apps.map((app) =>
      h(
        'div',
        { class: 'app', 'data-app': app.name },
        h('strong', {}, app.name),
        ' ',
        h('span', { class: 'muted' }, `${app.appType.toLowerCase()} · ${app.businessType}`),
        app.environments.map((env) =>
          h(
            'button',
            { class: `env${env.id === selected ? ' selected' : ''}`, 'data-env': `${app.name}/${env.kind}`, onclick: () => select(env, app) },
            h('strong', {}, env.kind),
            ` · ${env.clusterName} · `,
            env.deployedRevision ? `revision ${env.deployedRevision.number} (${env.deployedRevision.imageTag})` : 'nothing deployed',
            ` · ${env.runningInstances ?? '?'}/${env.desiredInstances} instances`,
            env.activeReleaseOrder ? [' · ', h('span', { class: `state state-${env.activeReleaseOrder.state}` }, env.activeReleaseOrder.state)] : null,
          ),
        ),
      ),
    ),
    data.apps.totalCount > apps.length ? h('p', { class: 'muted' }, `The first ${PAGE} apps are shown.`) : null,
  );
}
