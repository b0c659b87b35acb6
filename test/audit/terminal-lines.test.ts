import { describe, expect, it } from 'vitest';
import { LineAssembler, MAX_LINE, asksForSecret } from '../../src/audit/terminal-lines.js';

/** Feeds the chunks in order and returns the texts of the lines they finish. */
const linesOf = (...chunks: string[]) => {
  const assembler = new LineAssembler();
  return chunks.flatMap((chunk) => assembler.push(chunk));
};

describe('LineAssembler', () => {
  const cases: Array<{ name: string; chunks: string[]; lines: string[] }> = [
    { name: 'one line per Enter (\\r)', chunks: ['ls -la\r'], lines: ['ls -la'] },
    { name: '\\n ends a line too', chunks: ['ls\npwd\n'], lines: ['ls', 'pwd'] },
    { name: '\\r\\n is one line end, even split across calls', chunks: ['ls\r', '\npwd\r\n'], lines: ['ls', 'pwd'] },
    { name: 'keystrokes one by one are buffered until Enter', chunks: ['l', 's', ' ', '/', '\r'], lines: ['ls /'] },
    { name: 'nothing is recorded before Enter', chunks: ['rm -rf /tmp/x'], lines: [] },
    { name: 'empty lines are skipped', chunks: ['\r\r\n  \r'], lines: [] },
    { name: 'backspace (DEL and ^H) edits the line', chunks: ['lsx\x7f -l\b\ba\r'], lines: ['ls a'] },
    { name: '^U clears, ^C drops the line', chunks: ['rm -rf /\x15ls\r', 'sleep 100\x03', 'pwd\r'], lines: ['ls', 'pwd'] },
    { name: 'escape sequences (arrow keys) are dropped', chunks: ['\x1b[Als\x1b[D\x1bOA\r'], lines: ['ls'] },
    { name: 'an escape sequence split across calls is dropped', chunks: ['ls\x1b[', 'A\r'], lines: ['ls'] },
    { name: 'tabs are kept, other control keys dropped', chunks: ['cat\tf\x01\x02\r'], lines: ['cat\tf'] },
    { name: 'unicode is kept', chunks: ['echo héllo ✓\r'], lines: ['echo héllo ✓'] },
  ];
  it.each(cases)('$name', ({ chunks, lines }) => {
    expect(linesOf(...chunks).map((l) => l.text)).toEqual(lines);
  });

  it('keeps MAX_LINE characters of a long line and counts the rest', () => {
    const [line] = linesOf('x'.repeat(MAX_LINE + 10), '\r');
    expect(line).toEqual({ text: 'x'.repeat(MAX_LINE), cut: 10 });
  });
  it('stays bounded when no Enter ever comes', () => {
    const assembler = new LineAssembler();
    for (let i = 0; i < 100; i++) expect(assembler.push('y'.repeat(10_000))).toEqual([]);
    expect(assembler.push('\r')).toEqual([{ text: 'y'.repeat(MAX_LINE), cut: 1_000_000 - MAX_LINE }]);
  });
});

describe('asksForSecret', () => {
  it.each([
    ['Password: ', true],
    ['[sudo] password for app: ', true],
    ['\r\nEnter passphrase for key \'/root/.ssh/id_rsa\': ', true],
    ['mysql -u root -p\r\nEnter password: ', true],
    ['\x1b[1mPassword:\x1b[0m ', true],
    ['/ # ', false],
    ['/ # ls\r\nbin  etc\r\n/ # ', false],
    ['Password: \r\n/ # ', false],
    ['', false],
  ])('%j → %s', (tail, expected) => {
    expect(asksForSecret(tail)).toBe(expected);
  });
});
