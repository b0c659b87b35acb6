/** Which log paths can be collected, and which directories get a volume (pure rules). */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config-input.js';
import { validateConfig } from '../../src/domain/config-validation.js';
import { emptySettings, type ConfigSettings } from '../../src/domain/config-types.js';
import { storedConfigProblems } from '../../src/domain/config-validation.js';
import { configWarnings } from '../../src/domain/config-rules.js';
import { addedLogVolumeWarnings, collectedLogPaths, logCollectionProblems, logDirectoryProblem, logVolumeDirectories } from '../../src/domain/log-collection.js';

const collect = (paths: string[], extra: ConfigInput = {}): ConfigInput => ({ image: 'nginx', logCollection: { paths, logStore: 'shop-logs' }, ...extra });
const problems = (input: ConfigInput) => logCollectionProblems(input, []).map((p) => [p.code, p.path.join('.')]);

describe('logVolumeDirectories', () => {
  it.each([
    ['one file', ['/var/log/shop/app.log'], [], ['/var/log/shop']],
    ['a file-name pattern', ['/var/log/shop/*.log'], [], ['/var/log/shop']],
    ['stdout needs no volume', ['stdout'], [], []],
    ['two files in one directory: one volume', ['/var/log/shop/a.log', '/var/log/shop/b.log'], [], ['/var/log/shop']],
    ['a directory inside another: the outer volume holds it', ['/logs/a/x.log', '/logs/y.log', '/srv/shop/z.log'], [], ['/logs', '/srv/shop']],
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
    ['the log directory is a file mount', collect(['/app/conf/a.log'], { fileMounts: [{ path: '/app/conf', content: '' }] }), [['NESTED_MOUNT', 'logCollection.paths.0']]],
    ['/var/log itself (an empty volume would hide /var/log/nginx)', collect(['/var/log/*.log']), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['a file in /var/log/<dir of its own>', collect(['/var/log/nginx/*.log']), []],
    ['a file in /opt, /srv or /home itself', collect(['/opt/a.log', '/srv/b.log', '/home/c.log']), [['NOT_ALLOWED', 'logCollection.paths.0'], ['NOT_ALLOWED', 'logCollection.paths.1'], ['NOT_ALLOWED', 'logCollection.paths.2']]],
    ['a file anywhere under /usr or /etc', collect(['/usr/local/app/logs/a.log', '/etc/app/a.log']), [['NOT_ALLOWED', 'logCollection.paths.0'], ['NOT_ALLOWED', 'logCollection.paths.1']]],
    ['a file in /var (the parent of /var/log)', collect(['/var/app.log']), [['NOT_ALLOWED', 'logCollection.paths.0']]],
    ['nothing collected without a store: no path rules', { image: 'nginx', logCollection: { paths: ['/app.log', '/etc/app.log', '/var/log/*/app.log'], logStore: null } }, []],
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
    expect(logDirectoryProblem('/var/log')).toContain('e.g. /var/log/app');
    expect(logDirectoryProblem('/opt')).toContain('e.g. /opt/app');
  });
});

describe('logDirectoryProblem', () => {
  it.each([
    ['/', false], ['/var', false], ['/var/log', false], ['/var/cache', false], ['/var/lib/app', false], ['/opt', false], ['/srv', false], ['/home', false],
    ['/usr/share/app', false], ['/etc/nginx', false], ['/run/app', false],
    ['/var/log/shop', true], ['/var/log/nginx', true], ['/opt/shop/logs', true], ['/srv/shop', true], ['/logs', true], ['/tmp', true], ['/data/logs', true],
  ])('%s: a log volume allowed = %s', (dir, ok) => {
    expect(logDirectoryProblem(dir) === null).toBe(ok);
  });
});

const stored = (paths: string[], logStore: string | null, extra: Partial<ConfigSettings> = {}): ConfigSettings => ({ ...emptySettings(), image: 'nginx', logCollection: { paths, logStore }, ...extra });

describe('stored settings (drafts, templates, earlier revisions) are never refused for the log rules', () => {
  it.each<[string, ConfigSettings, number[], number[]]>([
    ['paths valid before, no store: nothing collected, nothing refused', stored(['/app.log', '/etc/app.log', '/var/log/*/app.log'], null), [], []],
    ['with a store: the paths that break the rules are left out', stored(['/app.log', '/var/log/shop/a.log', '/var/log/*/x.log', 'stdout', '/var/log/shop/a.log'], 'shop-logs'), [1, 3], [0, 2, 4]],
    ['leaving one out frees the others (no outer volume any more)', stored(['/srv/a.log', '/srv/shop/b.log'], 'shop-logs'), [1], [0]],
    ['the user sets aliyun_logs_ variables: cairn sets none', stored(['/var/log/shop/a.log'], 'shop-logs', { env: [{ name: 'aliyun_logs_mine', value: 'stdout', secret: false }] }), [], [0]],
  ])('%s', (_name, s, collected, uncollected) => {
    expect(storedConfigProblems(s)).toEqual([]);
    const r = collectedLogPaths(s);
    expect(r.collected.map((c) => c.index)).toEqual(collected);
    expect(r.uncollected.map((u) => u.index)).toEqual(uncollected);
    expect(configWarnings(s, []).filter((w) => w.code === 'LOG_PATH_NOT_COLLECTED').map((w) => w.path.join('.'))).toEqual(uncollected.map((i) => `logCollection.paths.${i}`));
  });

  it('a warning says why', () => {
    const [w] = configWarnings(stored(['/etc/app.log'], 'shop-logs', { instances: 2 }), []);
    expect(w).toEqual({ path: ['logCollection', 'paths', '0'], code: 'LOG_PATH_NOT_COLLECTED', message: expect.stringMatching(/^\/etc\/app.log is not collected: .*\/etc/) });
  });
});

describe('addedLogVolumeWarnings', () => {
  it('warns for each log volume the running revision does not have; none before the first release', () => {
    const running = stored(['/var/log/shop/a.log'], 'shop-logs');
    const next = stored(['/var/log/shop/a.log', '/var/log/gc/*.log'], 'shop-logs');
    expect(addedLogVolumeWarnings(running, next, []).map((w) => [w.code, w.message.match(/at (\S+)/)![1]])).toEqual([['LOG_VOLUME_ADDED', '/var/log/gc']]);
    expect(addedLogVolumeWarnings(stored([], null), running, [])).toHaveLength(1);
    expect(addedLogVolumeWarnings(running, running, [])).toEqual([]);
    expect(addedLogVolumeWarnings(null, next, [])).toEqual([]);
  });
});

describe('validateConfig', () => {
  it('accepts stdout and normalises file paths; refuses relative paths', () => {
    const { settings } = validateConfig(collect(['stdout', '//var/log/shop/./*.log']), null, 10, []);
    expect(settings.logCollection).toEqual({ paths: ['stdout', '/var/log/shop/*.log'], logStore: 'shop-logs' });
    expect(() => validateConfig(collect(['stdout.log']), null, 10, [])).toThrow("logCollection.paths.0: Must be an absolute path (start with '/') or stdout.");
  });
});
