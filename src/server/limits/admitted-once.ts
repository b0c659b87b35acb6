import type { DocumentNode, ExecutionArgs } from 'graphql';

/** Variables longer than this (as JSON) are checked every time rather than remembered. */
const MAX_REMEMBERED_VARIABLES = 2_048;
/** Admitted (operation name, variables) pairs remembered per document at most. */
const MAX_PER_DOCUMENT = 32;

/**
 * `refusal`, remembering which operations it admitted: a check that depends only on the document, the
 * operation's name and the variables' values (list lengths, query cost) runs once per distinct request —
 * a console page asked again and again is not walked again. Only admissions are remembered (a refusal is
 * built afresh each time); per parsed document (yoga's parser cache shares them by query text), bounded.
 */
export function admittedOnce<R>(refusal: (args: ExecutionArgs) => R | null): (args: ExecutionArgs) => R | null {
  const admitted = new WeakMap<DocumentNode, Set<string>>();
  return (args) => {
    const variables = JSON.stringify(args.variableValues ?? {});
    const key = variables.length <= MAX_REMEMBERED_VARIABLES ? `${args.operationName ?? ''}\u0000${variables}` : null;
    const known = admitted.get(args.document);
    if (key !== null && known?.has(key)) return null;
    const refused = refusal(args);
    if (refused === null && key !== null) {
      const set = known ?? new Set<string>();
      if (set.size >= MAX_PER_DOCUMENT) set.delete(set.values().next().value!);
      set.add(key);
      if (!known) admitted.set(args.document, set);
    }
    return refused;
  };
}
