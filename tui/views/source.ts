// The program text: line numbers, the selected process's line highlighted, the lines other processes are at
// marked, breakpoints marked, and the cursor (where `b` sets a breakpoint) when the pane has the focus.

import type { Image } from '../../emulator/image.js';
import { printable, seg, col, type Line, type Seg } from '../styled.js';

export interface SourceModel {
  readonly image: Image;
  readonly file: number;
  /** Line of the selected process in this file, if it is in this file. */
  readonly current: number | null;
  /** Lines of this file where other processes are. */
  readonly others: ReadonlySet<number>;
  readonly breakpoints: ReadonlySet<number>;
  readonly cursor: number;
  readonly focused: boolean;
  /** The text being searched for, to highlight. */
  readonly search: string;
  /** The line of a run-time error in this file, if the run stopped on one. */
  readonly error?: number | null;
}

/** The first line shown, so that the cursor stays in view. */
export function sourceTop(cursor: number, height: number, lines: number): number {
  return Math.max(1, Math.min(cursor - Math.floor(height / 2), lines - height + 1));
}

/** The lines of a file of the image, as the pane numbers them (a final newline ends the last line). */
export function sourceLines(image: Image, file: number): string[] {
  const all = (image.files[file]?.text ?? '').split('\n');
  if (all.length > 1 && all[all.length - 1] === '') all.pop();
  return all;
}

export function renderSource(m: SourceModel, width: number, height: number): Line[] {
  const all = sourceLines(m.image, m.file);
  const top = sourceTop(m.cursor, height, all.length);
  const numW = String(all.length).length;
  const out: Line[] = [];
  for (let n = top; n < top + height && n <= all.length; n++) {
    const bp = m.breakpoints.has(n);
    const failed = m.error === n;
    const cur = m.current === n || failed;
    const other = m.others.has(n);
    const gutter: Seg[] = [
      seg(bp ? '●' : ' ', { fg: 'red', bold: true }),
      seg(failed ? 'X' : cur ? '▸' : other ? '·' : ' ', { fg: failed ? 'red' : cur ? 'green' : 'yellow', bold: true }),
      seg(String(n).padStart(numW) + ' ', { fg: 'gray' }),
    ];
    const body = printable((all[n - 1] ?? '').replace(/\t/g, '  ').replace(/\r$/, ''));
    const w = Math.max(0, width - numW - 3);
    const style = failed
      ? { bg: 'red' as const, fg: 'white' as const }
      : cur
        ? { bg: 'green' as const, fg: 'black' as const }
        : {};
    const atCursor = m.focused && n === m.cursor;
    const shown = col(body, w);
    if (m.search && shown.includes(m.search) && !cur) {
      const i = shown.indexOf(m.search);
      out.push([
        ...gutter,
        seg(shown.slice(0, i), { inverse: atCursor }),
        seg(m.search, { bg: 'yellow', fg: 'black' }),
        seg(shown.slice(i + m.search.length), { inverse: atCursor }),
      ]);
    } else out.push([...gutter, seg(shown, { ...style, inverse: atCursor })]);
  }
  return out;
}
