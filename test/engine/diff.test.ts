import { describe, expect, it } from 'vitest';
import { emptySettings } from '../../src/domain/config-types.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { diffConfigs, SECRET_MASK } from '../../src/engine/diff.js';

describe('diffConfigs', () => {
  const base = presetSettings('NGINX');

  it('no change, no difference', () => {
    expect(diffConfigs({ imageTag: '1.25', settings: base }, { imageTag: '1.25', settings: structuredClone(base) })).toEqual([]);
  });

  it('lists changed fields by path, image first', () => {
    const draft = { ...structuredClone(base), instances: 4, memoryMb: 1024, env: [{ name: 'MODE', value: 'fast', secret: false }] };
    expect(diffConfigs({ imageTag: '1.25', settings: base }, { imageTag: '1.27', settings: draft })).toEqual([
      { path: ['imageTag'], before: '1.25', after: '1.27', secret: false },
      { path: ['env', 'MODE', 'name'], before: null, after: 'MODE', secret: false },
      { path: ['env', 'MODE', 'secret'], before: null, after: 'false', secret: false },
      { path: ['env', 'MODE', 'value'], before: null, after: 'fast', secret: false },
      { path: ['instances'], before: String(base.instances), after: '4', secret: false },
      { path: ['memoryMb'], before: String(base.memoryMb), after: '1024', secret: false },
    ]);
  });

  it('masks secret values but still shows that they changed', () => {
    const a = { ...emptySettings(), env: [{ name: 'TOKEN', value: 'one', secret: true }] };
    const b = { ...emptySettings(), env: [{ name: 'TOKEN', value: 'two', secret: true }] };
    expect(diffConfigs({ imageTag: '1', settings: a }, { imageTag: '1', settings: b })).toEqual([{ path: ['env', 'TOKEN', 'value'], before: SECRET_MASK, after: SECRET_MASK, secret: true }]);
    expect(JSON.stringify(diffConfigs(null, { imageTag: '1', settings: b }))).not.toContain('two');
  });

  it('keys list items so that a reorder is no change, and shows file mounts by path', () => {
    const a = { ...emptySettings(), fileMounts: [{ path: '/etc/a', content: 'A' }, { path: '/etc/b', content: 'B' }] };
    const b = { ...emptySettings(), fileMounts: [{ path: '/etc/b', content: 'B2' }, { path: '/etc/a', content: 'A' }] };
    expect(diffConfigs({ imageTag: '1', settings: a }, { imageTag: '1', settings: b })).toEqual([{ path: ['fileMounts', '/etc/b', 'content'], before: 'B', after: 'B2', secret: false }]);
  });

  it('before the first release everything is new', () => {
    const changes = diffConfigs(null, { imageTag: '1.25', settings: base });
    expect(changes.slice(0, 2)).toEqual([
      { path: ['image'], before: null, after: 'nginx', secret: false },
      { path: ['imageTag'], before: null, after: '1.25', secret: false },
    ]);
    expect(changes.every((c) => c.before === null)).toBe(true);
  });
});
