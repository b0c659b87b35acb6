/** An instance's log tail, followed live (`instanceLogs` with tailLines and follow). */
import { h, show } from '../dom.js';
import { subscribe } from '../graphql.js';
import * as op from '../operations.js';
import type { Instance } from '../types.js';

const TAIL_LINES = 100;
const LINES_KEPT = 1000;

type LogEvent =
  | { __typename: 'InstanceLogLines'; container: string; lines: { timestamp: string; message: string }[] }
  | { __typename: 'InstanceLogsEnded'; reason: string }
  | { __typename: string; code: string; message: string };

export function logsView(el: HTMLElement, instance: Instance): { close(): void } {
  const lines: string[] = [];
  const pre = h('pre', { id: 'log', class: 'log' });
  const note = h('p', { id: 'log-status', class: 'muted' }, 'Following…');
  show(el, h('h3', {}, `Log of ${instance.name} (last ${TAIL_LINES} lines, then live)`), note, pre);
  const feed = subscribe<{ instanceLogs: LogEvent }>(op.InstanceLogs, { instance: instance.id, tailLines: TAIL_LINES }, {
    next: ({ instanceLogs: e }) => {
      if ('lines' in e) {
        lines.push(...e.lines.map((l) => `${l.timestamp.slice(11, 19)} ${l.message}`));
        lines.splice(0, Math.max(0, lines.length - LINES_KEPT));
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.textContent = lines.join('\n');
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      } else if ('reason' in e) note.textContent = `The log ended (${e.reason}).`;
      else if ('message' in e) {
        note.className = 'error';
        note.textContent = e.message;
      }
    },
    error: (error) => {
      note.className = 'error';
      note.textContent = error.message;
    },
  });
  return { close: () => feed.close() };
}
