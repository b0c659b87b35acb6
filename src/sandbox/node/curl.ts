/**
 * `curl` and `wget` in the sandbox shell: HTTP to the pod's own network namespace, and to other pods
 * by IP over the cluster's simulated pod network (no DNS: a name other than the pod's own does not resolve).
 */
import { isIP } from 'node:net';
import type { HttpResult, ShellContext, ShellIO } from './shell.js';
import { httpStatusText } from './shell-commands.js';

interface Target { host: string; port: number; path: string }

function parseUrl(raw: string): Target | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { host: u.hostname, port, path: `${u.pathname}${u.search}` };
  } catch {
    return undefined;
  }
}

/** A request to another pod by IP; a name that is not an IP does not resolve (the sandbox has no DNS). */
async function remote(ctx: ShellContext, t: Target, method: string): Promise<HttpResult | 'unresolved' | 'unreachable'> {
  if (!isIP(t.host.replace(/^\[|\]$/g, ''))) return 'unresolved';
  return (await ctx.remote?.(t.host.replace(/^\[|\]$/g, ''), t.port, method, t.path)) ?? 'unreachable';
}

function isLocal(ctx: ShellContext, host: string): boolean {
  return ['localhost', '127.0.0.1', '0.0.0.0', '::1', '[::1]', ctx.hostname, ...(ctx.localIPs ?? [])].includes(host);
}

export async function curl(ctx: ShellContext, args: string[], io: ShellIO): Promise<number> {
  let silent = false, showError = false, fail = false, include = false, head = false, output: string | undefined, writeOut: string | undefined;
  let method = 'GET';
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--silent') silent = true;
    else if (a === '--show-error') showError = true;
    else if (a === '--fail') fail = true;
    else if (a === '--include') include = true;
    else if (a === '--head') head = true;
    else if (a === '-X' || a === '--request') method = args[++i] ?? 'GET';
    else if (a === '-o' || a === '--output') output = args[++i];
    else if (a === '-w' || a === '--write-out') writeOut = args[++i];
    else if (['-m', '--max-time', '--connect-timeout', '-H', '--header', '-d', '--data', '-u', '--retry'].includes(a)) i++;
    else if (a.startsWith('--')) continue;
    else if (a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (f === 's') silent = true;
        else if (f === 'S') showError = true;
        else if (f === 'f') fail = true;
        else if (f === 'i') include = true;
        else if (f === 'I') head = true;
        else if (f === 'o') output = args[++i];
        else if (f === 'X') method = args[++i] ?? 'GET';
        else if (f === 'w') writeOut = args[++i];
        else if (f === 'm' || f === 'H') i++;
      }
    } else url = a;
  }
  const err = (code: number, msg: string) => {
    if (!silent || showError) io.stderr(`curl: (${code}) ${msg}\n`);
    return code;
  };
  if (!url) {
    io.stderr("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const t = parseUrl(url);
  if (!t) return err(3, 'URL using bad/illegal format or missing URL');
  if (head) method = 'HEAD';
  const res = isLocal(ctx, t.host) ? await ctx.http(t.port, method, t.path) : await remote(ctx, t, method);
  if (res === 'unresolved') return err(6, `Could not resolve host: ${t.host}`);
  if (res === 'unreachable') return err(7, `Failed to connect to ${t.host} port ${t.port}: No route to host`);
  if (res.kind === 'refused') return err(7, `Failed to connect to ${t.host} port ${t.port}: Connection refused`);
  if (fail && res.status >= 400) {
    const code = err(22, `The requested URL returned error: ${res.status}`);
    if (writeOut) io.stdout(writeOut.replace('%{http_code}', String(res.status)));
    return code;
  }
  let text = '';
  if (include || head) {
    text += `HTTP/1.1 ${res.status} ${httpStatusText(res.status)}\r\n`;
    for (const [k, v] of Object.entries(res.headers)) text += `${k}: ${v}\r\n`;
    text += '\r\n';
  }
  if (!head) text += res.body;
  if (output !== '/dev/null' && output === undefined) io.stdout(text);
  if (writeOut) io.stdout(writeOut.replace('%{http_code}', String(res.status)).replace(/\\n/g, '\n'));
  return 0;
}

export async function wget(ctx: ShellContext, args: string[], io: ShellIO): Promise<number> {
  let quiet = false, toStdout = false, spider = false;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-qO-' || a === '-qO' && args[i + 1] === '-') {
      quiet = toStdout = true;
      if (a === '-qO') i++;
    } else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-O' || a === '--output-document') toStdout = args[++i] === '-';
    else if (a === '-O-') toStdout = true;
    else if (a === '--spider') spider = true;
    else if (a === '-T' || a === '--timeout') i++;
    else if (!a.startsWith('-')) url = a;
  }
  if (!url) {
    io.stderr('BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] URL...\n');
    return 1;
  }
  const t = parseUrl(url);
  if (!t) {
    io.stderr(`wget: bad address '${url}'\n`);
    return 1;
  }
  const local = isLocal(ctx, t.host);
  const res = local ? await ctx.http(t.port, 'GET', t.path) : await remote(ctx, t, 'GET');
  if (res === 'unresolved') {
    io.stderr(`wget: bad address '${t.host}'\n`);
    return 1;
  }
  const address = local ? '127.0.0.1' : t.host;
  if (!quiet) io.stderr(`Connecting to ${t.host}:${t.port} (${address}:${t.port})\n`);
  if (res === 'unreachable') {
    io.stderr(`wget: can't connect to remote host (${address}): No route to host\n`);
    return 1;
  }
  if (res.kind === 'refused') {
    io.stderr(`wget: can't connect to remote host (${address}): Connection refused\n`);
    return 1;
  }
  if (res.status >= 400) {
    io.stderr(`wget: server returned error: HTTP/1.1 ${res.status} ${httpStatusText(res.status)}\n`);
    return 1;
  }
  if (spider) return 0;
  if (toStdout) io.stdout(res.body);
  else if (!quiet) io.stderr(`saving to 'index.html'\nindex.html           100% |********************************|   ${res.body.length}  0:00:00 ETA\n'index.html' saved\n`);
  return 0;
}
