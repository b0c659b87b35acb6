/**
 * Whether the lease's holder is a process of this host that has exited: then its lease need not be waited
 * out. A cairn killed with SIGKILL and started again on the same SQLite file would otherwise pause its
 * releases for a whole lease term (15 s by default). Only for stores that cannot span hosts (SQLite: one
 * file on one machine); the host is told by the holder id's name part (holderId: `name/pid/random`).
 *
 *   another name                  → not known: false (wait for the expiry)
 *   same name, same pid as mine   → true: that pid is this process now, so the holder was an earlier one
 *   same name, another pid        → true when no process has that pid
 */
export interface HolderParts {
  name: string;
  pid: number;
  random: string;
}

/** `name/pid/random` (the name may itself hold slashes); null when the id is not of that form. */
export function parseHolder(id: string): HolderParts | null {
  const m = /^(.*)\/(\d+)\/([0-9a-f]+)$/.exec(id);
  return m ? { name: m[1]!, pid: Number(m[2]), random: m[3]! } : null;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

export function holderGoneOnThisHost(holder: string, me: string, alive: (pid: number) => boolean = pidAlive): boolean {
  if (holder === me) return false;
  const theirs = parseHolder(holder);
  const mine = parseHolder(me);
  if (!theirs || !mine || theirs.name !== mine.name) return false;
  if (theirs.pid === mine.pid) return true;
  return !alive(theirs.pid);
}
