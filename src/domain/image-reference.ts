import type { ConfigSettings } from './config-types.js';

/**
 * The image a revision runs: `settings.image`, else the official image's name lower-case, plus
 * `:tag` when a tag is given (a reference that already pins a digest keeps it and gets no tag).
 * Null when the settings name no image.
 */
export function imageReference(settings: Pick<ConfigSettings, 'image' | 'officialImage'>, tag: string | null | undefined): string | null {
  const image = settings.image ?? settings.officialImage?.toLowerCase() ?? null;
  if (!image) return null;
  if (!tag || image.includes('@')) return image;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const repository = lastSegment.includes(':') ? image.slice(0, image.length - (lastSegment.length - lastSegment.indexOf(':'))) : image;
  return `${repository}:${tag}`;
}
