// The program's console: what it wrote to the screen and error channels, as it appeared, and the keys typed for it.

import type { ConsoleChunk } from '../session.js';
import { printable, seg, type Line, type Seg } from '../styled.js';

export function renderConsole(
  chunks: readonly ConsoleChunk[],
  width: number,
  height: number,
  focused: boolean,
  waiting: boolean,
): Line[] {
  // Build lines from the end, wrapping long ones.
  const lines: Seg[][] = [[]];
  for (const c of chunks) {
    const style = c.device === 'error' ? { fg: 'red' as const } : c.device === 'keys' ? { fg: 'cyan' as const } : {};
    const parts = c.text.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) lines.push([]);
      if (p !== '') lines[lines.length - 1]!.push(seg(printable(p), style));
    });
  }
  const wrapped: Line[] = [];
  for (const l of lines) {
    let cur: Seg[] = [];
    let n = 0;
    for (const s of l) {
      let t = s.text;
      while (n + t.length > width && width > 0) {
        cur.push({ ...s, text: t.slice(0, width - n) });
        wrapped.push(cur);
        t = t.slice(width - n);
        cur = [];
        n = 0;
      }
      if (t !== '') {
        cur.push({ ...s, text: t });
        n += t.length;
      }
    }
    wrapped.push(cur);
  }
  if (focused || waiting) {
    const last = wrapped[wrapped.length - 1] as Seg[];
    wrapped[wrapped.length - 1] = [...last, seg(focused ? '█' : ' ', { fg: 'cyan' })];
  }
  return wrapped.slice(Math.max(0, wrapped.length - height));
}
