/**
 * Which pod started an image first, per namespace. The node agent serves every node of its cluster,
 * so one registry per agent answers for the whole cluster (the `flaky` tag's rule: the first pod of a
 * namespace that runs the image fails on every start, later pods run). It lives in the agent's
 * memory: a restarted agent starts over.
 */
export class FirstPods {
  private readonly first = new Map<string, string>();

  /**
   * Records that pod `podUid` in `namespace` starts `image` (a normalised image reference); true when
   * this pod is the first of its namespace to run that image — now or on an earlier start.
   */
  claim(namespace: string, image: string, podUid: string): boolean {
    const key = `${namespace}\u0000${image}`;
    const holder = this.first.get(key);
    if (holder === undefined) {
      this.first.set(key, podUid);
      return true;
    }
    return holder === podUid;
  }
}
