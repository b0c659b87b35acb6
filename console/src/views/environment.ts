/**
 * One environment: what runs there, its draft (image tag and instance count), the preview of a
 * release (batch plan and differences from what runs), the submit form, and the order it follows.
 */
import { h, show } from '../dom.js';
import { request } from '../graphql.js';
import * as op from '../operations.js';
import { describeFailure, type Problem, type Result } from '../types.js';
import { orderView } from './order.js';

interface Environment {
  id: string;
  kind: string;
  clusterName: string;
  namespace: string;
  app: { id: string; name: string };
  desiredInstances: number;
  runningInstances: number | null;
  config: { version: number; imageTag: string | null; image: string | null; officialImage: string | null; instances: number; cpuMillicores: number; memoryMb: number };
  deployedRevision: { number: number; imageTag: string; imageReference: string } | null;
  activeReleaseOrder: { id: string; state: string } | null;
  releaseOrders: { totalCount: number; edges: { node: { id: string; kind: string; state: string; createdAt: string; createdBy: string; revision: { number: number; imageTag: string } } }[] };
}

interface Preview {
  imageReference: string | null;
  batchSizes: number[];
  deployedRevision: { number: number } | null;
  changes: { path: string[]; before: string | null; after: string | null; secret: boolean }[];
  warnings: { code: string; message: string }[];
  problems: Problem[];
  activeReleaseOrder: { id: string; state: string } | null;
}

const PAUSE_MODES = ['NONE', 'FIRST_BATCH', 'EVERY_BATCH'];

async function load(id: string): Promise<Environment> {
  const data = await request<{ node: Environment | null }>(op.Environment, { id });
  if (!data.node) throw new Error('This environment no longer exists (or your token cannot see it).');
  return data.node;
}

