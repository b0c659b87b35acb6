import type { ConfigSettings } from '../domain/config-types.js';

/** One setting that differs between what runs and what the next release deploys. */
export interface ConfigChange {
  /** The setting's path, e.g. ["env", "LOG_LEVEL", "value"] or ["ports", "8080", "protocol"]. */
  path: string[];
  /** The value as text (JSON for non-strings); null when the setting is absent on that side. */
  before: string | null;
  after: string | null;
  /** A secret value: both sides are shown masked. */
  secret: boolean;
}

/** What a release compares: the image tag and the settings (the image itself is a setting). */
export interface ComparableConfig {
  imageTag: string | null;
  settings: ConfigSettings;
}

export const SECRET_MASK = '••••••';

/** List items are keyed by what identifies them, so that a reorder is no change and a diff reads well. */
const LIST_KEYS: Record<string, (item: any) => string> = {
  env: (e) => e.name,
  ports: (p) => `${p.containerPort}/${p.protocol}`,
  fileMounts: (m) => m.path,
  directoryMounts: (m) => m.containerPath,
};

type Leaf = { value: string; secret: boolean };

function flatten(value: unknown, path: string[], out: Map<string, Leaf>, secret = false): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const keyOf = path.length === 1 ? LIST_KEYS[path[0]!] : undefined;
    if (!keyOf && value.every((v) => typeof v !== 'object' || v === null)) {
      out.set(JSON.stringify(path), { value: JSON.stringify(value), secret });
      return;
    }
    value.forEach((item, i) => {
      const isSecret = path[0] === 'env' && (item as { secret?: boolean }).secret === true;
      flatten(item, [...path, keyOf ? keyOf(item) : String(i)], out, isSecret);
    });
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, [...path, k], out, secret && k === 'value');
    return;
  }
  out.set(JSON.stringify(path), { value: typeof value === 'string' ? value : JSON.stringify(value), secret });
}

/**
 * Field-by-field differences from `deployed` (null before the first release: everything is new)
 * to `draft`, in a stable order (the image and its tag first, then the other settings by path).
 */
export function diffConfigs(deployed: ComparableConfig | null, draft: ComparableConfig): ConfigChange[] {
  const before = new Map<string, Leaf>();
  const after = new Map<string, Leaf>();
  if (deployed) {
    flatten({ imageTag: deployed.imageTag }, [], before);
    flatten(deployed.settings, [], before);
  }
  flatten({ imageTag: draft.imageTag }, [], after);
  flatten(draft.settings, [], after);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const changes: ConfigChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (b?.value === a?.value && b?.secret === a?.secret) continue;
    const secret = Boolean(b?.secret || a?.secret);
    const show = (l: Leaf | undefined) => (l === undefined ? null : l.secret ? SECRET_MASK : l.value);
    changes.push({ path: JSON.parse(key) as string[], before: show(b), after: show(a), secret });
  }
  const rank = (c: ConfigChange) => (['image', 'officialImage', 'imageTag'].includes(c.path[0]!) ? 0 : 1);
  return changes.sort((x, y) => rank(x) - rank(y) || x.path.join('.').localeCompare(y.path.join('.'), 'en', { numeric: true }));
}
