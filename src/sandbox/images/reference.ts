/**
 * Image references, parsed as a container runtime does:
 *
 *   [registry/][path/]name[:tag][@sha256:digest]
 *
 * - The first path component is a registry when it contains a `.` or a `:` or is `localhost`
 *   (and more components follow); otherwise the registry is `docker.io`, and a single-component
 *   path gets the `library/` prefix (`nginx` → `docker.io/library/nginx`).
 * - No tag and no digest means `:latest`. With a digest the tag is ignored for pulling.
 * - **Catalog rule:** an image is known by the last path segment of its repository, whatever the
 *   registry and path: `nginx:1.25`, `docker.io/library/nginx:1.25` and
 *   `registry.example/team/nginx:1.25` are the same simulated nginx.
 */
export interface ImageRef {
  /** As written in the pod spec. */
  raw: string;
  registry: string;
  /** Repository path without the registry, e.g. `library/nginx`, `team/nginx`. */
  repository: string;
  /** Last path segment: the catalog key. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(raw: string): ImageRef | undefined {
  const ref = raw.trim();
  if (!ref || /\s/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p))) return undefined;
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const name = parts[parts.length - 1]!;
  return { raw: ref, registry, repository: parts.join('/'), name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `docker.io/library/nginx:1.25` — the fully qualified name a runtime reports. */
export function fullName(ref: ImageRef, tag = ref.tag ?? 'latest'): string {
  return `${ref.registry}/${ref.repository}:${tag}`;
}

/** The reference with tag or digest as the runtime resolves it, e.g. `docker.io/library/nginx@sha256:…`. */
export function canonicalRepo(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}
