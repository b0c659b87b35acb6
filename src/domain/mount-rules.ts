import type { ConfigInput } from './config-input.js';
import { LIMITS } from './config-types.js';
import { isInside, normalisePath } from './names.js';
import { OFFICIAL_IMAGES } from './official-images.js';
import { problem, type Problem } from './problems.js';

type Path = (string | number)[];

/**
 * Where nothing may be mounted. kube-apiserver v1.20.2 accepts a volume mounted at `/` (and at
 * /proc, /sys, /dev), but no container starts with its root hidden, and the container runtime
 * mounts /proc, /sys and /dev itself. A mount at the deploy root, or at a directory above it,
 * hides the code package the official images run from there.
 */
export function mountPathProblem(path: string, deployRoot: string | null): string | null {
  const p = normalisePath(path);
  if (p === '/') return 'Nothing can be mounted at / (it would hide the whole file system of the container).';
  for (const own of ['/proc', '/sys', '/dev']) {
    if (p === own || isInside(p, own)) return `${own} belongs to the container runtime, which mounts it itself; choose another path.`;
  }
  if (deployRoot && (p === normalisePath(deployRoot) || isInside(deployRoot, p))) {
    return `A mount at ${path} would hide the deploy root directory ${deployRoot} (the code package); mount inside it or elsewhere.`;
  }
  return null;
}

/** The deploy root an input stands for: its own, else the official image's. */
export function effectiveDeployRoot(input: ConfigInput): string | null {
  if (input.deployRootDir !== undefined) return input.deployRootDir;
  return input.officialImage ? OFFICIAL_IMAGES[input.officialImage].deployRootDir : null;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Mount paths and the sizes of what cairn renders into one object: the file mounts go into one
 * ConfigMap and the secret variables into one Secret, each at most 1 MiB of data (Kubernetes'
 * MaxSecretSize: `ConfigMap "…" is invalid: []: Too long: must have at most 1048576 bytes`); plain
 * variables are copied into the Deployment, its ReplicaSet and every pod, which etcd keeps under
 * 1.5 MiB an object (kube-apiserver v1.20.2 answers a 1.7 MB pod with 500 `etcdserver: request is
 * too large`, which no retry fixes). Paths are relative to the configuration (`at` is a prefix).
 */
export function mountAndSizeProblems(input: ConfigInput, secretValueOf: (name: string) => string | undefined, at: Path): Problem[] {
  const problems: Problem[] = [];
  const root = effectiveDeployRoot(input);
  (input.fileMounts ?? []).forEach((f, i) => {
    const why = f.path.startsWith('/') ? mountPathProblem(f.path, root) : null;
    if (why) problems.push(problem([...at, 'fileMounts', i, 'path'], 'NOT_ALLOWED', why));
  });
  (input.directoryMounts ?? []).forEach((d, i) => {
    const why = d.containerPath.startsWith('/') ? mountPathProblem(d.containerPath, root) : null;
    if (why) problems.push(problem([...at, 'directoryMounts', i, 'containerPath'], 'NOT_ALLOWED', why));
  });

  const sizes = (input.fileMounts ?? []).map((f) => bytes(f.content));
  const files = sizes.reduce((n, b) => n + b, 0);
  // A file too large on its own is reported at its content already.
  if (files > LIMITS.fileMountsTotalBytes && sizes.every((b) => b <= LIMITS.fileMountBytes)) {
    problems.push(problem([...at, 'fileMounts'], 'TOO_LONG', `The files hold ${files} bytes in all; at most ${LIMITS.fileMountsTotalBytes} (1 MiB, one ConfigMap) fit.`));
  }
  let secret = 0;
  let plain = 0;
  for (const e of input.env ?? []) {
    const value = e.value ?? (e.secret ? (secretValueOf(e.name) ?? '') : '');
    if (e.secret) secret += bytes(value);
    else plain += bytes(value);
  }
  if (secret > LIMITS.secretEnvTotalBytes) {
    problems.push(problem([...at, 'env'], 'TOO_LONG', `The secret variables hold ${secret} bytes in all; at most ${LIMITS.secretEnvTotalBytes} (1 MiB, one Secret) fit.`));
  }
  if (plain > LIMITS.plainEnvTotalBytes) {
    problems.push(problem([...at, 'env'], 'TOO_LONG', `The variables that are not secret hold ${plain} bytes in all; at most ${LIMITS.plainEnvTotalBytes} (512 KiB) fit in a pod.`));
  }
  return problems;
}
