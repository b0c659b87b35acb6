/**
 * A plain-text terminal in an instance: openTerminal, then terminalOutput (what the shell prints)
 * and sendTerminalInput (each line typed). Control sequences are dropped: this is not a full
 * terminal emulator, but enough for `ls`, `env`, `cat`, `curl`.
 */
import { h, show } from '../dom.js';
import { request, subscribe, type Subscription } from '../graphql.js';
import * as op from '../operations.js';
import { describeFailure, type Instance, type Result } from '../types.js';

const CHARS_KEPT = 100_000;
// CSI and OSC sequences, and lone escapes.
const CONTROL = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]|\r(?!\n)/g;

type OutputEvent = { __typename: 'TerminalOutput'; data: string } | { __typename: 'TerminalEnded'; reason: string; exitCode: number | null } | { __typename: string; message: string };

export function terminalView(el: HTMLElement, instance: Instance): { close(): void } {
  let session: string | null = null;
  let output: Subscription | null = null;
  let ended = false;
  const pre = h('pre', { id: 'terminal-output', class: 'terminal' });
  const note = h('p', { id: 'terminal-status', class: 'muted' }, 'Opening a shell…');
  const input = h('input', { id: 'terminal-input', size: 60, autocomplete: 'off', placeholder: 'a command, then Enter', disabled: true });
  const write = (text: string) => {
    pre.textContent = ((pre.textContent ?? '') + text.replace(CONTROL, '')).slice(-CHARS_KEPT);
    pre.scrollTop = pre.scrollHeight;
  };
  const send = async (data: string) => {
    if (!session || ended) return;
    const result = (await request<{ sendTerminalInput: Result<object> }>(op.SendTerminalInput, { input: { session, data } })).sendTerminalInput;
    if (result.__typename !== 'TerminalPayload') note.textContent = describeFailure(result);
  };
  const form = h('form', {
    onsubmit: (event: Event) => {
      event.preventDefault();
      const line = input.value;
      input.value = '';
      void send(`${line}\n`);
    },
  }, input, ' ', h('button', { type: 'submit' }, 'Send'), ' ', h('button', { type: 'button', id: 'terminal-close', onclick: () => close() }, 'Close'));
  show(el, h('h3', {}, `Terminal in ${instance.name}`), note, pre, form);

  const close = () => {
    output?.close();
    if (session && !ended) void request(op.CloseTerminal, { input: { session } }).catch(() => {});
    ended = true;
    input.disabled = true;
    note.textContent = 'Closed.';
  };

  void (async () => {
    const result = (await request<{ openTerminal: Result<{ session: { id: string; container: string } }> }>(op.OpenTerminal, { input: { instance: instance.id, cols: 120, rows: 30 } })).openTerminal;
    if (!result.session) {
      note.className = 'error';
      note.textContent = describeFailure(result);
      return;
    }
    session = result.session.id;
    note.textContent = `Shell in container ${result.session.container}.`;
    output = subscribe<{ terminalOutput: OutputEvent }>(op.TerminalOutput, { session }, {
      next: ({ terminalOutput: e }) => {
        if ('data' in e) write(e.data);
        else if ('reason' in e) {
          ended = true;
          input.disabled = true;
          note.textContent = `The session ended (${e.reason}${e.exitCode !== null ? `, exit code ${e.exitCode}` : ''}).`;
        } else if ('message' in e) note.textContent = e.message;
      },
      error: (error) => {
        note.className = 'error';
        note.textContent = error.message;
      },
    });
    input.disabled = false;
    input.focus();
  })().catch((error: unknown) => {
    note.className = 'error';
    note.textContent = error instanceof Error ? error.message : String(error);
  });
  return { close };
}
