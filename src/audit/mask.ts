/**
 * Masking of audited inputs: what an audit entry keeps of a mutation's input. Pure functions, no
 * I/O. The rules, applied at any depth of the input:
 *
 * - an object with `secret: true` (an environment variable marked secret): its `value` is masked;
 * - an object whose `name` looks like a secret (e.g. an env var `DB_PASSWORD` not marked secret):
 *   its `value` is masked too;
 * - a field whose own name looks like a secret (`password`, `secretKey`, `token`, `apiKey` …) is
 *   masked, unless it is an identifier (`tokenId`, `tokenIds`, or a global ID such as the
 *   `token` of setAppMember) or a flag (boolean, number, null);
 * - a file's `content` (file mounts: config files often hold credentials) becomes its size and the
 *   first 16 hex digits of its SHA-256, so that two entries can be compared without the content;
 * - a terminal `session` ID (whoever holds it can type into the shell) becomes a short hash, which
 *   still tells the entries of one session apart;
 * - long texts are cut at MAX_TEXT characters;
 * - the whole input, as JSON, is kept to MAX_INPUT_JSON characters (see boundedInputJson), so one
 *   entry stays small however large the input a caller sends.
 */
import { createHash } from 'node:crypto';
import { isGlobalId } from '../domain/global-ids.js';

/** What a masked secret value is replaced with. */
export const MASKED = '[masked]';
/** Texts longer than this are cut (with a note of how much was cut). */
export const MAX_TEXT = 2048;

const SECRET_NAME = /secret|passw(or)?d|passphrase|token|credential|private.?key|api.?key|authori[sz]ation/i;
const IDENTIFIER = /(^id|Ids?|_ids?)$/;

/** Whether a field or variable name looks like it holds a secret (`DB_PASSWORD`, `apiToken` …). */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name) && !IDENTIFIER.test(name);
}

/** Characters of an entry's input JSON; a longer one is replaced by its start, marked as cut (boundedInputJson). */
export const MAX_INPUT_JSON = 8192;

/**
 * `json` (an entry's input) when it fits in MAX_INPUT_JSON characters; else a JSON object that says
 * so: `{"inputCut": true, "characters": <the whole input's length>, "start": "<its first characters>"}`,
 * itself within the bound.
 */
export function boundedInputJson(json: string): string {
  if (json.length <= MAX_INPUT_JSON) return json;
  let keep = MAX_INPUT_JSON - 100;
  for (;;) {
    const cut = JSON.stringify({ inputCut: true, characters: json.length, start: json.slice(0, keep) });
    if (cut.length <= MAX_INPUT_JSON) return cut;
    // Escaping made it longer (quotes, control characters): keep less, in proportion.
    keep = Math.floor((keep * MAX_INPUT_JSON) / cut.length) - 16;
  }
}

const shortHash = (text: string, hexDigits: number) => createHash('sha256').update(text).digest('hex').slice(0, hexDigits);

/** A file's content as the audit keeps it: its size and a hash prefix. */
export function fileContentSummary(content: string): string {
  return `[content: ${Buffer.byteLength(content)} bytes, sha256 ${shortHash(content, 16)}…]`;
}

/** A terminal session ID as the audit keeps it. */
export function sessionSummary(session: string): string {
  return `[session ${shortHash(session, 8)}]`;
}

/** Keystrokes as the sendTerminalInput entry keeps them: their size only (the lines are recorded as terminalCommand entries). */
export function keystrokesSummary(data: string): string {
  return `[keystrokes: ${Buffer.byteLength(data)} bytes]`;
}

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…[${text.length - MAX_TEXT} more characters]` : text);

const isFlag = (value: unknown) => value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number';

/** `value` with every secret masked (see the module's comment); the input itself is not changed. */
export function maskValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, key));
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const secretValue = record.secret === true || (typeof record.name === 'string' && looksSecret(record.name));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'value' && secretValue && !isFlag(v)) out[k] = MASKED;
    else if (looksSecret(k) && !isFlag(v) && !(typeof v === 'string' && isGlobalId(v))) out[k] = MASKED;
    else if (k === 'content' && typeof v === 'string') out[k] = fileContentSummary(v);
    else if (k === 'session' && typeof v === 'string') out[k] = sessionSummary(v);
    else out[k] = maskValue(v, k);
  }
  return out;
}

/** Fields holding keystrokes, by mutation: kept as their size only. */
const KEYSTROKE_FIELDS: Record<string, string> = { sendTerminalInput: 'data' };

/**
 * A mutation's arguments as its audit entry keeps them, as JSON: the `input` argument alone when it
 * is the only one (the usual `verbNoun(input:)` shape), else every argument; secrets masked.
 */
export function maskedInputJson(action: string, args: Record<string, unknown>): string {
  const keys = Object.keys(args);
  let input: unknown = keys.length === 1 && keys[0] === 'input' ? args.input : args;
  const keystrokes = KEYSTROKE_FIELDS[action];
  if (keystrokes && typeof input === 'object' && input !== null && typeof (input as Record<string, unknown>)[keystrokes] === 'string') {
    const data = (input as Record<string, unknown>)[keystrokes] as string;
    input = { ...(input as Record<string, unknown>), [keystrokes]: keystrokesSummary(data) };
  }
  return boundedInputJson(JSON.stringify(maskValue(input) ?? null));
}
