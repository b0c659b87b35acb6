/**
 * Reads the JUnit reports of a conformance run (ginkgo v1: junit_NN.xml, one per worker) and prints
 * passed / failed / skipped for the focused specs, with the failing spec names and the skip list.
 * Exits 1 when fewer than CONFORMANCE_MIN_PASS (default 0.9) of the focused specs passed, or when
 * a suite-level node ([BeforeSuite], [AfterSuite]) failed.
 *
 *   node --import tsx scripts/conformance/report.ts REPORT_DIR FOCUS_FILE SKIP_LIST_FILE
 */
import { readdirSync, readFileSync } from 'node:fs';
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

function main() {
  const [dir, focusFile, skipFile] = process.argv.slice(2);
  if (!dir || !focusFile || !skipFile) throw new Error('usage: report.ts REPORT_DIR FOCUS_FILE SKIP_LIST_FILE');
  const focus = new RegExp(readFileSync(focusFile, 'utf8').split('\n').find((l) => l && !l.startsWith('#'))!.trim());
  const skipList = parseSkipList(readFileSync(skipFile, 'utf8'));
  const listed = new Set(skipList.map((s) => s.name));

  const files = readdirSync(dir).filter((f) => /^junit.*\.xml$/.test(f));
  const byName = new Map<string, SpecResult>();
  const suiteNodes: SpecResult[] = [];
  for (const f of files) {
    for (const r of parseJunit(readFileSync(join(dir, f), 'utf8'))) {
      if (/^\[?(Synchronized)?(Before|After)Suite\]?$/.test(r.name)) {
        suiteNodes.push(r);
        continue;
      }
      if (!focus.test(r.name) || BASE_SKIP.test(r.name)) continue;
      // Each worker reports every spec; the one that ran it says passed or failed.
      const seen = byName.get(r.name);
      if (!seen || seen.state === 'skipped') byName.set(r.name, r);
    }
  }
  const results = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const passed = results.filter((r) => r.state === 'passed');
  const failed = results.filter((r) => r.state === 'failed');
  const skipped = results.filter((r) => r.state === 'skipped');
  const onList = skipped.filter((r) => listed.has(r.name));
  const total = results.length;

  console.log(`\nConformance of the sandbox: ${total} focused specs (reports: ${files.length} files in ${dir})`);
  console.log(`  passed  ${passed.length}`);
  console.log(`  failed  ${failed.length}`);
  console.log(`  skipped ${skipped.length} (${onList.length} on the skip list, ${skipped.length - onList.length} skipped by the suite itself or not run)`);
  for (const s of suiteNodes.filter((n) => n.state === 'failed')) console.log(`\n${s.name} FAILED (no spec ran on that worker):\n  ${(s.message ?? '').split('\n').slice(0, 5).join('\n  ')}`);
  if (failed.length) {
    console.log('\nFailed:');
    for (const r of failed) console.log(`  - ${r.name}\n      ${(r.message ?? '').split('\n')[0]!.slice(0, 300)}`);
  }
  const unlisted = skipped.filter((r) => !listed.has(r.name));
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
