/**
 * Reads the results of a conformance run and prints passed / failed / skipped for the focused
 * specs, with the failing spec names and the skip list. Results come from the JUnit reports
 * (ginkgo v1: junit_NN.xml, one per worker) and, because a worker stopped by the suite timeout
 * writes no report, from the progress lines e2e.test prints per finished spec
 * (`{"msg":"PASSED <spec>",…}`). The focused specs themselves come from a dry run's progress lines:
 * a spec that never finished is counted, and named, as not finished (a failure).
 * Exits 1 when fewer than CONFORMANCE_MIN_PASS (default 0.9) of the focused specs passed, or when
 * a suite-level node ([BeforeSuite], [AfterSuite]) failed.
 *
 *   node --import tsx scripts/conformance/report.ts REPORT_DIR FOCUS_FILE SKIP_LIST_FILE [DRY_RUN_LOG E2E_LOG]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpecResult {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  message?: string;
  seconds: number;
}

const decode = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

/** The test cases of one JUnit document. */
export function parseJunit(xml: string): SpecResult[] {
  const out: SpecResult[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const attrs = m[1] ?? '';
    const body = m[3] ?? '';
    const name = decode(/\bname="([^"]*)"/.exec(attrs)?.[1] ?? '');
    const seconds = Number(/\btime="([^"]*)"/.exec(attrs)?.[1] ?? 0);
    const failure = /<(failure|error)\b[^>]*?(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (failure) out.push({ name, state: 'failed', message: decode(failure[2] ?? '').trim(), seconds });
    else if (/<skipped\b/.test(body)) out.push({ name, state: 'skipped', seconds });
    else out.push({ name, state: 'passed', seconds });
  }
  return out;
}

/** The skip list: `name<TAB>reason` lines; `#` comments and blank lines ignored. */
export function parseSkipList(text: string): { name: string; reason: string }[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name = '', ...reason] = l.split('\t');
      return { name: name.trim(), reason: reason.join(' ').trim() };
    });
}

const BASE_SKIP = /Serial|Disruptive|Slow|Flaky|Feature/;

/**
 * The spec names and outcomes of e2e.test's progress lines (`•{"msg":"PASSED <name>","total":…}`),
 * last word per spec. A dry run prints one PASSED line per spec it would run.
 */
export function parseProgress(log: string): Map<string, 'passed' | 'failed'> {
  const out = new Map<string, 'passed' | 'failed'>();
  for (const line of log.split('\n')) {
    const at = line.indexOf('{"msg":"');
    if (at < 0) continue;
    let msg: unknown;
    try {
      msg = (JSON.parse(line.slice(at).trim()) as { msg?: unknown }).msg;
    } catch {
      continue;
    }
    const m = typeof msg === 'string' ? /^(PASSED|FAILED) (.+)$/s.exec(msg) : null;
    if (m) out.set(m[2]!, m[1] === 'PASSED' ? 'passed' : 'failed');
  }
  return out;
}

/** The first line of a failure that says what went wrong (ginkgo puts the spec's source location first). */
export function failureLine(message: string | undefined): string {
  const lines = (message ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => !/^\S+\.go:\d+$/.test(l)) ?? lines[0] ?? '').slice(0, 300);
}

export interface Summary {
  passed: SpecResult[];
  failed: SpecResult[];
  /** Focused specs that never finished (the suite timed out before or while running them). */
  unfinished: string[];
  /** Skipped specs on the skip list, and skipped ones that are not. */
  onList: SpecResult[];
  unlisted: SpecResult[];
  total: number;
}

/**
 * One result per focused spec: a JUnit pass or failure, else the progress line's, else skipped
 * (JUnit) — and every spec of `expected` without any result is unfinished.
 */