/** Shows the environment `id` in `el`; `changed` is told when something it shows changed (the app list refreshes). */
export async function environmentView(el: HTMLElement, id: string, changed: () => void): Promise<{ close(): void }> {
  let env = await load(id);
  let order: { close(): void } | null = null;

  const summary = h('section', { id: 'environment' });
  const orders = h('div', { id: 'orders' });
  const renderSummary = () => {
    const running = env.runningInstances ?? '?';
    show(
      summary,
      h('h2', {}, `${env.app.name} · ${env.kind}`),
      h('p', {}, `Cluster ${env.clusterName}, namespace ${env.namespace}. `,
        env.deployedRevision ? `Revision ${env.deployedRevision.number} runs (${env.deployedRevision.imageReference}); ` : 'Nothing is deployed yet; ',
        `${running} of ${env.desiredInstances} instances running.`),
    );
    show(
      orders,
      h('h3', {}, `Release orders (${env.releaseOrders.totalCount})`),
      env.releaseOrders.edges.length === 0
        ? h('p', { class: 'muted' }, 'None yet.')
        : h('table', {}, h('tr', {}, h('th', {}, 'Revision'), h('th', {}, 'Kind'), h('th', {}, 'State'), h('th', {}, 'By'), h('th', {}, '')),
          env.releaseOrders.edges.map(({ node: o }) =>
            h('tr', {}, h('td', {}, `${o.revision.number} (${o.revision.imageTag})`), h('td', {}, o.kind), h('td', { class: `state state-${o.state}` }, o.state), h('td', {}, o.createdBy),
              h('td', {}, h('button', { onclick: () => follow(o.id) }, 'Follow'))))),
    );
  };

  // The draft: image tag and instance count (the rest of the configuration is edited through the API).
  const tag = h('input', { id: 'image-tag', value: env.config.imageTag ?? '', size: 16 });
  const instances = h('input', { id: 'instances', type: 'number', min: 1, value: env.config.instances, class: 'narrow' });
  const draftMessage = h('span', { id: 'draft-message' });
  const saveDraft = async () => {
    draftMessage.textContent = '';
    draftMessage.className = '';
    const steps: [string, string, Record<string, unknown>][] = [];
    if (tag.value.trim() !== (env.config.imageTag ?? '')) steps.push([op.SetImageTag, 'setImageTag', { imageTag: tag.value.trim() }]);
    if (Number(instances.value) !== env.config.instances) steps.push([op.SetInstanceCount, 'setInstanceCount', { instances: Number(instances.value) }]);
    for (const [document, field, input] of steps) {
      const result = (await request<Record<string, Result<{ config: { version: number } }>>>(document, { input: { environment: env.id, version: env.config.version, ...input } }))[field]!;
      if (!result.config) {
        env = await load(id); // what was saved before the refusal (and the current version)
        draftMessage.className = 'error';
        draftMessage.textContent = describeFailure(result);
        return;
      }
      env.config.version = result.config.version;
    }
    env = await load(id);
    draftMessage.textContent = steps.length ? `Draft saved (version ${env.config.version}).` : 'Nothing changed.';
    renderSummary();
    await preview();
  };
  const draft = h(
    'section',
    { id: 'draft' },
    h('h3', {}, 'Draft configuration'),
    h('p', { class: 'muted' }, `${env.config.officialImage ?? env.config.image ?? 'no image'} · ${env.config.cpuMillicores} mCPU · ${env.config.memoryMb} MB · version ${env.config.version}`),
    h('div', { class: 'actions' }, h('label', {}, 'Image tag ', tag), h('label', {}, 'Instances ', instances),
      h('button', { id: 'save-draft', onclick: () => void saveDraft().catch(fail(draftMessage)) }, 'Save draft'), draftMessage),
  );

  // The release: batches, pause mode, the preview, submit.
  const batchCount = h('input', { id: 'batch-count', type: 'number', min: 1, value: Math.min(2, env.config.instances), class: 'narrow', onchange: () => void preview() });
  const pauseMode = h('select', { id: 'pause-mode' }, PAUSE_MODES.map((m) => h('option', { value: m }, m)));
  const description = h('input', { id: 'description', placeholder: 'What this release is for', size: 30 });
  const previewEl = h('div', { id: 'preview' });
  const submitMessage = h('span', { id: 'submit-message' });
  const submit = h('button', { id: 'submit-order', class: 'primary', onclick: () => void submitOrder().catch(fail(submitMessage)) }, 'Submit release order');
  const preview = async () => {
    const answer = (await request<{ previewRelease: Result<Preview> }>(op.PreviewRelease, { environment: env.id, batchCount: Number(batchCount.value) })).previewRelease;
    if (answer.__typename !== 'ReleasePreview') return show(previewEl, h('p', { class: 'error' }, describeFailure(answer)));
    const p = answer as Preview;
    show(
      previewEl,
      h('p', {}, `Deploys ${p.imageReference ?? '(no image yet)'} in ${p.batchSizes.length} batches: ${p.batchSizes.join(' + ')} instances.`),
      p.problems.length ? h('ul', { class: 'error' }, p.problems.map((x) => h('li', {}, `${x.path.join('.')}: ${x.message}`))) : null,
      p.warnings.length ? h('ul', { class: 'muted' }, p.warnings.map((w) => h('li', {}, `${w.code}: ${w.message}`))) : null,
      p.activeReleaseOrder ? h('p', { class: 'error' }, `An order is in progress (${p.activeReleaseOrder.state}): it must finish first.`) : null,
      h('h3', {}, p.deployedRevision ? `Changes from revision ${p.deployedRevision.number}` : 'Everything is new (first release)'),
      p.changes.length === 0 ? h('p', { class: 'muted' }, 'No changes: the draft is what runs.') : diff(p.changes),
    );
  };
  const submitOrder = async () => {
    submitMessage.textContent = '';
    submitMessage.className = '';
    const input = { environment: env.id, batchCount: Number(batchCount.value), pauseMode: pauseMode.value, ...(description.value.trim() ? { description: description.value.trim() } : {}) };
    const result = (await request<{ createReleaseOrder: Result<{ releaseOrder: { id: string } }> }>(op.CreateReleaseOrder, { input })).createReleaseOrder;
    if (!result.releaseOrder) {
      submitMessage.className = 'error';
      submitMessage.textContent = describeFailure(result);
      return;
    }
    submitMessage.textContent = 'Submitted.';
    description.value = '';
    await refresh();
    follow(result.releaseOrder.id);
  };
  const release = h(
    'section',
    { id: 'release' },
    h('h3', {}, 'Release the draft'),
    h('div', { class: 'actions' }, h('label', {}, 'Batches ', batchCount), h('label', {}, 'Pause ', pauseMode), h('label', {}, description)),
    previewEl,
    h('div', { class: 'actions' }, submit, submitMessage),
  );

  const orderEl = h('div', { id: 'order' });
  const refresh = async () => {
    env = await load(id);
    renderSummary();
    changed();
    await preview();
  };
  const follow = (orderId: string) => {
    order?.close();
    order = orderView(orderEl, orderId, () => void refresh().catch(() => {}));
  };

  renderSummary();
  show(el, summary, orderEl, draft, release, h('section', {}, orders));
  await preview().catch(fail(previewEl));
  const current = env.activeReleaseOrder?.id ?? env.releaseOrders.edges[0]?.node.id;
  if (current) follow(current);
  return { close: () => order?.close() };
}

const DIFF_ROWS_OPEN = 8;

/** The differences as a table: setting, deployed value, draft value (secrets masked); a long one folded. */
function diff(changes: Preview['changes']): HTMLElement {
  const table = h('table', { class: 'diff' }, h('tr', {}, h('th', {}, 'Setting'), h('th', {}, 'Deployed'), h('th', {}, 'Draft')),
    changes.map((c) => h('tr', {}, h('td', {}, c.path.join('.')), h('td', { class: 'before' }, c.secret ? '••••' : (c.before ?? '—')), h('td', { class: 'after' }, c.secret ? '••••' : (c.after ?? '—')))));
  return h('details', { open: changes.length <= DIFF_ROWS_OPEN }, h('summary', {}, `${changes.length} setting${changes.length === 1 ? '' : 's'}`), table);
}

/** Shows an unexpected failure in `el`. */
function fail(el: HTMLElement) {
  return (error: unknown) => {
    el.className = 'error';
    el.textContent = error instanceof Error ? error.message : String(error);
  };
}
