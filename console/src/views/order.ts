/**
 * A release order, live from `releaseOrderFeed`: batch progress, the buttons that act on it, its
 * failures, the environment's Warning events (first: they say what is wrong) and its instances with
 * their status, each with a log tail and a terminal.
 */
import { h, show } from '../dom.js';
import { request, subscribe, type Subscription } from '../graphql.js';
import * as op from '../operations.js';
import { describeFailure, type FeedEvent, type Instance, type InstanceEvent, type Order, type Result } from '../types.js';
import { logsView } from './logs.js';
import { terminalView } from './terminal.js';

const PAUSE_MODES = ['NONE', 'FIRST_BATCH', 'EVERY_BATCH'];
const WARNINGS_SHOWN = 20;

/** Follows order `id` in `el` until closed; `progressed` is told of each change of the order itself. */
export function orderView(el: HTMLElement, id: string, progressed: (order: Order) => void): { close(): void } {
  let order: Order | null = null;
  const instances = new Map<string, Instance>();
  let warnings: InstanceEvent[] = [];
  let cursor: string | null = null;
  let feed: Subscription | null = null;
  let closed = false;
  let tool: { close(): void } | null = null;

  const header = h('h2', {}, 'Release order');
  const status = h('p', { id: 'order-status' }, 'Connecting…');
  const batches = h('div', { id: 'batches', class: 'batches' });
  const message = h('span', { id: 'order-message' });
  const failures = h('div', { id: 'failures' });
  const warningsEl = h('div', { id: 'warnings' });
  const instancesEl = h('div', { id: 'instances-live' });
  const toolEl = h('div', { id: 'instance-tool' });

  const act = async (document: string, field: string, input: Record<string, unknown>, done: string) => {
    message.className = '';
    message.textContent = '';
    const result = (await request<Record<string, Result<{ releaseOrder: Order }>>>(document, { input: { id, ...input } }))[field]!;
    if (result.releaseOrder) message.textContent = done;
    else {
      message.className = 'error';
      message.textContent = describeFailure(result);
    }
  };
  const button = (idAttr: string, label: string, onclick: () => Promise<void>) =>
    h('button', { id: idAttr, onclick: (e: Event) => {
      const b = e.currentTarget as HTMLButtonElement;
      b.disabled = true;
      onclick().catch((error: unknown) => {
        message.className = 'error';
        message.textContent = String(error instanceof Error ? error.message : error);
      }).finally(() => render());
    } }, label);
  // Shows the order's pause mode until the user picks another one to switch to.
  let modePicked = false;
  const modeSelect = h('select', { id: 'switch-mode-select', onchange: () => (modePicked = true) }, PAUSE_MODES.map((m) => h('option', { value: m }, m)));
  const resume = button('resume', 'Resume', () => act(op.ResumeReleaseOrder, 'resumeReleaseOrder', {}, 'Resumed.'));
  const switchMode = button('switch-mode', 'Switch pause mode', async () => {
    await act(op.SetReleaseOrderPauseMode, 'setReleaseOrderPauseMode', { pauseMode: modeSelect.value }, `Pause mode is now ${modeSelect.value}.`);
    modePicked = false;
  });
  const retry = button('retry', 'Retry failed instances', () => act(op.RetryFailedInstances, 'retryFailedInstances', {}, 'Retrying.'));
  const rollback = button('rollback', 'Roll back', () => act(op.RollbackReleaseOrder, 'rollbackReleaseOrder', {}, 'Rolling back.'));
  const close = button('close-order', 'Close', () => act(op.CloseReleaseOrder, 'closeReleaseOrder', {}, 'Closed.'));

  const render = () => {
    if (!order) return;
    const o = order;
    show(header, `Release order: revision ${o.revision.number} (${o.revision.imageTag}) · `, h('span', { id: 'order-state', class: `state state-${o.state}` }, o.state));
    show(
      status,
      `${o.kind === 'ROLLBACK' ? 'Rollback' : 'Release'} of ${o.environment.app.name} ${o.environment.kind} by ${o.createdBy}`,
      o.previousRevision ? ` (from revision ${o.previousRevision.number})` : '',
      `: ${o.batchesDone} of ${o.batchCount} batches done, pause mode ${o.pauseMode}`,
      o.direction === 'BACKWARD' ? ', rolling back' : '',
      o.description ? ` — “${o.description}”` : '',
      o.failureReason ? h('div', { class: 'error' }, o.failureReason) : null,
    );
    show(batches, o.batches.map((b) => h('div', { class: `batch batch-${b.state}` }, h('strong', {}, `Batch ${b.number}`), h('br'), `${b.size} instances · ${b.state}`)));
    resume.disabled = o.state !== 'PAUSED';
    if (!modePicked) modeSelect.value = o.pauseMode;
    switchMode.disabled = !o.active;
    modeSelect.disabled = !o.active;
    retry.disabled = !o.active || !o.failures.some((f) => !f.resolvedAt);
    rollback.disabled = !o.active || o.direction === 'BACKWARD';
    close.disabled = !o.active;
    const open = o.failures.filter((f) => !f.resolvedAt);
    show(
      failures,
      open.length === 0
        ? null
        : [h('h3', {}, 'Failures'), h('table', {}, h('tr', {}, h('th', {}, 'Instance'), h('th', {}, 'Batch'), h('th', {}, 'Reason'), h('th', {}, 'Message')),
            open.map((f) => h('tr', {}, h('td', {}, f.instanceName), h('td', {}, f.batch), h('td', { class: 'error' }, f.reason), h('td', {}, f.message))))],
    );
    show(
      warningsEl,
      h('h3', {}, `Warning events (${warnings.length})`),
      warnings.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('table', {}, h('tr', {}, h('th', {}, 'Reason'), h('th', {}, 'Instance'), h('th', {}, 'Message'), h('th', {}, 'Count')),
            warnings.slice(0, WARNINGS_SHOWN).map((w) => h('tr', { class: 'warning' }, h('td', {}, w.reason), h('td', {}, w.instanceName), h('td', {}, w.message), h('td', {}, w.count)))),
    );
    // Instances that are not Ready first: they are the ones to look at.
    const list = [...instances.values()].sort((a, b) => Number(a.ready) - Number(b.ready) || a.name.localeCompare(b.name));
    show(
      instancesEl,
      h('h3', {}, `Instances (${list.length})`),
      list.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('table', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Revision'), h('th', {}, 'Restarts'), h('th', {}, 'Node'), h('th', {}, '')),
            list.map((i) => h('tr', { 'data-instance': i.name },
              h('td', {}, i.name),
              h('td', { class: `status status-${i.status}` }, i.status, i.problem ? h('div', { class: 'muted' }, `${i.problem.reason}: ${i.problem.message}`) : null),
              h('td', {}, i.revision ?? '—'), h('td', {}, i.restarts), h('td', {}, i.node ?? '—'),
              h('td', {}, h('button', { class: 'logs', onclick: () => openTool(logsView(toolEl, i)) }, 'Logs'), ' ',
                h('button', { class: 'terminal', onclick: () => openTool(terminalView(toolEl, i)) }, 'Terminal'))))),
    );
  };
  const openTool = (next: { close(): void }) => {
    tool?.close();
    tool = next;
  };

  const apply = (e: FeedEvent) => {
    cursor = e.cursor;
    switch (e.kind) {
      case 'SNAPSHOT':
        order = e.releaseOrder;
        instances.clear();
        for (const i of e.instances) instances.set(i.name, i);
        warnings = e.events;
        progressed(order);
        break;
      case 'RELEASE_ORDER_PROGRESS':
        order = e.releaseOrder;
        progressed(order);
        break;
      case 'INSTANCE_CHANGED':
        if (e.change === 'REMOVED') instances.delete(e.instance.name);
        else instances.set(e.instance.name, e.instance);
        break;
      case 'SYSTEM_EVENT':
        warnings = [e.event, ...warnings.filter((w) => !(w.instanceName === e.event.instanceName && w.reason === e.event.reason))];
        break;
      case 'BUFFER_EXCEEDED':
        break; // a fresh snapshot follows
    }
    render();
  };

  let emptyEnds = 0; // streams in a row that ended without an event
  const connect = () => {
    feed = subscribe<{ releaseOrderFeed: FeedEvent }>(op.ReleaseOrderFeed, { id, ...(cursor ? { after: cursor } : {}) }, {
      next: (data) => {
        emptyEnds = 0;
        status.className = '';
        apply(data.releaseOrderFeed);
      },
      error: (error) => {
        status.className = 'error';
        status.textContent = `The live feed stopped: ${error.message}`;
      },
      complete: () => {
        // The stream ends when the server stops (or the order is gone): follow again from the last cursor, a few times.
        if (closed) return;
        if (++emptyEnds > 5 || !order) {
          status.className = 'error';
          status.textContent = order ? 'The live feed ended: pick the environment again to reload.' : 'This order cannot be followed (it no longer exists, or live status is off).';
          return;
        }
        setTimeout(() => !closed && connect(), 1000 * emptyEnds);
      },
    });
  };

  show(
    el,
    h('section', {},
      header,
      status,
      batches,
      h('div', { class: 'actions' }, resume, h('label', {}, modeSelect), switchMode, retry, rollback, close, message),
      failures,
      warningsEl,
      instancesEl,
      toolEl),
  );
  connect();
  return {
    close() {
      closed = true;
      feed?.close();
      tool?.close();
    },
  };
}
