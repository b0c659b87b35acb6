import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayServerUrl, findKubeconfigFiles, parseKubeconfig, readKubeconfigFiles } from '../../src/kube/kubeconfig.js';
import { kubeconfigText } from './fake-api-server.js';

const tempHome = () => mkdtempSync(join(tmpdir(), 'cairn-home-'));

describe('finding the kubeconfig', () => {
  it('uses the configured path when there is one', () => {
    const home = tempHome();
    const file = join(home, 'my-kubeconfig');
    writeFileSync(file, kubeconfigText([{ name: 'one', server: 'https://one:6443', token: 't0ken-one' }]));
    expect(findKubeconfigFiles(file, home)).toEqual([file]);
  });

  it('refuses a configured path that does not exist', () => {
    const home = tempHome();
    expect(() => findKubeconfigFiles(join(home, 'missing'), home)).toThrow(/kubeconfig not found/);
  });

  it('falls back to ~/.kube/config, then to nothing (the sandbox)', () => {
    const home = tempHome();
    expect(findKubeconfigFiles(undefined, home)).toEqual([]);
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfigText([{ name: 'one', server: 'https://one:6443', token: 't0ken-one' }]));
    expect(findKubeconfigFiles(undefined, home)).toEqual([join(home, '.kube', 'config')]);
  });

  it('reads several files separated by the path delimiter', () => {
    const home = tempHome();
    const a = join(home, 'a');
    const b = join(home, 'b');
    writeFileSync(a, kubeconfigText([{ name: 'a', server: 'https://a:6443', token: 't0ken-a' }]));
    writeFileSync(b, kubeconfigText([{ name: 'b', server: 'https://b:6443', token: 't0ken-b' }]));
    const sources = readKubeconfigFiles(findKubeconfigFiles(`${a}:${b}`, home));
    expect(sources.map((s) => [s.origin, s.sandbox])).toEqual([
      [a, false],
      [b, false],
    ]);
    expect(sources.map((s) => parseKubeconfig(s).getContexts()[0]?.name)).toEqual(['a', 'b']);
  });

  it('reads a directory as its files: a Secret mounted as a volume (one file per key, behind ..data symlinks)', () => {
    const home = tempHome();
    const mount = join(home, 'kubeconfig');
    const data = join(mount, '..2026_12_06_17_00_00.1');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'staging'), kubeconfigText([{ name: 'staging', server: 'https://s:6443', token: 't0ken-s' }]));
    writeFileSync(join(data, 'prod'), kubeconfigText([{ name: 'prod', server: 'https://p:6443', token: 't0ken-p' }]));
    symlinkSync(data, join(mount, '..data'));
    symlinkSync(join('..data', 'staging'), join(mount, 'staging'));
    symlinkSync(join('..data', 'prod'), join(mount, 'prod'));
    const files = findKubeconfigFiles(mount, home);
    expect(files).toEqual([join(mount, 'prod'), join(mount, 'staging')]);
    expect(readKubeconfigFiles(files).map((s) => parseKubeconfig(s).getContexts()[0]?.name)).toEqual(['prod', 'staging']);
  });

  it('refuses a configured directory with no file in it', () => {
    const home = tempHome();
    mkdirSync(join(home, 'empty'));
    expect(() => findKubeconfigFiles(join(home, 'empty'), home)).toThrow(`kubeconfig directory ${join(home, 'empty')} holds no file`);
  });
});

describe('parsing', () => {
  it('never quotes the kubeconfig text in its error', () => {
    const text = 'apiVersion: v1\nusers:\n- name: x\n  user: { token: "leaky-token-123" \n::: not yaml';
    let message = '';
    try {
      parseKubeconfig({ text, origin: '/tmp/broken', sandbox: false });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/cannot parse the kubeconfig from \/tmp\/broken/);
    expect(message).not.toContain('leaky-token-123');
  });

  it('shows server URLs without user-info or query', () => {
    expect(displayServerUrl('https://admin:s3cret@k8s.example:6443/?token=abc')).toBe('https://k8s.example:6443');
    expect(displayServerUrl('https://10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
    expect(displayServerUrl('not a url')).toBe('(invalid URL)');
  });
});
