/**
 * Remote login through a terminal: each line typed into a session is one audit entry,
 * `terminalCommand`, on the session's instance (and its app). Keystrokes are buffered per session
 * until a line ends (see terminal-lines.ts). A line left unfinished when the session ends was never
 * entered and is not recorded.
 *
 * A line typed while the shell's last output looks like a password prompt may be a password — or a
 * command typed after a program printed a fake `Password:` to hide it from the trail: cairn cannot
 * see the terminal's echo flag, so the prompt proves nothing. Such a line is recorded all the same,
 * marked `possiblySecret`: its entry's `input` shows the line masked (what an app's owners read),
 * and the line as typed is stored encrypted beside it, readable by admins only (`unmaskedInput`).
 */
import { appIdOfEnvironment } from '../auth/app-ids.js';
import type { TerminalInfo } from '../live/terminal.js';
import { MASKED, sessionSummary } from './mask.js';
import { SUCCEEDED } from './outcome.js';
import { writeAuditEntry, type AuditContext } from './record.js';
import { instanceGlobalId, type TargetContext } from './target.js';
import { asksForSecret, LineAssembler, type TypedLine } from './terminal-lines.js';

/** The action of a line typed into a terminal. */
export const TERMINAL_COMMAND = 'terminalCommand';

/** What the masked entry of a possibly secret line says. */
export const POSSIBLY_SECRET_NOTE = 'typed at what looked like a password prompt: possibly a secret, possibly a command; admins read the line';

/** What recording lines needs of the request's context (the GraphQL Context has it). */
type Context = AuditContext & TargetContext;

/** One unfinished line per open session; an entry goes when its session's info is collected. */
const assemblers = new WeakMap<TerminalInfo, LineAssembler>();
/** Per open session, the writing of the lines recorded so far: the next lines are written after them, in order. */
const writing = new WeakMap<TerminalInfo, Promise<void>>();

/**
 * Records every line that `data` (keystrokes just sent to the session) finishes. The lines are cut at once, in the
 * order the keystrokes came; their entries are written after those of the session's earlier lines. The promise
 * resolves once they are written and never rejects (a failure is logged: see writeAuditEntry).
 */
export function recordTerminalInput(ctx: Context, session: TerminalInfo, data: string): Promise<void> {
  let lines: TypedLine[];
  try {
    lines = linesOf(session, data);
  } catch (error) {
    failed(ctx, session, error);
    return Promise.resolve();
  }
  if (lines.length === 0) return writing.get(session) ?? Promise.resolve();
  // Lines sent in one call all follow the same output: only the first can answer a prompt shown now.
  const secret = asksForSecret(session.outputTail);
  const at = ctx.now();
  const next = (writing.get(session) ?? Promise.resolve())
    .then(() => writeLines(ctx, session, lines, secret, at))
    .catch((error: unknown) => failed(ctx, session, error));
  writing.set(session, next);
  return next;
}

function failed(ctx: Context, session: TerminalInfo, error: unknown): void {
  // The keystrokes were sent: the audit must not turn that into an error (see writeAuditEntry).
  ctx.logger.error({ session: sessionSummary(session.id), error: error instanceof Error ? error.message : String(error) }, 'audit: terminal lines could not be recorded');
}

function linesOf(session: TerminalInfo, data: string): TypedLine[] {
  let assembler = assemblers.get(session);
  if (!assembler) assemblers.set(session, (assembler = new LineAssembler()));
  return assembler.push(data);
}

async function writeLines(ctx: Context, session: TerminalInfo, lines: TypedLine[], secret: boolean, at: Date): Promise<void> {
  const target = {
    targetId: instanceGlobalId(session.owner.environmentId, session.pod),
    appId: await appIdOfEnvironment(ctx, session.owner.environmentId),
  };
  for (const [i, line] of lines.entries()) {
    const typed = {
      session: sessionSummary(session.id),
      container: session.container,
      line: line.text,
      ...(line.cut > 0 ? { cutCharacters: line.cut } : {}),
    };
    if (!(secret && i === 0)) {
      await writeAuditEntry(ctx, TERMINAL_COMMAND, target, JSON.stringify(typed), SUCCEEDED, at);
      continue;
    }
    const shown = { session: typed.session, container: typed.container, line: MASKED, possiblySecret: true, note: POSSIBLY_SECRET_NOTE };
    await writeAuditEntry(ctx, TERMINAL_COMMAND, target, JSON.stringify(shown), SUCCEEDED, at, JSON.stringify(typed));
  }
}
