import type { TerminalInfo, Terminals } from '../../src/live/terminal.js';

/** Terminals without a cluster: sessions are added by the test; input is collected; the shell's output is whatever the test sets. */
export interface FakeTerminals extends Terminals {
  /** Adds a session of pod `pod` in environment `environmentId`, opened by the token `tokenId` (null: usable by any token with the role). */
  add(id: string, environmentId: number, pod: string, tokenId?: number | null): TerminalInfo;
  /** Everything typed, per session. */
  typed: Map<string, string>;
}

export function fakeTerminals(): FakeTerminals {
  const sessions = new Map<string, TerminalInfo>();
  const typed = new Map<string, string>();
  const unused = () => {
    throw new Error('not offered by the fake terminals');
  };
  return {
    typed,
    add(id, environmentId, pod, tokenId = null) {
      const at = new Date();
      const info: TerminalInfo = { id, namespace: 'ns', pod, container: 'app', owner: { cluster: 'alpha', environmentId, tokenId }, openedAt: at, lastInputAt: at, lastPongAt: null, idleTimeoutMs: 60_000, outputTail: '/ # ' };
      sessions.set(id, info);
      return info;
    },
    open: unused,
    output: unused,
    get: (id) => sessions.get(id),
    input(id, data) {
      if (!sessions.has(id)) return false;
      typed.set(id, (typed.get(id) ?? '') + data);
      return true;
    },
    resize: (id) => sessions.has(id),
    close: (id) => sessions.delete(id),
    get size() {
      return sessions.size;
    },
    stop: () => sessions.clear(),
  };
}
