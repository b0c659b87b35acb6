/** The release engine's settings for old revisions and failing steps (src/config.ts). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('CAIRN_REVISIONS_KEPT and CAIRN_RELEASE_STEP_FAILURES_BEFORE_WARNING', () => {
  it('default to 5 and 5', () => {
    expect(loadConfig({})).toMatchObject({ revisionsKept: 5, releaseStepFailuresBeforeWarning: 5 });
  });

  it('are read from the environment', () => {
    expect(loadConfig({ CAIRN_REVISIONS_KEPT: '3', CAIRN_RELEASE_STEP_FAILURES_BEFORE_WARNING: '10' })).toMatchObject({ revisionsKept: 3, releaseStepFailuresBeforeWarning: 10 });
  });

  it.each([
    [{ CAIRN_REVISIONS_KEPT: '1' }, /revisionsKept/],
    [{ CAIRN_REVISIONS_KEPT: 'many' }, /revisionsKept/],
    [{ CAIRN_RELEASE_STEP_FAILURES_BEFORE_WARNING: '0' }, /releaseStepFailuresBeforeWarning/],
  ])('refuses %j (the running and the previous revision always stay)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
