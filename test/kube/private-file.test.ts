/** writePrivateFile: the sandbox kubeconfig (tokens) is 0600 from its creation, also over a wider file already there. */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/kube/private-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-private-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('writePrivateFile', () => {
  it('creates the file (and its folder) readable by its owner only, leaving nothing else behind', () => {
    const file = join(dir, 'data', 'sandbox-kubeconfig.yaml');
    writePrivateFile(file, 'token: one\n');
    expect(readFileSync(file, 'utf8')).toBe('token: one\n');
    expect(mode(file)).toBe(0o600);
    expect(readdirSync(join(dir, 'data'))).toEqual(['sandbox-kubeconfig.yaml']);
  });

  it('replaces a file already there whose mode is wider: the new one is 0600 (a write in place would keep 0644)', () => {
    const file = join(dir, 'sandbox-kubeconfig.yaml');
    writeFileSync(file, 'token: old\n');
    chmodSync(file, 0o644);
    const before = statSync(file).ino;
    writePrivateFile(file, 'token: new\n');
    expect(readFileSync(file, 'utf8')).toBe('token: new\n');
    expect(mode(file)).toBe(0o600);
    // A new file took its place (created 0600), rather than the old one being rewritten and then narrowed.
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(dir)).toEqual(['sandbox-kubeconfig.yaml']);
  });

  it('leaves no temporary file when it cannot put the file in place', () => {
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inside'), { recursive: true }); // a non-empty directory: the rename fails
    expect(() => writePrivateFile(target, 'token: x\n')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
