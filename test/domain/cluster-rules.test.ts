/**
 * The configuration rules that keep cairn from rendering what kube-apiserver (or the container
 * runtime) refuses: port names, NUL and control characters, mount paths, object sizes, and the
 * host directories an app may mount without an admin.
 */
import { describe, expect, it } from 'vitest';
import { configProblems, resolveSettings } from '../../src/domain/config-rules.js';
import type { ConfigInput } from '../../src/domain/config-input.js';
import { emptySettings, type ConfigSettings } from '../../src/domain/config-types.js';
import { storedConfigProblems, validateConfig } from '../../src/domain/config-validation.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import { hostPathProblems, isAllowedHostPath, allowedHostRoots } from '../../src/domain/host-paths.js';
import { mountPathProblem } from '../../src/domain/mount-rules.js';
import { fallbackPortName, portNameProblem, reservedNameProblem } from '../../src/domain/port-names.js';
import { presetSettings } from '../../src/domain/official-images.js';

/** [code, path] of every problem validateConfig reports for the input (none: []). */
function problemsOf(input: ConfigInput, current: ConfigSettings | null = null): [string, string][] {
  try {
    validateConfig(input, current, 100, []);
    return [];
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    return err.problems.map((p) => [p.code, p.path.join('.')]);
  }
}

