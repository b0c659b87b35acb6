/**
 * The README's code blocks and what the doc test must do with each (pure: no I/O).
 *
 * Every fenced block runs unless an HTML comment just before it (blank lines between allowed) says
 * `<!-- doc-test: skip: why -->`. The comment holds directives separated by ` ; `:
 *
 * - `capture <name> = path`: after the block runs, the value at `path` in its answer (JSON; for a
 *   stream, the last event where the path exists) fills the placeholder `<name>` in later blocks.
 *   A path is dot-separated: `data.apps.edges[0].node.id`; `[kind=TEST]` picks the first list item
 *   whose field has that value: `data.createApp.app.environments[kind=TEST].id`. A `/regex/` instead
 *   of a path takes its first group from the block's printed text (for a script that prints prose).
 * - `until /regex/`: the block is a stream (a subscription, `curl -N`, a follower script); it runs
 *   until its output matches, then it is stopped.
 * - `expect /regex/`: its output must match (besides holding no GraphQL error and no `…Error` result).
 * - `skip: reason`: it is not run (a command that needs what the test cannot have); counted and shown.
 */

export type Language = 'graphql' | 'sh' | 'console' | 'js' | 'python' | string;

export interface Capture {
  name: string;
  /** A path into the JSON answer, or `/regex/` over the printed text. */
  path: string;
}

/** The captured value: the path's value in the last answer that has it, or the regex's first group in the text. */
export function captureValue(capture: Capture, answers: readonly unknown[], output: string): string | undefined {
  if (capture.path.startsWith('/')) {
    const m = regex(capture.path, `capture <${capture.name}>`).exec(output);
    return m?.[1];
  }
  const found = answers.map((a) => valueAt(a, capture.path)).filter((v) => v !== undefined && v !== null);
  return found.length > 0 ? String(found.at(-1)) : undefined;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The section heading it is under. */
  section: string;
  language: Language;
  code: string;
  skip: string | null;
  captures: Capture[];
  until: RegExp | null;
  expect: RegExp | null;
}

const FENCE = /^```([\w-]*)\s*$/;
const DIRECTIVE = /^<!--\s*doc-test:\s*([\s\S]*?)\s*-->\s*$/;

function regex(text: string, where: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(text.trim());
  if (!m) throw new Error(`${where}: expected /regex/, got ${text}`);
  return new RegExp(m[1]!, m[2]);
}

/** Reads the directives of one `<!-- doc-test: … -->` comment. */
export function parseDirectives(text: string, where: string): Pick<ReadmeBlock, 'skip' | 'captures' | 'until' | 'expect'> {
  const out: Pick<ReadmeBlock, 'skip' | 'captures' | 'until' | 'expect'> = { skip: null, captures: [], until: null, expect: null };
  for (const part of text.split(/\s+;\s+/).map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^skip:\s*(.+)$/s.exec(part))) out.skip = m[1]!.trim();
    else if ((m = /^capture\s+<([^>]+)>\s*=\s*(.+)$/s.exec(part))) out.captures.push({ name: m[1]!, path: m[2]!.trim() });
    else if ((m = /^until\s+(.+)$/s.exec(part))) out.until = regex(m[1]!, where);
    else if ((m = /^expect\s+(.+)$/s.exec(part))) out.expect = regex(m[1]!, where);
    else throw new Error(`${where}: unknown doc-test directive "${part}"`);
  }
  return out;
}

/** Every fenced code block of a Markdown text, with the directives of the comment before it. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section = '';
  let pending: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      section = heading[1]!;
      pending = null;
      continue;
    }
    const comment = DIRECTIVE.exec(line);
    if (comment) {
      pending = { text: comment[1]!, line: i + 1 };
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`README line ${start + 1}: unclosed code block`);
      const where = `README line ${start + 1}`;
      const directives = pending ? parseDirectives(pending.text, `README line ${pending.line}`) : parseDirectives('', where);
      blocks.push({ line: start + 1, section, language: fence[1] || 'text', code: `${body.join('\n')}\n`, ...directives });
      pending = null;
      continue;
    }
    if (line.trim() !== '') pending = null; // a directive belongs to the very next block
  }
  return blocks;
}

/** `<name>` placeholders a block uses, in order of appearance. */
export function placeholders(code: string): string[] {
  return [...new Set([...code.matchAll(/<([a-z][a-z0-9 -]*[a-z0-9])>/g)].map((m) => m[1]!))];
}

/** The block with its placeholders filled, and the README's address replaced by the test server's. */
export function fillBlock(code: string, values: ReadonlyMap<string, string>, hostPort: string): string {
  const missing = placeholders(code).filter((name) => !values.has(name));
  if (missing.length > 0) throw new Error(`placeholders never captured by an earlier block: ${missing.map((n) => `<${n}>`).join(', ')}`);
  return code.replaceAll('127.0.0.1:4000', hostPort).replace(/<([a-z][a-z0-9 -]*[a-z0-9])>/g, (_, name: string) => values.get(name)!);
}

/** The value at `path` (see the module's comment), or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const step of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (current === null || current === undefined) return undefined;
    const filter = /^\[([^=\]]+)=([^\]]*)\]$/.exec(step);
    if (filter) {
      if (!Array.isArray(current)) return undefined;
      current = current.find((item) => item && String((item as Record<string, unknown>)[filter[1]!]) === filter[2]);
    } else if (/^\[\d+\]$/.test(step)) {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    } else {
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}
