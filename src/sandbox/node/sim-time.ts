import type { Clock } from '../clock.js';

/**
 * A point on the simulated time line, in simulated ms: the clock's wall time scaled by its speed.
 * Only differences mean something (they are simulated durations), which is all the back-off and
 * probe rules need. Never compare it with wall-clock ms.
 */
export function simNow(clock: Clock): number {
  return clock.now().getTime() * clock.speed;
}

/** Simulated ms elapsed since a wall-clock moment. */
export function simSince(clock: Clock, since: Date): number {
  return (clock.now().getTime() - since.getTime()) * clock.speed;
}