describe('port names', () => {
  it.each([
    ['http', null],
    ['web-a', null],
    ['a1', null],
    ['web--a', "'--'"],
    ['-web', "start or end with '-'"],
    ['web-', "start or end with '-'"],
    ['8080', 'at least one letter'],
    ['Web', 'lower-case'],
    ['web_a', 'lower-case'],
    ['a-very-long-name', 'At most 15'],
  ])('%s: %s', (name, expected) => {
    const problem = portNameProblem(name);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
  });

  it('two names that used to render the same (web-a, web--a) are refused at the second', () => {
    expect(problemsOf({ image: 'x', ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web--a' }] })).toEqual([['INVALID_FORMAT', 'ports.1.name']]);
  });

  it('a name repeated is a duplicate', () => {
    expect(problemsOf({ image: 'x', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 81, name: 'web' }] })).toEqual([['DUPLICATE', 'ports.1.name']]);
  });

  it('the fallback name of an unnamed port is <protocol>-<port>', () => {
    expect(fallbackPortName({ containerPort: 8080, protocol: 'TCP' })).toBe('tcp-8080');
    expect(fallbackPortName({ containerPort: 53, protocol: 'UDP' })).toBe('udp-53');
  });

  it.each([
    [80, 'TCP', 'tcp-80', false],
    [53, 'UDP', 'udp-53', false],
    [82, 'TCP', 'tcp-81', true],
    [80, 'TCP', 'udp-80', true],
    [80, 'TCP', 'sctp-80', true],
    [80, 'TCP', 'tcp-web', false],
  ] as const)('port %i/%s named %s: reserved %s', (containerPort, protocol, name, reserved) => {
    expect(reservedNameProblem({ containerPort, protocol, name }) !== null).toBe(reserved);
  });

  it("a given name cannot take an unnamed port's fallback name, whatever the order", () => {
    const named = { containerPort: 82, name: 'tcp-81' };
    const unnamed = { containerPort: 81 };
    expect(problemsOf({ image: 'x', ports: [named, unnamed] })).toEqual([['NOT_ALLOWED', 'ports.0.name']]);
    expect(problemsOf({ image: 'x', ports: [unnamed, named] })).toEqual([['NOT_ALLOWED', 'ports.1.name']]);
    expect(problemsOf({ image: 'x', ports: [unnamed, { containerPort: 82, name: 'tcp-82' }] })).toEqual([]);
  });
});

describe('NUL and control characters', () => {
  it.each<[string, ConfigInput, [string, string][]]>([
    ['an env value with NUL', { image: 'x', env: [{ name: 'A', value: 'x\u0000y' }] }, [['INVALID_FORMAT', 'env.0.value']]],
    ['an env value with tabs and newlines', { image: 'x', env: [{ name: 'A', value: 'line 1\n\tline 2\r\n' }] }, []],
    ['a probe command with NUL', { image: 'x', livenessProbe: { exec: { command: ['sh', '-c', 'a\u0000b'] } } }, [['INVALID_FORMAT', 'livenessProbe.exec.command.2']]],
    ['a multi-line probe script', { image: 'x', readinessProbe: { exec: { command: ['sh', '-c', 'test -f /a\ntest -f /b'] } } }, []],
    ['a PostStart command with NUL', { image: 'x', postStart: { exec: { command: ['a\u0000'] } } }, [['INVALID_FORMAT', 'postStart.exec.command.0']]],
    ['a PreStop command with NUL', { image: 'x', preStop: { exec: { command: ['sleep', '5\u0000'] } } }, [['INVALID_FORMAT', 'preStop.exec.command.1']]],
    ['an HTTP probe path with a control character', { image: 'x', readinessProbe: { http: { path: '/he\u0001alth', port: 80 } } }, [['INVALID_FORMAT', 'readinessProbe.http.path']]],
    ['a file mount path with a newline', { image: 'x', fileMounts: [{ path: '/etc/a\nb', content: '' }] }, [['INVALID_FORMAT', 'fileMounts.0.path']]],
    ['a host path with NUL', { image: 'x', directoryMounts: [{ containerPath: '/data', hostPath: '/var/log/cairn/x\u0000' }] }, [['INVALID_FORMAT', 'directoryMounts.0.hostPath']]],
    ['a log path with a comma', { image: 'x', logCollection: { paths: ['/logs/a,b'] } }, [['INVALID_FORMAT', 'logCollection.paths.0']]],
    ['file content with NUL (a ConfigMap holds it)', { image: 'x', fileMounts: [{ path: '/etc/bin', content: 'a\u0000b' }] }, []],
  ])('%s', (_name, input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });
});

describe('mount paths', () => {
  it.each([
    ['/', null, 'Nothing can be mounted at /'],
    ['//', null, 'Nothing can be mounted at /'],
    ['/proc', null, '/proc belongs to the container runtime'],
    ['/proc/sys/x', null, '/proc belongs'],
    ['/sys/fs', null, '/sys belongs'],
    ['/dev', null, '/dev belongs'],
    ['/device', null, null],
    ['/acs/code', '/acs/code', 'would hide the deploy root directory'],
    ['/acs/code/', '/acs/code', 'would hide the deploy root directory'],
    ['/acs', '/acs/code', 'would hide the deploy root directory'],
    ['/acs/code/conf/app.properties', '/acs/code', null],
    ['/acs/codex', '/acs/code', null],
    ['/var/log/app', '/acs/code', null],
  ])('%s (deploy root %s)', (path, root, expected) => {
    const problem = mountPathProblem(path, root);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
  });

  it("directory and file mounts at /, and over an official image's deploy root, are refused with their paths", () => {
    expect(
      problemsOf({
        officialImage: 'TOMCAT',
        fileMounts: [{ path: '/acs/code', content: '' }],
        directoryMounts: [{ containerPath: '/', hostPath: '/var/log/cairn/a' }],
      }),
    ).toEqual([
      ['NOT_ALLOWED', 'directoryMounts.0.containerPath'],
      // Everything is inside a mount at /.
      ['NESTED_MOUNT', 'fileMounts.0.path'],
      ['NOT_ALLOWED', 'fileMounts.0.path'],
    ]);
  });

  it('a mount inside the deploy root is fine; with no deploy root, its old place is free', () => {
    expect(problemsOf({ officialImage: 'TOMCAT', fileMounts: [{ path: '/acs/code/conf/app.properties', content: 'a=1' }] })).toEqual([]);
    expect(problemsOf({ officialImage: 'TOMCAT', deployRootDir: null, directoryMounts: [{ containerPath: '/acs/code', hostPath: '/h' }] })).toEqual([]);
  });

  it('paths are stored normalised, so what is rendered is what was checked', () => {
    const s = resolveSettings({ image: 'x', fileMounts: [{ path: '/etc//app/./a.conf/', content: '' }], directoryMounts: [{ containerPath: '/data/', hostPath: '//var/log/cairn/x/' }] }, null);
    expect(s.fileMounts[0]!.path).toBe('/etc/app/a.conf');
    expect(s.directoryMounts[0]).toEqual({ containerPath: '/data', hostPath: '/var/log/cairn/x' });
  });
});

describe('sizes of the rendered objects', () => {
  const KiB = 1024;
  it('file mounts over 1 MiB in all (one ConfigMap) are refused at fileMounts', () => {
    const content = 'x'.repeat(600 * KiB);
    expect(problemsOf({ image: 'x', fileMounts: [{ path: '/a', content }, { path: '/b', content }] })).toEqual([['TOO_LONG', 'fileMounts']]);
    expect(problemsOf({ image: 'x', fileMounts: [{ path: '/a', content: 'x'.repeat(1024 * KiB) }] })).toEqual([]);
  });

  it('secret variables over 1 MiB in all (one Secret), counting the stored values kept, are refused at env', () => {
    const value = 'x'.repeat(128 * KiB);
    const current = { ...emptySettings(), env: Array.from({ length: 8 }, (_, i) => ({ name: `S${i}`, value, secret: true })) };
    const input: ConfigInput = { image: 'x', env: [...current.env.map((e) => ({ name: e.name, secret: true })), { name: 'MORE', value: 'y', secret: true }] };
    expect(problemsOf(input, current)).toEqual([['TOO_LONG', 'env']]);
    expect(problemsOf({ image: 'x', env: current.env.map((e) => ({ name: e.name, secret: true })) }, current)).toEqual([]);
  });

  it('plain variables over 512 KiB in all are refused at env', () => {
    const env = Array.from({ length: 5 }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(128 * KiB) }));
    expect(problemsOf({ image: 'x', env })).toEqual([['TOO_LONG', 'env']]);
    expect(problemsOf({ image: 'x', env: env.slice(0, 4) })).toEqual([]);
  });
});

