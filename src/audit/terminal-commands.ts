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
import { asksForSecret, LineAssembler } from './terminal-lines.js';

/** The action of a line typed into a terminal. */
export const TERMINAL_COMMAND = 'terminalCommand';

/** What the masked entry of a possibly secret line says. */
export const POSSIBLY_SECRET_NOTE = 'typed at what looked like a password prompt: possibly a secret, possibly a command; admins read the line';

/** What recording lines needs of the request's context (the GraphQL Context has it). */
type Context = AuditContext & TargetContext;

/** One unfinished line per open session; an entry goes when its session's info is collected. */
const assemblers = new WeakMap<TerminalInfo, LineAssembler>();

/** Records every line that `data` (keystrokes just sent to the session) finishes. */
export function recordTerminalInput(ctx: Context, session: TerminalInfo, data: string): void {
  try {
    recordLines(ctx, session, data);
  } catch (error) {
    // The keystrokes were sent: the audit must not turn that into an error (see writeAuditEntry).
    ctx.logger.error({ session: sessionSummary(session.id), error: error instanceof Error ? error.message : String(error) }, 'audit: terminal lines could not be recorded');
  }
}

function recordLines(ctx: Context, session: TerminalInfo, data: string): void {
  let assembler = assemblers.get(session);
  if (!assembler) assemblers.set(session, (assembler = new LineAssembler()));
  const lines = assembler.push(data);
  if (lines.length === 0) return;
  const target = {
    targetId: instanceGlobalId(session.owner.environmentId, session.pod),
    appId: appIdOfEnvironment(ctx, session.owner.environmentId),
  };
  // Lines sent in one call all follow the same output: only the first can answer a prompt shown now.
  const secret = asksForSecret(session.outputTail);
  lines.forEach((line, i) => {
    const typed = {
      session: sessionSummary(session.id),
      container: session.container,
      line: line.text,
      ...(line.cut > 0 ? { cutCharacters: line.cut } : {}),
    };
    if (!(secret && i === 0)) return writeAuditEntry(ctx, TERMINAL_COMMAND, target, JSON.stringify(typed), SUCCEEDED);
    const shown = { session: typed.session, container: typed.container, line: MASKED, possiblySecret: true, note: POSSIBLY_SECRET_NOTE };
    writeAuditEntry(ctx, TERMINAL_COMMAND, target, JSON.stringify(shown), SUCCEEDED, ctx.now(), JSON.stringify(typed));
  });
}
