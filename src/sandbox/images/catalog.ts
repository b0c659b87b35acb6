import { failureTags } from './behaviours.js';
import { demo } from './demo.js';
import { imageDigest } from './digest.js';
import { nginx } from './nginx.js';
import { nodejs } from './nodejs.js';
import { canonicalRepo, fullName, parseImageRef } from './reference.js';
import { springboot2 } from './springboot2.js';
import { tomcat } from './tomcat.js';
import { agnhost, busybox, httpd, pause } from './test-images.js';
import type { ImageSpec, ResolvedImage } from './types.js';

export type { Behaviour, FileServer, HttpAnswer, ImageLogLine, ImageSpec, ResolvedImage } from './types.js';
export { failureTags } from './behaviours.js';
export { parseImageRef } from './reference.js';

/** The built-in images, by catalog key (the last path segment of the repository; see reference.ts). */
export const defaultCatalog: Record<string, ImageSpec> = { tomcat, springboot2, nodejs, nginx, demo, agnhost, busybox, httpd, pause };

export type ImageCatalog = Record<string, ImageSpec>;

export type Resolution = { ok: true; image: ResolvedImage } | { ok: false; reason: 'InvalidImageName' | 'NotFound'; message: string };

/**
 * Resolves an image reference the way a registry would answer a pull:
 * - unparsable → InvalidImageName;
 * - unknown image name, unknown tag, or a digest that no known tag has → NotFound with containerd's message.
 * Tags: the image's own tags plus the failure tags (behaviours.ts). A digest resolves to the tag it is the digest of.
 */
export function resolveImage(raw: string, catalog: ImageCatalog = defaultCatalog): Resolution {
  const ref = parseImageRef(raw);
  if (!ref) return { ok: false, reason: 'InvalidImageName', message: `Failed to apply default image tag "${raw}": couldn't parse image name "${raw}": invalid reference format` };
  const spec = Object.hasOwn(catalog, ref.name) ? catalog[ref.name] : undefined;
  const tags = spec ? [...spec.tags, ...Object.keys(failureTags)] : [];
  let tag: string | undefined;
  if (ref.digest) tag = spec ? tags.find((t) => imageDigest(spec.name, t) === ref.digest) : undefined;
  else tag = tags.includes(ref.tag ?? 'latest') ? (ref.tag ?? 'latest') : undefined;
  if (!spec || !tag) {
    const what = ref.digest ? `${canonicalRepo(ref)}@${ref.digest}` : fullName(ref);
    return {
      ok: false,
      reason: 'NotFound',
      message: `rpc error: code = NotFound desc = failed to pull and unpack image "${what}": failed to resolve reference "${what}": ${what}: not found`,
    };
  }
  const digest = imageDigest(spec.name, tag);
  return {
    ok: true,
    image: {
      spec,
      tag,
      behaviour: failureTags[tag] ?? {},
      fullName: ref.digest ? `${canonicalRepo(ref)}@${ref.digest}` : fullName(ref, tag),
      digest,
      imageID: `docker-pullable://${canonicalRepo(ref)}@${digest}`,
    },
  };
}
