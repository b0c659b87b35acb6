import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('CAIRN_HOSTPATH_PREFIXES', () => {
  it('is a comma-separated list of absolute host directories; by default the log and data roots', () => {
    expect(loadConfig({}).hostPathPrefixes).toEqual(['/var/log/cairn', '/var/lib/cairn']);
    expect(loadConfig({ CAIRN_HOSTPATH_PREFIXES: '/srv/apps, /data/logs' }).hostPathPrefixes).toEqual(['/srv/apps', '/data/logs']);
  });

  it('refuses a relative path, / itself and .., naming the entry', () => {
    expect(() => loadConfig({ CAIRN_HOSTPATH_PREFIXES: 'srv' })).toThrow('invalid configuration: hostPathPrefixes.0: must be an absolute path other than /, without ..');
    expect(() => loadConfig({ CAIRN_HOSTPATH_PREFIXES: '/srv,//' })).toThrow(/hostPathPrefixes\.1: must be an absolute path/);
    expect(() => loadConfig({ CAIRN_HOSTPATH_PREFIXES: '/srv/../etc' })).toThrow(/hostPathPrefixes\.0: must be an absolute path/);
  });
});
