// Styled text, the views' output: lines of segments with a colour and emphasis. The views know nothing of the
// widget library; the adapter (tui/screen.ts) turns these into what it draws, and drops the colours when the user
// asks for none (NO_COLOR). Every state a colour shows is also shown by a letter or a mark, so nothing is lost.

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray' | 'black';

export interface Seg {
  readonly text: string;
  readonly fg?: Color;
  readonly bg?: Color;
  readonly bold?: boolean;
  readonly inverse?: boolean;
}

export type Line = readonly Seg[];

export function seg(text: string, style: Omit<Seg, 'text'> = {}): Seg {
  return { text, ...style };
}

export function plain(text: string): Line {
  return [{ text }];
}

export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += s.text.length;
  return n;
}

/** Cut a line to `width` characters, and pad it with spaces to exactly that width if `pad`. */
export function fit(line: Line, width: number, pad = false): Line {
  const out: Seg[] = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    if (s.text.length <= left) {
      out.push(s);
      left -= s.text.length;
    } else {
      out.push({ ...s, text: s.text.slice(0, left) });
      left = 0;
    }
  }
  if (pad && left > 0) out.push({ text: ' '.repeat(left) });
  return out;
}

/** The text of a line without its styles (what a user without colour sees). */
export function textOf(line: Line): string {
  return line.map((s) => s.text).join('');
}

/** Pad or cut a string to `n` characters. */
export function col(text: string, n: number): string {
  return text.length >= n ? text.slice(0, n) : text + ' '.repeat(n - text.length);
}

/** Control characters of program text or output made visible, so they never reach the terminal raw. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 32 ? '^' + String.fromCharCode(code + 64) : '·';
  });
}
