import { describe, expect, it } from 'vitest';
import { configProblems, configWarnings, resolveSettings } from '../../src/domain/config-rules.js';
import { emptySettings } from '../../src/domain/config-types.js';
import { isInside, namespaceFor, normalisePath } from '../../src/domain/names.js';
import { presetSettings } from '../../src/domain/official-images.js';

describe('paths', () => {
  it.each([
    ['/a/b', '/a', true],
    ['/a', '/a', false],
    ['/ab', '/a', false],
    ['/a/b/', '/a/', true],
    ['/x', '/', true],
  ])('isInside(%s, %s) is %s', (inner, outer, expected) => {
    expect(isInside(inner, outer)).toBe(expected);
  });

  it('normalises doubled and trailing slashes and . segments', () => {
    expect(normalisePath('//etc/./app//conf/')).toBe('/etc/app/conf');
  });

  it('derives the namespace from the app name', () => {
    expect(namespaceFor('shop')).toBe('cairn-shop');
  });
});

describe('resolveSettings', () => {
  it('takes omitted fields from the official image and keeps explicit ones', () => {
    const s = resolveSettings({ officialImage: 'NODEJS', instances: 5, readinessProbe: null }, null);
    expect(s).toEqual({ ...presetSettings('NODEJS'), instances: 5, readinessProbe: null });
  });

  it('takes omitted fields from the generic defaults without an official image', () => {
    expect(resolveSettings({ image: 'httpd' }, null)).toEqual({ ...emptySettings(), image: 'httpd' });
  });

  it('keeps a stored secret when its value is omitted, and only for a secret of the same name', () => {
    const current = { ...emptySettings(), env: [{ name: 'TOKEN', value: 'stored', secret: true }, { name: 'PLAIN', value: 'p', secret: false }] };
    const s = resolveSettings({ image: 'x', env: [{ name: 'TOKEN', secret: true }, { name: 'OTHER', secret: true }] }, current);
    expect(s.env).toEqual([
      { name: 'TOKEN', value: 'stored', secret: true },
      { name: 'OTHER', value: '', secret: true },
    ]);
    expect(configProblems({ image: 'x', env: [{ name: 'TOKEN', secret: true }, { name: 'PLAIN', secret: true }] }, current, [])).toEqual([
      expect.objectContaining({ path: ['env', '1', 'value'], code: 'REQUIRED' }),
    ]);
  });

  it('fills probe timings with Kubernetes defaults', () => {
    const s = resolveSettings({ image: 'x', livenessProbe: { exec: { command: ['true'] } } }, null);
    expect(s.livenessProbe).toEqual({ http: null, exec: { command: ['true'] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  });
});

describe('configProblems', () => {
  it('allows the same port number once per protocol', () => {
    expect(configProblems({ image: 'x', ports: [{ containerPort: 53, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }, null, [])).toEqual([]);
  });

  it('refuses a path that is both a file and a directory mount', () => {
    const problems = configProblems({ image: 'x', fileMounts: [{ path: '/data', content: '' }], directoryMounts: [{ containerPath: '/data', hostPath: '/h' }] }, null, []);
    expect(problems.map((p) => [p.code, p.path.join('.')])).toEqual([['DUPLICATE', 'fileMounts.0.path']]);
  });
});

describe('configWarnings', () => {
  it('has nothing to say about an official image preset', () => {
    for (const kind of ['TOMCAT', 'SPRINGBOOT2', 'NODEJS', 'NGINX'] as const) expect(configWarnings(presetSettings(kind), [])).toEqual([]);
  });

  it('does not count a UDP mapping for an HTTP probe', () => {
    const s = { ...presetSettings('NGINX'), ports: [{ containerPort: 80, protocol: 'UDP' as const, name: null }] };
    expect(configWarnings(s, []).map((w) => w.code)).toEqual(['PROBE_PORT_NOT_MAPPED', 'PROBE_PORT_NOT_MAPPED']);
  });
});
