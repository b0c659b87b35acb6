/**
 * The one bound on what a message repeats of the caller's input: an ID, a name, a path. An error
 * that quotes a 1 MB input would be a 1 MB answer and a 1 MB audit row, for any token; so a quoted
 * value keeps its first MAX_ECHO characters and says how many more there were. Pure.
 */

/** Characters of one input value that a message or an error's field repeats. */
export const MAX_ECHO = 200;

/** `text` as a message may quote it: at most MAX_ECHO characters (whole code points), then `…(N more)`. */
export function echo(text: string, max: number = MAX_ECHO): string {
  if (text.length <= max) return text;
  let kept = text.slice(0, max);
  // Do not split a surrogate pair: the cut text stays valid UTF-16.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…(${text.length - kept.length} more)`;
}

/** Characters of a whole message (an error's, a problem's) beyond which it is cut, whatever it quotes. */
export const MAX_MESSAGE = 2000;

/** A message cut to MAX_MESSAGE characters. */
export const boundedMessage = (message: string): string => echo(message, MAX_MESSAGE);
