/**
 * Object names and labels of everything cairn creates (pure).
 *
 * Names (env = the environment kind lower-case: production | test):
 *   Namespace        the environment's namespace (cairn-<app>, chosen by the db layer)
 *   Deployment       <app>-<env>-r<N>          one per revision (stateless)
 *   StatefulSet      <app>-<env>               one per environment (stateful)
 *   Service          <app>-<env>               the environment's Service over its mapped ports
 *   headless Service <app>-<env>-headless      the StatefulSet's serviceName (stateful)
 *   ConfigMap        <app>-<env>-r<N>-files    file mounts of revision N
 *   Secret           <app>-<env>-r<N>-env      secret env vars of revision N
 * A name longer than its limit (63, or 52 for a StatefulSet whose pods get a
 * `controller-revision-hash` label `<name>-<10 chars>`) is cut and suffixed with 8 hex digits of
 * its SHA-256, so it stays a valid, stable DNS-1123 label.
 *
 * Labels: every object and pod template carries cairn.dev/app, cairn.dev/environment
 * (production | test), app.kubernetes.io/managed-by=cairn and app.kubernetes.io/name=<app>;
 * per-revision objects (Deployment, ConfigMap, Secret, pods) and the StatefulSet (its template's
 * revision) also carry cairn.dev/revision=<N>. The Namespace, shared by the app's environments,
 * carries no environment label.
 */
import { createHash } from 'node:crypto';
import type { PortMapping } from '../../domain/config-types.js';
import { fallbackPortName } from '../../domain/port-names.js';
import type { EnvironmentKind, EnvironmentTarget } from '../workloads-types.js';

export const LABEL_APP = 'cairn.dev/app';
export const LABEL_ENVIRONMENT = 'cairn.dev/environment';
export const LABEL_REVISION = 'cairn.dev/revision';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const MANAGED_BY = 'cairn';
export const ANNOTATION_RELEASE_ORDER = 'cairn.dev/release-order';
export const ANNOTATION_IMAGE = 'cairn.dev/image';
export const ANNOTATION_FILE_PATHS = 'cairn.dev/file-paths';
export const ANNOTATION_LOG_PATHS = 'cairn.dev/log-paths';
export const ANNOTATION_LOG_STORE = 'cairn.dev/log-store';

/** What names and labels need from a target. */
export type NameTarget = Pick<EnvironmentTarget, 'appName' | 'environmentKind'>;

export const environmentLabel = (kind: EnvironmentKind): string => kind.toLowerCase();

/** Keeps `name` within `max` characters: cut, then `-<8 hex of sha256(name)>`. */
export function boundedName(name: string, max = 63): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

const base = (t: NameTarget) => `${t.appName}-${environmentLabel(t.environmentKind)}`;

export const names = {
  deployment: (t: NameTarget, revision: number) => boundedName(`${base(t)}-r${revision}`),
  statefulSet: (t: NameTarget) => boundedName(base(t), 52),
  service: (t: NameTarget) => boundedName(base(t)),
  headlessService: (t: NameTarget) => boundedName(`${base(t)}-headless`),
  configMap: (t: NameTarget, revision: number) => boundedName(`${base(t)}-r${revision}-files`),
  secret: (t: NameTarget, revision: number) => boundedName(`${base(t)}-r${revision}-env`),
  /** The container's name inside every pod. */
  container: (t: NameTarget) => boundedName(t.appName),
};

/** Labels of the environment's objects (and the selector of its Service, without managed-by/name). */
export function environmentLabels(t: NameTarget): Record<string, string> {
  return {
    [LABEL_APP]: t.appName,
    [LABEL_ENVIRONMENT]: environmentLabel(t.environmentKind),
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_NAME]: t.appName,
  };
}

export function revisionLabels(t: NameTarget, revision: number): Record<string, string> {
  return { ...environmentLabels(t), [LABEL_REVISION]: String(revision) };
}

/** Selects every pod of the environment, across revisions. */
export function environmentSelector(t: NameTarget): Record<string, string> {
  return { [LABEL_APP]: t.appName, [LABEL_ENVIRONMENT]: environmentLabel(t.environmentKind) };
}

/** Selects the pods of one revision (a Deployment's immutable selector). */
export function revisionSelector(t: NameTarget, revision: number): Record<string, string> {
  return { ...environmentSelector(t), [LABEL_REVISION]: String(revision) };
}

/** `k=v,k=v` for list calls: everything cairn manages in the environment. */
export function labelSelectorText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function environmentLabelSelector(t: NameTarget): string {
  return labelSelectorText({ ...environmentSelector(t), [LABEL_MANAGED_BY]: MANAGED_BY });
}

/**
 * Port names, rendered verbatim: a mapping's name is an IANA service name, unique within the
 * configuration (checked when it is written, src/domain/port-names.ts), so the container's ports
 * carry it unchanged and no two of them can end up with the same name. An unnamed mapping has no
 * container port name.
 */
export const containerPortName = (p: PortMapping): string | null => p.name;

/**
 * The Service's port names (a Service with several ports needs each named, uniquely): the
 * mapping's name, or for an unnamed one its fallback `<protocol>-<port>`. The fallbacks are chosen
 * after seeing every given name: one that is taken (only possible in a configuration stored
 * before the reserved-name rule) gets `-2`, `-3` … so that the names are always unique.
 */
export function servicePortNames(ports: PortMapping[]): string[] {
  const taken = new Set(ports.map((p) => p.name).filter((n): n is string => n !== null));
  return ports.map((p) => {
    if (p.name !== null) return p.name;
    const base = fallbackPortName(p);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    return name;
  });
}