export function summarize(junit: SpecResult[], progress: Map<string, 'passed' | 'failed'>, expected: string[], listed: Set<string>): Summary {
  const byName = new Map<string, SpecResult>();
  for (const r of junit) {
    // Each worker reports every spec; the one that ran it says passed or failed.
    const seen = byName.get(r.name);
    if (!seen || seen.state === 'skipped') byName.set(r.name, r);
  }
  for (const [name, state] of progress) {
    const seen = byName.get(name);
    if (!seen || seen.state === 'skipped') byName.set(name, { name, state, seconds: 0, ...(state === 'failed' ? { message: '(no JUnit report: see e2e.log)' } : {}) });
  }
  for (const name of expected) {
    if (!byName.has(name) && listed.has(name)) byName.set(name, { name, state: 'skipped', seconds: 0 });
  }
  const unfinished = expected.filter((n) => !byName.has(n));
  const results = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const skipped = results.filter((r) => r.state === 'skipped');
  return {
    passed: results.filter((r) => r.state === 'passed'),
    failed: results.filter((r) => r.state === 'failed'),
    unfinished: unfinished.sort(),
    onList: skipped.filter((r) => listed.has(r.name)),
    unlisted: skipped.filter((r) => !listed.has(r.name)),
    total: results.length + unfinished.length,
  };
}

function main() {
  const [dir, focusFile, skipFile, dryRunLog, e2eLog] = process.argv.slice(2);
  if (!dir || !focusFile || !skipFile) throw new Error('usage: report.ts REPORT_DIR FOCUS_FILE SKIP_LIST_FILE [DRY_RUN_LOG E2E_LOG]');
  const focus = new RegExp(readFileSync(focusFile, 'utf8').split('\n').find((l) => l && !l.startsWith('#'))!.trim());
  const skipList = parseSkipList(readFileSync(skipFile, 'utf8'));
  const listed = new Set(skipList.map((s) => s.name));
  const inFocus = (name: string) => focus.test(name) && !BASE_SKIP.test(name);
  const read = (f: string | undefined) => (f && existsSync(f) ? readFileSync(f, 'utf8') : '');

  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^junit.*\.xml$/.test(f)) : [];
  const junit: SpecResult[] = [];
  const suiteNodes: SpecResult[] = [];
  for (const f of files) {
    for (const r of parseJunit(readFileSync(join(dir, f), 'utf8'))) {
      if (/^\[?(Synchronized)?(Before|After)Suite\]?$/.test(r.name)) suiteNodes.push(r);
      else if (inFocus(r.name)) junit.push(r);
    }
  }
  const progress = new Map([...parseProgress(read(e2eLog))].filter(([n]) => inFocus(n)));
  const expected = [...parseProgress(read(dryRunLog)).keys()].filter(inFocus);
  const { passed, failed, unfinished, onList, unlisted, total } = summarize(junit, progress, expected, listed);

  console.log(`\nConformance of the sandbox: ${total} focused specs (reports: ${files.length} JUnit files in ${dir}${e2eLog ? `, progress lines of ${e2eLog}` : ''})`);
  console.log(`  passed       ${passed.length}`);
  console.log(`  failed       ${failed.length}`);
  console.log(`  not finished ${unfinished.length}${unfinished.length ? ' (the suite timed out first: counted as failed)' : ''}`);
  console.log(`  skipped      ${onList.length + unlisted.length} (${onList.length} on the skip list, ${unlisted.length} skipped by the suite itself or not run)`);
  for (const s of suiteNodes.filter((n) => n.state === 'failed')) console.log(`\n${s.name} FAILED (no spec ran on that worker):\n  ${(s.message ?? '').split('\n').slice(0, 5).join('\n  ')}`);
  if (failed.length) {
    console.log('\nFailed:');
    for (const r of failed) console.log(`  - ${r.name}\n      ${failureLine(r.message)}`);
  }
  if (unfinished.length) {
    console.log('\nNot finished:');
    for (const n of unfinished) console.log(`  - ${n}`);
  }
  if (unlisted.length) {
    console.log('\nSkipped, not on the skip list:');
    for (const r of unlisted) console.log(`  - ${r.name}`);
  }
  console.log(`\nSkip list (${skipList.length}):`);
  for (const s of skipList) console.log(`  - ${s.name}\n      ${s.reason}`);

  const min = Number(process.env.CONFORMANCE_MIN_PASS ?? 0.9);
  const ratio = total ? passed.length / total : 0;
  console.log(`\npassed ${passed.length} of ${total} (${(ratio * 100).toFixed(0)} %; required ${(min * 100).toFixed(0)} %)`);
  if (ratio < min || suiteNodes.some((n) => n.state === 'failed')) process.exit(1);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
