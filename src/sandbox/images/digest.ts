import { createHash } from 'node:crypto';

/** A stable fake content digest for an image name and tag, so the same tag always has the same digest. */
export function imageDigest(name: string, tag: string): string {
  return `sha256:${createHash('sha256').update(`cairn-sandbox-image:${name}:${tag}`).digest('hex')}`;
}
