/**
 * Probe result bookkeeping as the kubelet's prober worker does it (pkg/kubelet/prober/worker.go): a
 * result changes only after `successThreshold` successes or `failureThreshold` failures in a row.
 * Pure.
 */
import type { Probe } from './types.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeSettings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The API server defaults these; a bare probe from a fake gets the same defaults. */
export function probeSettings(p: Probe): ProbeSettings {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: (p.periodSeconds || 10) * 1000,
    timeoutMs: (p.timeoutSeconds || 1) * 1000,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

export interface ProbeState {
  result: ProbeResult;
  lastOutcome?: 'success' | 'failure';
  run: number;
}

/** The result before any probe ran: readiness starts failed, liveness succeeded, startup unknown. */
export function initialProbeState(kind: ProbeKind): ProbeState {
  return { result: kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown', run: 0 };
}

/** The state after one probe outcome. `act` is true when a liveness/startup probe crossed its failure threshold (kill the container). */
export function applyOutcome(state: ProbeState, outcome: 'success' | 'failure', settings: ProbeSettings, kind: ProbeKind): { state: ProbeState; act: boolean } {
  const run = state.lastOutcome === outcome ? state.run + 1 : 1;
  const threshold = outcome === 'success' ? settings.successThreshold : settings.failureThreshold;
  if (run < threshold) return { state: { ...state, lastOutcome: outcome, run }, act: false };
  const act = outcome === 'failure' && kind !== 'readiness';
  // After acting on a liveness/startup failure the run restarts (worker.go resets resultRun).
  return { state: { result: outcome, lastOutcome: outcome, run: act ? 0 : run }, act };
}
