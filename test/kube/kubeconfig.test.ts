import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
