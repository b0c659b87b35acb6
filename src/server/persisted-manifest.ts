/**
 * Builds a manifest of persisted operations from GraphQL files (pure): one entry per named operation,
 * its document being the operation followed by the fragments it uses (directly or through other
 * fragments), sorted by name, each printed by graphql-js — so the same sources always give the same
 * text, and so the same sha256. Used by scripts/persist-operations.ts.
 */
import { Kind, parse, print, validate, visit, type DefinitionNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { operationHash } from './persisted-store.js';

export interface SourceFile {
  file: string;
  text: string;
}

export interface BuiltManifest {
  /** sha256 → document: what the server loads (`*.persisted.json`). */
  manifest: Record<string, string>;
  /** Operation name → sha256: what a client sends for each operation. */
  ids: Record<string, string>;
}

function fragmentsUsed(node: DefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/** The manifest of every named operation in `sources`; throws naming every problem (a file that does not parse, an unnamed or repeated operation, a missing fragment, a document the schema refuses). */
export function buildManifest(sources: readonly SourceFile[], schema: GraphQLSchema): BuiltManifest {
  const problems: string[] = [];
  const operations: Array<{ file: string; node: OperationDefinitionNode }> = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const { file, text } of sources) {
    let definitions: readonly DefinitionNode[];
    try {
      definitions = parse(text).definitions;
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    for (const d of definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(d.name.value)) problems.push(`${file}: fragment ${d.name.value} is defined twice`);
        fragments.set(d.name.value, d);
      } else if (d.kind === Kind.OPERATION_DEFINITION) {
        if (!d.name) problems.push(`${file}: every operation needs a name (clients find its hash by it)`);
        else operations.push({ file, node: d });
      }
    }
  }
  const manifest: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const { file, node } of [...operations].sort((a, b) => a.node.name!.value.localeCompare(b.node.name!.value))) {
    const name = node.name!.value;
    if (seen.has(name)) {
      problems.push(`${file}: operation ${name} is also in ${seen.get(name)}`);
      continue;
    }
    seen.set(name, file);
    const needed = new Set<string>();
    const queue = fragmentsUsed(node);
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (needed.has(next)) continue;
      const fragment = fragments.get(next);
      if (!fragment) {
        problems.push(`${file}: ${name} uses fragment ${next}, defined nowhere`);
        continue;
      }
      needed.add(next);
      queue.push(...fragmentsUsed(fragment));
    }
    const document = [print(node), ...[...needed].sort().map((f) => print(fragments.get(f)!))].join('\n\n');
    const errors = validate(schema, parse(document));
    if (errors.length > 0) {
      problems.push(`${file}: ${name}: ${errors.map((e) => e.message).join(' ')}`);
      continue;
    }
    const hash = operationHash(document);
    manifest[hash] = document;
    ids[name] = hash;
  }
  if (problems.length > 0) throw new Error(`persisted operations:\n  ${problems.join('\n  ')}`);
  return { manifest, ids };
}
