/**
 * Runs one README code block against a fresh cairn, as its reader would: GraphQL through HTTP (a
 * subscription through server-sent events), `sh` with bash, `console` line by line (`$ ` prompts),
 * `js` with node, `python` with python3 — all in the clone-like folder, with CAIRN_TOKEN set as the
 * README tells its reader to. Answers what the block printed, and its JSON answers (events for a stream).
 */
import { spawn } from 'node:child_process';
import { parse } from 'graphql';
import type { FreshCairn } from './fresh-cairn.js';

export interface BlockRun {
  /** Everything the block printed (stdout), or the GraphQL answer(s) as JSON lines. */
  output: string;
  /** The JSON values found in the output: the answer, or each event of a stream. */
  answers: unknown[];
}

const STREAM_TIMEOUT_MS = 120_000;
const COMMAND_TIMEOUT_MS = 60_000;

export async function runBlock(language: string, code: string, cairn: FreshCairn, until: RegExp | null): Promise<BlockRun> {
  switch (language) {
    case 'graphql':
      return runGraphql(code, cairn, until);
    case 'sh':
      return runProcess('bash', ['-e', '-o', 'pipefail', '-c', code], null, cairn, until);
    case 'console':
      return runConsole(code, cairn);
    case 'js':
      return runProcess(process.execPath, ['--input-type=module', '-'], code, cairn, until);
    case 'python':
      return runProcess('python3', ['-'], code, cairn, until);
    default:
      throw new Error(`no runner for \`\`\`${language} blocks: make it runnable or mark it <!-- doc-test: skip: why -->`);
  }
}

/** The JSON values in a text: the whole of it, or one per line (`data: ` prefixes of SSE removed). */
export function jsonValues(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    const values: unknown[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^data:\s*/, '').trim();
      if (!line.startsWith('{') && !line.startsWith('[')) continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        // not JSON: prose the block printed
      }
    }
    return values;
  }
}

async function runGraphql(code: string, cairn: FreshCairn, until: RegExp | null): Promise<BlockRun> {
  const document = parse(code);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  if (!operation || operation.kind !== 'OperationDefinition') throw new Error('a graphql block must hold an operation');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${cairn.token}` };
  if (operation.operation !== 'subscription') {
    const res = await fetch(cairn.url, { method: 'POST', headers, body: JSON.stringify({ query: code }), signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS) });
    const text = await res.text();
    return { output: text, answers: jsonValues(text) };
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), STREAM_TIMEOUT_MS);
  const res = await fetch(cairn.url, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: code }),
    signal: abort.signal,
  });
  const answers: unknown[] = [];
  let output = '';
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (!data) continue;
        output += `${data}\n`;
        answers.push(JSON.parse(data));
        if (!until || until.test(output)) return { output, answers };
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    throw new Error(`the subscription did not print ${until} within ${STREAM_TIMEOUT_MS} ms; it printed:\n${output}`);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(`the subscription ended before it printed ${until}; it printed:\n${output}`);
}

async function runConsole(code: string, cairn: FreshCairn): Promise<BlockRun> {
  let output = '';
  for (const line of code.split('\n')) {
    if (!line.startsWith('$ ')) continue;
    output += (await runProcess('bash', ['-e', '-o', 'pipefail', '-c', line.slice(2)], null, cairn, null)).output;
  }
  return { output, answers: jsonValues(output) };
}

/**
 * Runs a command in the clone-like folder. Without `until` it must exit 0 within the timeout; with
 * `until` it runs until its output matches, and is then stopped (its whole process group).
 */
function runProcess(command: string, args: string[], stdin: string | null, cairn: FreshCairn, until: RegExp | null): Promise<BlockRun> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: cairn.dir, env: cairn.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      if (error) fail(error);
      else done({ output: stdout, answers: jsonValues(stdout) });
    };
    const timeoutMs = until ? STREAM_TIMEOUT_MS : COMMAND_TIMEOUT_MS;
    const timer = setTimeout(
      () => finish(new Error(`${until ? `did not print ${until}` : 'did not finish'} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      if (until?.test(stdout)) finish(null);
    });
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', (error) => finish(error));
    child.on('close', (code) => {
      if (until) finish(new Error(`exited (${code}) before it printed ${until}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      else if (code !== 0) finish(new Error(`exited with ${code}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      else finish(null);
    });
    child.stdin.end(stdin ?? '');
  });
}
