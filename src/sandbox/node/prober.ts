/**
 * One probe worker (pkg/kubelet/prober/worker.go): probes every period from the initial delay on,
 * liveness and readiness wait for the start-up probe, a Warning `Unhealthy` for every failed attempt,
 * thresholds by probe-rules.ts, and a kill when liveness or start-up fails for good.
 */
import type { Clock } from '../clock.js';
import { runProbeHandler, type HandlerTarget } from './handlers.js';
import { messages, type EventMessage } from './messages.js';
import { applyOutcome, initialProbeState, probeSettings, type ProbeKind } from './probe-rules.js';
import { simSince } from './sim-time.js';
import type { Probe } from './types.js';

export interface ProberContext {
  clock: Clock;
  /** Aborted when the container instance ends. */
  signal: AbortSignal;
  startedAt: Date;
  handler: HandlerTarget;
  /** Whether the instance probed is still the container's current one. */
  current(): boolean;
  /** Whether the start-up probe (if any) has passed. */
  started(): boolean;
  event(ev: EventMessage): void;
  setReady(ready: boolean): void;
  setStarted(): void;
  kill(probe: 'liveness' | 'startup'): void;
}

const labels: Record<ProbeKind, 'Liveness' | 'Readiness' | 'Startup'> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export async function runProber(kind: ProbeKind, probe: Probe, ctx: ProberContext): Promise<void> {
  const s = probeSettings(probe);
  let state = initialProbeState(kind);
  for (;;) {
    if (ctx.signal.aborted || !ctx.current()) return;
    const since = simSince(ctx.clock, ctx.startedAt);
    const gated = kind !== 'startup' && !ctx.started();
    if (!gated && since >= s.initialDelayMs - 1) {
      const out = await runProbeHandler(probe, ctx.handler, s.timeoutMs);
      if (ctx.signal.aborted || !ctx.current()) return;
      if (!out.ok) ctx.event(messages.unhealthy(labels[kind], out.output.trimEnd()));
      const next = applyOutcome(state, out.ok ? 'success' : 'failure', s, kind);
      state = next.state;
      if (kind === 'readiness') ctx.setReady(state.result === 'success');
      else if (kind === 'startup' && state.result === 'success') {
        ctx.setStarted();
        return;
      }
      if (next.act) {
        ctx.kill(kind === 'startup' ? 'startup' : 'liveness');
        return;
      }
    }
    try {
      await ctx.clock.sleep(s.periodMs, ctx.signal);
    } catch {
      return;
    }
  }
}
