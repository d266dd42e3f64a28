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
