/**
 * Lines typed into a terminal, from the keystrokes sendTerminalInput carries. Pure: no I/O.
 *
 * Keystrokes arrive in pieces (often one key per call); they are buffered per session until a line
 * ends (Enter: \r, \n or \r\n, even split across calls). The line is what the user typed as a
 * terminal's line editor would see it: backspace (DEL or ^H) removes the last character, ^U clears
 * the line, ^C drops it (nothing is run); escape sequences (arrow keys, …) and other control keys are
 * dropped, so a line recalled from the shell's history shows as what was typed, not what ran.
 * A line is kept to MAX_LINE characters (the rest is counted, not kept), so a session's buffer is
 * bounded however much is typed without Enter.
 */

/** Characters kept of one line; the rest is counted. */
export const MAX_LINE = 1024;

export interface TypedLine {
  /** The line as typed (at most MAX_LINE characters). */
  text: string;
  /** Characters typed beyond MAX_LINE (0 when the whole line is kept). */
  cut: number;
}

const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|[@-Z\\-_])/gy;

/** One session's unfinished line. */
export class LineAssembler {
  private text = '';
  private cut = 0;
  private afterCarriageReturn = false;
  /** An escape sequence split across calls: what arrived of it so far. */
  private pendingEscape = '';

  /** Feeds keystrokes; returns the lines they finished, in order (empty lines are skipped). */
  push(data: string): TypedLine[] {
    const lines: TypedLine[] = [];
    const input = this.pendingEscape + data;
    this.pendingEscape = '';
    for (let i = 0; i < input.length; ) {
      const ch = input[i]!;
      if (ch === '\x1b') {
        ESCAPE_SEQUENCE.lastIndex = i;
        const match = ESCAPE_SEQUENCE.exec(input);
        if (match) {
          i += match[0].length;
          continue;
        }
        if (input.length - i < 8) {
          this.pendingEscape = input.slice(i); // maybe the start of a sequence: wait for the rest
          break;
        }
        i += 1;
        continue;
      }
      i += 1;
      const newline = ch === '\n' && this.afterCarriageReturn;
      this.afterCarriageReturn = ch === '\r';
      if (newline) continue; // the \n of a \r\n
      if (ch === '\r' || ch === '\n') {
        if (this.text.trim() !== '' || this.cut > 0) lines.push({ text: this.text, cut: this.cut });
        this.clear();
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.cut > 0) this.cut -= 1;
        else this.text = [...this.text].slice(0, -1).join('');
      } else if (ch === '\x15' || ch === '\x03') {
        this.clear();
      } else if (ch === '\t' || ch >= ' ') {
        if (this.text.length < MAX_LINE) this.text += ch;
        else this.cut += 1;
      }
    }
    return lines;
  }

  private clear() {
    this.text = '';
    this.cut = 0;
  }
}

/** Output escape sequences (colours, cursor moves, window titles), removed before looking for a prompt. */
const ESCAPE_SEQUENCE_ANYWHERE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|O.|[@-Z\\-_])/g;
const PROMPT = /(passw(or)?d|passphrase|passcode|\bpin\b|secret|token|otp|verification code)[^\n]*[:?]\s*$/i;

/**
 * Whether the terminal's last output asks for a secret (`Password:`, `Enter passphrase for key …:`,
 * `[sudo] password for app:`): the line typed next is then recorded as possibly secret (masked in
 * its entry's input, in clear for admins only; see terminal-commands.ts). cairn cannot see the
 * terminal's echo setting (it lives in the container's pseudo-terminal), and any program can print
 * such a prompt, so the prompt is a sign, never a proof.
 */
export function asksForSecret(outputTail: string): boolean {
  const text = outputTail.replace(ESCAPE_SEQUENCE_ANYWHERE, '');
  const lastLine = text.slice(text.lastIndexOf('\n') + 1).replace(/\r/g, '');
  return PROMPT.test(lastLine);
}
