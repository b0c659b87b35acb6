/** Which log paths can be collected, and which directories get a volume (pure rules). */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config-input.js';
import { validateConfig } from '../../src/domain/config-validation.js';
import { logCollectionProblems, logVolumeDirectories } from '../../src/domain/log-collection.js';

const collect = (paths: string[], extra: ConfigInput = {}): ConfigInput => ({ image: 'nginx', logCollection: { paths, logStore: 'shop-logs' }, ...extra });
const problems = (input: ConfigInput) => logCollectionProblems(input, []).map((p) => [p.code, p.path.join('.')]);

describe('logVolumeDirectories', () => {
  it.each([
    ['one file', ['/var/log/shop/app.log'], [], ['/var/log/shop']],
    ['a file-name pattern', ['/var/log/shop/*.log'], [], ['/var/log/shop']],
    ['stdout needs no volume', ['stdout'], [], []],
    ['two files in one directory: one volume', ['/var/log/shop/a.log', '/var/log/shop/b.log'], [], ['/var/log/shop']],
    ['a directory inside another: the outer volume holds it', ['/logs/a/x.log', '/logs/y.log', '/srv/z.log'], [], ['/logs', '/srv']],
    ['on a directory mount already (a host path the collector reads)', ['/acs/logs/*.log', '/acs/logs/gc/gc.log'], [{ containerPath: '/acs/logs', hostPath: '/var/log/cairn/shop' }], []],
    ['written with odd slashes', ['//var/log/./shop/app.log'], [], ['/var/log/shop']],
  ])('%s', (_name, paths, mounts, expected) => {
    expect(logVolumeDirectories(paths, mounts)).toEqual(expected);
  });
});

describe('logCollectionProblems', () => {
  it.each<[string, ConfigInput, string[][]]>([
    ['files, patterns and stdout', collect(['/var/log/shop/*.log', '/acs/code/logs/app.log', 'stdout'], { officialImage: 'NODEJS' }), []],
    ['the same path twice, written differently', collect(['/var/log/shop/a.log', '/var/log//shop/a.log']), [['DUPLICATE', 'logCollection.paths.1']]],
    ['stdout twice', collect(['stdout', 'stdout']), [['DUPLICATE', 'logCollection.paths.1']]],
    ['a directory instead of a file', collect(['/var/log/shop/']), [['INVALID_FORMAT', 'logCollection.paths.0']]],
    ['a pattern in the directory', collect(['/var/log/*/app.log']), [['INVALID_FORMAT', 'logCollection.paths.0']]],
    ['a file directly in /', collect(['/app.log']), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['a file in /etc (an empty volume would hide the image files)', collect(['/etc/app.log']), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['a file in /proc', collect(['/proc/app.log']), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['a file in the deploy root itself', collect(['/acs/code/app.log'], { officialImage: 'TOMCAT' }), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['a file in the deploy root without an official image: any directory', collect(['/acs/code/app.log']), []],
    ['a file mount inside the log directory', collect(['/var/log/shop/app.log'], { fileMounts: [{ path: '/var/log/shop/x.conf', content: '' }] }), [['NESTED_MOUNT', 'fileMounts.0.path']]],
    ['the log directory is a file mount', collect(['/etc/app/conf/a.log'], { fileMounts: [{ path: '/etc/app/conf', content: '' }] }), [['NESTED_MOUNT', 'logCollection.paths.0']]],
    ['a directory mount inside the log directory', collect(['/data/app.log'], { directoryMounts: [{ containerPath: '/data/tmp', hostPath: '/var/log/cairn/shop' }] }), [['NESTED_MOUNT', 'directoryMounts.0.containerPath']]],
    ['a log directory inside a directory mount: no volume, nothing nests', collect(['/data/logs/app.log'], { directoryMounts: [{ containerPath: '/data', hostPath: '/var/log/cairn/shop' }] }), []],
    ['an aliyun_logs_ variable of the user while collecting', collect(['stdout'], { env: [{ name: 'aliyun_logs_mine', value: 'stdout' }, { name: 'ALIYUN_LOGS', value: 'x' }] }), [['NOT_ALLOWED', 'env.0.name']]],
    ['an aliyun_logs_ variable with no log store set', { image: 'nginx', logCollection: { paths: ['stdout'], logStore: null }, env: [{ name: 'aliyun_logs_mine', value: 'stdout' }] }, []],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  it('say what to do instead', () => {
    const [root] = logCollectionProblems(collect(['/app.log']), ['config']);
    expect(root).toMatchObject({ path: ['config', 'logCollection', 'paths', '0'], message: expect.stringContaining('a directory of its own (e.g. /var/log/app/app.log)') });
    const [etc] = logCollectionProblems(collect(['/var/app.log']), []);
    expect(etc!.message).toContain('e.g. /var/log/app');
  });
});

describe('validateConfig', () => {
  it('accepts stdout and normalises file paths; refuses relative paths', () => {
    const { settings } = validateConfig(collect(['stdout', '//var/log/shop/./*.log']), null, 10, []);
    expect(settings.logCollection).toEqual({ paths: ['stdout', '/var/log/shop/*.log'], logStore: 'shop-logs' });
    expect(() => validateConfig(collect(['stdout.log']), null, 10, [])).toThrow("logCollection.paths.0: Must be an absolute path (start with '/') or stdout.");
  });
});
