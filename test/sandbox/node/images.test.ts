/** The image catalog: reference parsing, resolution rules, and the simulated process's timing. */
import { VirtualFs } from '../../../src/sandbox/node/filesystem.js';
import { serveFile } from '../../../src/sandbox/node/file-server.js';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, resolveImage } from '../../../src/sandbox/images/catalog.js';
import { imageDigest } from '../../../src/sandbox/images/digest.js';
import { parseImageRef } from '../../../src/sandbox/images/reference.js';
import { oomAfterMs, processFate, workingSetMi } from '../../../src/sandbox/node/app.js';

describe('image references', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', name: 'nginx' }],
    ['nginx:1.25', { registry: 'docker.io', repository: 'library/nginx', name: 'nginx', tag: '1.25' }],
    ['cairn/demo:v1', { registry: 'docker.io', repository: 'cairn/demo', name: 'demo', tag: 'v1' }],
    ['registry.example/team/nginx:1.25', { registry: 'registry.example', repository: 'team/nginx', name: 'nginx', tag: '1.25' }],
    ['localhost:5000/springboot2', { registry: 'localhost:5000', repository: 'springboot2', name: 'springboot2' }],
    [`nginx@${'sha256:' + 'a'.repeat(64)}`, { name: 'nginx', digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s', (raw, expected) => expect(parseImageRef(raw)).toMatchObject(expected));

  it.each(['', 'Nginx:1', 'nginx:', 'nginx@sha256:short', 'a b'])('rejects %j', (raw) => expect(parseImageRef(raw)).toBeUndefined());
});

describe('image resolution', () => {
  it.each([
    ['nginx:1.25', true],
    ['registry.example/team/nginx:1.25', true],
    ['nginx', true],
    ['tomcat:10.1', true],
    ['springboot2:crash', true],
    ['cairn/demo:never-ready', true],
    ['nodejs:flaky', true],
    ['nginx:9.99', false],
    ['unknown-image:1', false],
  ])('%s found: %s', (ref, found) => expect(resolveImage(ref).ok).toBe(found));

  it('answers a missing tag with containerd\'s not-found message', () => {
    const r = resolveImage('nginx:nope');
    expect(r).toMatchObject({ ok: false, reason: 'NotFound' });
    if (!r.ok) expect(r.message).toBe('rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found');
  });

  it('resolves a digest to its tag, and reports imageID with the digest', () => {
    const d = imageDigest('nginx', '1.25');
    const r = resolveImage(`nginx@${d}`);
    expect(r.ok && r.image.tag).toBe('1.25');
    const byTag = resolveImage('nginx:1.25');
    expect(byTag.ok && byTag.image.imageID).toBe(`docker-pullable://docker.io/library/nginx@${d}`);
    expect(resolveImage(`nginx@sha256:${'0'.repeat(64)}`).ok).toBe(false);
  });

  it('every image has ports (but busybox, pause and agnhost, whose subcommands listen), health paths that answer 2xx, and a start-up time', () => {
    for (const spec of Object.values(defaultCatalog)) {
      if (spec.name === 'busybox' || spec.name === 'pause' || spec.name === 'agnhost') expect(spec.ports).toEqual([]);
      else expect(spec.ports.length).toBeGreaterThan(0);
      for (const { name, healthPaths, http, fileServer } of [spec, ...Object.entries(spec.subcommands ?? {}).map(([sub, s]) => ({ ...s, name: `${spec.name} ${sub}` }))]) {
        for (const path of healthPaths ?? []) {
          const files = new VirtualFs(spec.files);
          const answer = Object.values(http).find((byPath) => byPath[path])?.[path] ?? (fileServer ? serveFile(fileServer, files, path) : undefined);
          expect(answer?.status, `${name} ${path}`).toBe(200);
        }
      }
      expect(spec.startupMs).toBeGreaterThan(0);
    }
    expect(defaultCatalog.springboot2!.http[8081]!['/actuator/health']!.body).toBe('{"status":"UP"}');
    expect(defaultCatalog.tomcat!.files['/acs/code/ROOT/index.html']).toBeDefined();
  });
});

describe('simulated process', () => {
  const img = (ref: string) => {
    const r = resolveImage(ref);
    if (!r.ok) throw new Error(ref);
    return r.image;
  };

  it.each([
    ['nginx:1.25', true, undefined, undefined],
    ['nginx:crash', true, undefined, { reason: 'Error', exitCode: 1 }],
    ['nginx:crash', false, undefined, { reason: 'Error', exitCode: 1 }],
    ['nodejs:flaky', true, undefined, { reason: 'Error', exitCode: 1 }],
    ['nodejs:flaky', false, undefined, undefined],
    ['cairn/demo:memory-hungry', true, undefined, undefined], // no limit: never OOMs
    ['cairn/demo:memory-hungry', false, 256, { reason: 'OOMKilled', exitCode: 137 }],
    ['springboot2:2.7', false, 256, { reason: 'OOMKilled', exitCode: 137 }], // steady 420Mi over a 256Mi limit
    ['springboot2:2.7', false, 512, undefined],
  ] as const)('%s (first pod of the image: %s, limit %s Mi) → %j', (ref, firstPod, limit, fate) => {
    const f = processFate(img(ref), firstPod, limit);
    if (fate === undefined) expect(f).toBeUndefined();
    else expect(f).toMatchObject(fate);
  });

  it('flaky exits before any image listens: its first pod is never Ready', () => {
    for (const ref of ['nginx:flaky', 'nodejs:flaky', 'tomcat:flaky', 'springboot2:flaky', 'cairn/demo:flaky']) {
      const i = img(ref);
      expect(processFate(i, true, undefined)!.afterMs, ref).toBeLessThan(i.spec.startupMs);
    }
  });

  it('memory grows to the steady working set over start-up', () => {
    const i = img('springboot2:2.7');
    expect(workingSetMi(i, 0)).toBeCloseTo(126);
    expect(workingSetMi(i, 18_000)).toBe(420);
    expect(workingSetMi(i, 600_000)).toBe(420);
    expect(oomAfterMs(i, 300)).toBeGreaterThan(0);
    expect(oomAfterMs(i, 300)).toBeLessThan(18_000);
  });
});