describe('host paths an app may mount without an admin', () => {
  const prefixes = ['/var/log/cairn', '/var/lib/cairn/'];
  const roots = allowedHostRoots(prefixes, 'shop');

  it("gives each app its own directory under every prefix", () => {
    expect(roots).toEqual(['/var/log/cairn/shop', '/var/lib/cairn/shop']);
  });

  it.each([
    ['/var/log/cairn/shop', true],
    ['/var/log/cairn/shop/', true],
    ['//var/lib/cairn/./shop', true],
    // Not below the app's directory: the app can plant a symbolic link there (the kubelet follows it).
    ['/var/log/cairn/shop/nginx', false],
    ['//var/lib/cairn/./shop/tmp', false],
    ['/var/log/cairn/shop/root', false],
    ['/var/log/cairn', false],
    ['/var/log/cairn/shopping', false],
    ['/var/log/cairn/other', false],
    ['/', false],
    ['/var/run/docker.sock', false],
    ['/etc', false],
  ])('%s: %s', (hostPath, allowed) => {
    expect(isAllowedHostPath(hostPath, roots)).toBe(allowed);
  });

  it('names every mount outside, at directoryMounts.N.hostPath', () => {
    const problems = hostPathProblems(
      [
        { containerPath: '/a', hostPath: '/' },
        { containerPath: '/b', hostPath: '/var/log/cairn/shop' },
        { containerPath: '/c', hostPath: '/var/run/docker.sock' },
      ],
      prefixes,
      'shop',
      ['input', 'config'],
    );
    expect(problems.map((p) => [p.code, p.path.join('.')])).toEqual([
      ['NOT_ALLOWED', 'input.config.directoryMounts.0.hostPath'],
      ['NOT_ALLOWED', 'input.config.directoryMounts.2.hostPath'],
    ]);
    expect(problems[0]!.message).toBe('/ is outside the host directories this app may mount (/var/log/cairn/shop, /var/lib/cairn/shop); only an admin may mount other host paths.');
  });

  it('a mount the configuration already holds (an admin set it) is kept; another one outside is refused', () => {
    const adminMount = { containerPath: '/sock', hostPath: '/var/run/docker.sock' };
    const current = { ...validateConfig({ image: 'x', directoryMounts: [adminMount] }, null, 10, ['input', 'config'], null).settings };
    const edited: ConfigInput = { image: 'x', env: [{ name: 'A', value: 'b' }], directoryMounts: [adminMount] };
    expect(validateConfig(edited, current, 10, ['input', 'config'], { prefixes, appName: 'shop' }).settings.directoryMounts).toEqual([adminMount]);
    const moved: ConfigInput = { image: 'x', directoryMounts: [{ containerPath: '/sock', hostPath: '/' }] };
    expect(() => validateConfig(moved, current, 10, ['input', 'config'], { prefixes, appName: 'shop' })).toThrow(InvalidInputError);
  });

  it('validateConfig applies the rule only when given one (an admin gets none)', () => {
    const input: ConfigInput = { image: 'x', directoryMounts: [{ containerPath: '/a', hostPath: '/var/run/docker.sock' }] };
    expect(() => validateConfig(input, null, 10, ['input', 'config'], { prefixes, appName: 'shop' })).toThrow(InvalidInputError);
    expect(validateConfig(input, null, 10, ['input', 'config'], null).settings.directoryMounts).toEqual([{ containerPath: '/a', hostPath: '/var/run/docker.sock' }]);
  });
});

describe('stored configurations (drafts, templates, revisions written before a rule)', () => {
  it('are checked against every rule, with paths in the configuration', () => {
    const stored: ConfigSettings = {
      ...presetSettings('NGINX'),
      ports: [
        { containerPort: 80, protocol: 'TCP', name: 'web-a' },
        { containerPort: 81, protocol: 'TCP', name: 'web--a' },
        { containerPort: 82, protocol: 'TCP', name: 'tcp-83' },
        { containerPort: 83, protocol: 'TCP', name: null },
      ],
      env: [{ name: 'A', value: 'x\u0000', secret: false }],
      directoryMounts: [{ containerPath: '/', hostPath: '/' }],
    };
    expect(storedConfigProblems(stored).map((p) => [p.code, p.path.join('.')])).toEqual([
      ['NOT_ALLOWED', 'directoryMounts.0.containerPath'],
      ['INVALID_FORMAT', 'env.0.value'],
      ['INVALID_FORMAT', 'ports.1.name'],
      ['NOT_ALLOWED', 'ports.2.name'],
    ]);
  });

  it('an image not chosen yet is not their problem (releasing it is refused for that)', () => {
    expect(storedConfigProblems(emptySettings())).toEqual([]);
    expect(storedConfigProblems(presetSettings('SPRINGBOOT2'))).toEqual([]);
  });

  it('the official presets pass every rule', () => {
    for (const kind of ['TOMCAT', 'SPRINGBOOT2', 'NODEJS', 'NGINX'] as const) expect(configProblems(presetSettings(kind), null, [])).toEqual([]);
  });
});
