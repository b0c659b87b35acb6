import type { ActionInput, ConfigInput, ProbeInput } from './config-input.js';
import type { Action, ConfigSettings, EnvVar, Probe } from './config-types.js';
import { emptySettings } from './config-types.js';
import { logCollectionProblems, STDOUT, uncollectedLogWarnings } from './log-collection.js';
import { mountAndSizeProblems } from './mount-rules.js';
import { isInside, normalisePath } from './names.js';
import { presetSettings } from './official-images.js';
import { reservedNameProblem } from './port-names.js';
import { problem, type Problem } from './problems.js';

type Path = (string | number)[];

/**
 * Cross-field rules of a configuration input: uniqueness, nesting, one action per probe …
 * `stored`: settings already saved (a draft, template or revision), where log paths that break the
 * log rules are left out when rendered, with a warning, instead of refused (log-collection.ts).
 */
export function configProblems(input: ConfigInput, current: ConfigSettings | null, at: Path, opts: { stored?: boolean } = {}): Problem[] {
  const problems: Problem[] = [];
  if (input.image == null && input.officialImage == null) {
    problems.push(problem([...at, 'image'], 'REQUIRED', 'Give an image reference, or pick an officialImage.'));
  }

  const ports = input.ports ?? [];
  duplicates(ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`)).forEach((i) =>
    problems.push(problem([...at, 'ports', i, 'containerPort'], 'DUPLICATE', `Port ${ports[i]!.containerPort}/${ports[i]!.protocol ?? 'TCP'} is mapped twice.`)),
  );
  duplicates(ports.map((p) => p.name ?? null)).forEach((i) =>
    problems.push(problem([...at, 'ports', i, 'name'], 'DUPLICATE', `The port name "${ports[i]!.name}" is used twice.`)),
  );
  ports.forEach((p, i) => {
    const why = p.name ? reservedNameProblem({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', name: p.name }) : null;
    if (why) problems.push(problem([...at, 'ports', i, 'name'], 'NOT_ALLOWED', why));
  });

  const env = input.env ?? [];
  duplicates(env.map((e) => e.name)).forEach((i) =>
    problems.push(problem([...at, 'env', i, 'name'], 'DUPLICATE', `The variable ${env[i]!.name} is set twice.`)),
  );
  env.forEach((e, i) => {
    if (e.value != null) return;
    const stored = current?.env.find((s) => s.name === e.name && s.secret);
    if (e.secret && stored) return;
    problems.push(
      problem(
        [...at, 'env', i, 'value'],
        'REQUIRED',
        e.secret ? 'A new secret variable needs a value (an existing secret keeps its value when you omit it).' : 'Give a value (it may be empty).',
      ),
    );
  });

  const files = input.fileMounts ?? [];
  const dirs = input.directoryMounts ?? [];
  duplicates(files.map((f) => normalisePath(f.path))).forEach((i) =>
    problems.push(problem([...at, 'fileMounts', i, 'path'], 'DUPLICATE', `${files[i]!.path} is mounted twice.`)),
  );
  duplicates(dirs.map((d) => normalisePath(d.containerPath))).forEach((i) =>
    problems.push(problem([...at, 'directoryMounts', i, 'containerPath'], 'DUPLICATE', `${dirs[i]!.containerPath} is mounted twice.`)),
  );
  const mounts = [
    ...files.map((f, i) => ({ path: f.path, at: [...at, 'fileMounts', i, 'path'] })),
    ...dirs.map((d, i) => ({ path: d.containerPath, at: [...at, 'directoryMounts', i, 'containerPath'] })),
  ];
  for (const m of mounts) {
    const outer = mounts.find((o) => o !== m && o.path.startsWith('/') && m.path.startsWith('/') && isInside(m.path, o.path));
    if (outer) problems.push(problem(m.at, 'NESTED_MOUNT', `${m.path} is inside another mount (${outer.path}); mounts must not nest.`));
  }
  const samePathAcross = files.findIndex((f) => dirs.some((d) => normalisePath(d.containerPath) === normalisePath(f.path)));
  if (samePathAcross >= 0) {
    problems.push(problem([...at, 'fileMounts', samePathAcross, 'path'], 'DUPLICATE', `${files[samePathAcross]!.path} is both a file and a directory mount.`));
  }

  problems.push(...mountAndSizeProblems(input, (name) => current?.env.find((s) => s.name === name && s.secret)?.value, at));
  if (!opts.stored) problems.push(...logCollectionProblems(input, at));

  for (const key of ['livenessProbe', 'readinessProbe'] as const) {
    const p = input[key];
    if (p) problems.push(...actionProblems(p, [...at, key]));
  }
  if (input.livenessProbe?.successThreshold != null && input.livenessProbe.successThreshold !== 1) {
    problems.push(problem([...at, 'livenessProbe', 'successThreshold'], 'NOT_ALLOWED', 'Kubernetes requires successThreshold 1 for a liveness probe.'));
  }
  for (const key of ['postStart', 'preStop'] as const) {
    const h = input[key];
    if (h) problems.push(...actionProblems(h, [...at, key]));
  }
  return problems;
}

function actionProblems(a: ActionInput, at: Path): Problem[] {
  const count = (a.http ? 1 : 0) + (a.exec ? 1 : 0);
  return count === 1 ? [] : [problem(at, 'EXACTLY_ONE', 'Set exactly one of http and exec.')];
}

/** Indexes of the entries that repeat an earlier one (nulls never repeat). */
function duplicates(keys: (string | null)[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  keys.forEach((k, i) => {
    if (k === null) return;
    if (seen.has(k)) out.push(i);
    seen.add(k);
  });
  return out;
}

/**
 * The settings an input stands for: each omitted field takes the official image's default (or the
 * generic default); secrets sent without a value keep their stored value. Call after validation.
 */
export function resolveSettings(input: ConfigInput, current: ConfigSettings | null): ConfigSettings {
  const base = input.officialImage ? presetSettings(input.officialImage) : emptySettings();
  const pick = <K extends keyof ConfigSettings>(k: K, value: ConfigSettings[K] | undefined): ConfigSettings[K] =>
    value === undefined ? base[k] : value;
  return {
    officialImage: input.officialImage ?? null,
    image: input.image ?? base.image,
    instances: input.instances ?? base.instances,
    cpuMillicores: input.cpuMillicores ?? base.cpuMillicores,
    memoryMb: input.memoryMb ?? base.memoryMb,
    deployRootDir: pick('deployRootDir', input.deployRootDir),
    logCollection:
      input.logCollection == null
        ? base.logCollection
        : { paths: (input.logCollection.paths ?? []).map((p) => (p === STDOUT ? p : normalisePath(p))), logStore: input.logCollection.logStore ?? null },
    ports: input.ports == null ? base.ports : input.ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', name: p.name ?? null })),
    env: input.env == null ? base.env : input.env.map((e): EnvVar => resolveEnv(e, current)),
    // Paths are kept normalised: what is rendered is what was checked for duplicates and nesting.
    fileMounts: input.fileMounts == null ? base.fileMounts : input.fileMounts.map((f) => ({ path: normalisePath(f.path), content: f.content })),
    directoryMounts:
      input.directoryMounts == null
        ? base.directoryMounts
        : input.directoryMounts.map((d) => ({ containerPath: normalisePath(d.containerPath), hostPath: normalisePath(d.hostPath) })),
    livenessProbe: input.livenessProbe === undefined ? base.livenessProbe : input.livenessProbe && toProbe(input.livenessProbe),
    readinessProbe: input.readinessProbe === undefined ? base.readinessProbe : input.readinessProbe && toProbe(input.readinessProbe),
    postStart: input.postStart === undefined ? base.postStart : input.postStart && toAction(input.postStart),
    preStop: input.preStop === undefined ? base.preStop : input.preStop && toAction(input.preStop),
    terminationGracePeriodSeconds: input.terminationGracePeriodSeconds ?? base.terminationGracePeriodSeconds,
  };
}

function resolveEnv(e: { name: string; value?: string | null; secret?: boolean | null }, current: ConfigSettings | null): EnvVar {
  const secret = e.secret ?? false;
  if (e.value != null) return { name: e.name, value: e.value, secret };
  const stored = current?.env.find((s) => s.name === e.name && s.secret);
  return { name: e.name, value: stored?.value ?? '', secret };
}

function toAction(a: ActionInput): Action {
  return {
    http: a.http ? { path: a.http.path, port: a.http.port, scheme: a.http.scheme ?? 'HTTP' } : null,
    exec: a.exec ? { command: [...a.exec.command] } : null,
  };
}

function toProbe(p: ProbeInput): Probe {
  return {
    ...toAction(p),
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    successThreshold: p.successThreshold ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

/** A setting that is allowed but probably not what the user wants. */
export const WARNING_CODES = ['FEW_INSTANCES', 'PROBE_PORT_NOT_MAPPED', 'LOG_PATH_NOT_COLLECTED', 'LOG_VOLUME_ADDED'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];
export interface Warning {
  path: string[];
  code: WarningCode;
  message: string;
}

/** Warnings about accepted settings; paths are relative to the configuration (`at` is a prefix). */
export function configWarnings(s: ConfigSettings, at: Path): Warning[] {
  const warnings: Warning[] = [];
  const w = (path: Path, code: WarningCode, message: string) => warnings.push({ path: path.map(String), code, message });
  if (s.instances < 2) {
    w([...at, 'instances'], 'FEW_INSTANCES', 'One instance means downtime while it restarts or is released; at least 2 are recommended.');
  }
  const mapped = new Set(s.ports.filter((p) => p.protocol === 'TCP').map((p) => p.containerPort));
  for (const key of ['livenessProbe', 'readinessProbe'] as const) {
    const http = s[key]?.http;
    if (http && !mapped.has(http.port)) {
      w([...at, key, 'http', 'port'], 'PROBE_PORT_NOT_MAPPED', `The ${key} checks port ${http.port}, which is not among the TCP port mappings.`);
    }
  }
  warnings.push(...uncollectedLogWarnings(s, at));
  return warnings;
}
