/**
 * Image pulls as the kubelet's image manager does them (pkg/kubelet/images/image_manager.go): pull
 * policy, `already present on machine`, Pulling/Pulled, a failed pull → ErrImagePull, then
 * ImagePullBackOff while the per-pod back-off (10 s doubling to 300 s) runs.
 */
import { resolveImage, type ImageCatalog, type ResolvedImage } from '../images/catalog.js';
import { parseImageRef } from '../images/reference.js';
import { inBackoffSinceUpdate, nextBackoff, type BackoffEntry } from './backoff.js';
import { messages, waiting, type EventMessage } from './messages.js';
import type { Container } from './types.js';

export interface PullContext {
  catalog: ImageCatalog;
  /** Images present on the node (by full name). */
  nodeImages: Set<string>;
  /** Pulls in progress on the node, by image. */
  pulls: Map<string, Promise<void>>;
  now(): number;
  setWaiting(reason: string, message?: string): void;
  event(ev: EventMessage): void;
  /** Simulated sleep; false when the container was stopped meanwhile. */
  sleep(ms: number): Promise<boolean>;
}

/** The API server's default: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const ref = parseImageRef(image);
  return !ref || ref.digest || (ref.tag && ref.tag !== 'latest') ? 'IfNotPresent' : 'Always';
}

export class ImagePuller {
  private pullBackoff?: BackoffEntry;

  async ensure(container: Container, ctx: PullContext): Promise<ResolvedImage | undefined> {
    const ref = container.image ?? '';
    const res = resolveImage(ref, ctx.catalog);
    if (!res.ok && res.reason === 'InvalidImageName') {
      ctx.setWaiting('InvalidImageName', res.message);
      ctx.event(messages.inspectFailed(ref, res.message.replace(/^Failed to apply default image tag "[^"]*": /, '')));
      ctx.event(messages.error('InvalidImageName'));
      await ctx.sleep(60_000);
      return undefined;
    }
    const key = res.ok ? res.image.fullName : ref;
    const policy = container.imagePullPolicy ?? defaultPullPolicy(ref);
    const present = res.ok && ctx.nodeImages.has(key);
    if (policy === 'Never' && !present) {
      const ev = messages.neverPull(ref);
      ctx.setWaiting('ErrImageNeverPull', ev.message);
      ctx.event(ev);
      await ctx.sleep(10_000);
      return undefined;
    }
    if (present && policy !== 'Always') {
      ctx.event(messages.alreadyPresent(ref));
      return res.image;
    }
    const now = ctx.now();
    if (inBackoffSinceUpdate(this.pullBackoff, now)) {
      ctx.setWaiting('ImagePullBackOff', waiting.pullBackOff(ref));
      ctx.event(messages.pullBackOff(ref));
      ctx.event(messages.error('ImagePullBackOff'));
      const wait = this.pullBackoff!.lastUpdateMs + this.pullBackoff!.delayMs - now;
      await ctx.sleep(Math.max(wait, 0) + 100);
      return undefined;
    }
    ctx.event(messages.pulling(ref));
    const begun = ctx.now();
    // Pulls on a node are serialized: a pod that asks for an image already being pulled waits for that pull.
    const inflight = res.ok ? ctx.pulls.get(key) : undefined;
    let pullMs = res.ok ? res.image.spec.pullMs : 900;
    if (inflight) {
      await inflight;
      pullMs = 40;
    }
    let pulled!: () => void;
    if (res.ok && !inflight) ctx.pulls.set(key, new Promise<void>((r) => (pulled = r)));
    const ok = await ctx.sleep(pullMs);
    if (res.ok && !inflight) {
      ctx.pulls.delete(key);
      pulled();
      if (ok) ctx.nodeImages.add(key);
    }
    if (!ok) return undefined;
    if (!res.ok) {
      ctx.event(messages.pullFailed(ref, res.message));
      ctx.event(messages.error('ErrImagePull'));
      this.pullBackoff = nextBackoff(this.pullBackoff, ctx.now());
      ctx.setWaiting('ErrImagePull', res.message);
      // The next pod sync comes shortly after and finds the image in back-off.
      await ctx.sleep(1_000);
      return undefined;
    }
    ctx.nodeImages.add(key);
    this.pullBackoff = undefined;
    ctx.event(messages.pulled(ref, pullMs, res.image.spec.sizeBytes, inflight ? ctx.now() - begun : pullMs));
    return res.image;
  }
}
