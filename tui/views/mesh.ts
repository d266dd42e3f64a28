// The mesh view: one cell per core with its coordinates and its state as a letter (and a colour), and between
// neighbouring cells a mark per link direction that lights with the link's recent traffic and changes while a
// packet waits for the link (a stall), or shows that a fault has failed it (`--faults down=...`). Up to 8×8 cores in full detail; a larger mesh as a compact map of one
// character per core that scrolls with the selection, above a detailed window around the selected core.

import type { Color, Line, Seg } from '../styled.js';
import { seg } from '../styled.js';
import type { Traffic } from '../traffic.js';

export interface CoreCell {
  readonly x: number;
  readonly y: number;
  /** One letter for the state (see STATE_KEY). */
  readonly letter: string;
  readonly color: Color;
  /** Part of the deadlock being shown. */
  readonly deadlocked: boolean;
  /** Emulated instructions since the previous frame: how busy it looks on the compact map. */
  readonly activity: number;
}

/** What each letter means: shown in the help screen and the docs. */
export const STATE_KEY: readonly (readonly [string, string, Color])[] = [
  ['R', 'running a process', 'green'],
  ['r', 'ready: processes queued to run', 'green'],
  ['?', 'blocked: waiting to input', 'yellow'],
  ['!', 'blocked: waiting to output', 'yellow'],
  ['A', 'blocked in an ALT', 'magenta'],
  ['T', 'waiting for a timer', 'cyan'],
  ['K', 'waiting for a key', 'blue'],
  ['P', 'waiting for PAR branches to end', 'yellow'],
  ['.', 'idle: nothing to run', 'gray'],
  ['F', 'finished', 'gray'],
  ['X', 'halted by a run-time error', 'red'],
  ['C', 'crashed by a fault (--faults crash=...)', 'red'],
];

/** Link marks, per direction: idle, carrying bytes, stalled (a packet waits for the link). */
export const LINK_MARKS: Record<'N' | 'E' | 'S' | 'W', string> = { N: '↑', E: '→', S: '↓', W: '←' };
export const STALL_MARK = '=';
export const IDLE_MARK = '·';
/** A link direction a fault has failed. */
export const FAILED_MARK = '#';

export interface MeshModel {
  readonly width: number;
  readonly height: number;
  cell(x: number, y: number): CoreCell | null;
  /** Directed links with a packet waiting, as `x,y,d` keys (d: 0 N, 1 E, 2 S, 3 W). */
  readonly stalled: ReadonlySet<string>;
  /** Directed links a fault has failed, as the same keys. */
  readonly failed?: ReadonlySet<string>;
  readonly traffic: Traffic;
  readonly cycle: number;
  readonly selected: { readonly x: number; readonly y: number };
}

const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];

function mark(m: MeshModel, x: number, y: number, d: number): Seg {
  const nx = x + DX[d]!;
  const ny = y + DY[d]!;
  if (nx < 0 || ny < 0 || nx >= m.width || ny >= m.height) return seg(' ');
  if (m.failed?.has(`${x},${y},${d}`)) return seg(FAILED_MARK, { fg: 'red', bold: true });
  if (m.stalled.has(`${x},${y},${d}`)) return seg(STALL_MARK, { fg: 'red', bold: true });
  const u = m.traffic.recent(m.traffic.id(x, y, d), m.cycle);
  const arrow = LINK_MARKS[(['N', 'E', 'S', 'W'] as const)[d]!];
  if (u <= 0) return seg(IDLE_MARK, { fg: 'gray' });
  if (u < 0.25) return seg(arrow, { fg: 'green' });
  if (u < 0.6) return seg(arrow, { fg: 'yellow', bold: true });
  return seg(arrow, { fg: 'red', bold: true });
}

function cellSegs(m: MeshModel, c: CoreCell | null, x: number, y: number, w: number): Seg[] {
  const sel = m.selected.x === x && m.selected.y === y;
  const label = `${x},${y}`;
  if (!c) return [seg((label + ' ' + ' '.repeat(w)).slice(0, w), { fg: 'gray', inverse: sel })];
  const pad = Math.max(0, w - label.length - 1);
  const style = { inverse: sel, ...(c.deadlocked ? { bg: 'red' as Color } : {}) };
  return [
    seg(label + ' '.repeat(pad), style),
    seg(c.letter, { ...style, fg: c.deadlocked ? 'white' : c.color, bold: true }),
  ];
}

/** The detailed grid of cores [x0, x0 + cols) × [y0, y0 + rows). */
function detailed(m: MeshModel, x0: number, y0: number, cols: number, rows: number, cw: number): Line[] {
  const lines: Line[] = [];
  for (let y = y0; y < y0 + rows; y++) {
    const row: Seg[] = [];
    for (let x = x0; x < x0 + cols; x++) {
      row.push(...cellSegs(m, m.cell(x, y), x, y, cw));
      if (x < x0 + cols - 1) row.push(mark(m, x, y, 1), mark(m, x + 1, y, 3));
    }
    lines.push(row);
    if (y < y0 + rows - 1) {
      const between: Seg[] = [];
      for (let x = x0; x < x0 + cols; x++) {
        const left = Math.floor((cw - 2) / 2);
        between.push(seg(' '.repeat(left)), mark(m, x, y, 2), mark(m, x, y + 1, 0), seg(' '.repeat(cw - left - 2)));
        if (x < x0 + cols - 1) between.push(seg('  '));
      }
      lines.push(between);
    }
  }
  return lines;
}

/** Where a window of `n` of `total` starts so that it shows `at`. */
function windowStart(at: number, n: number, total: number): number {
  return Math.max(0, Math.min(total - n, at - Math.floor(n / 2)));
}

/** The width of a detailed cell that lets `cols` cells fit in `width` (a space before the letter if there is room). */
export function cellWidth(meshWidth: number, meshHeight: number, width: number): number {
  const label = `${meshWidth - 1},${meshHeight - 1}`.length;
  const roomy = Math.max(5, label + 2);
  return Math.min(meshWidth, 8) * (roomy + 2) - 2 <= width ? roomy : Math.max(4, label + 1);
}

export function renderMesh(m: MeshModel, width: number, height: number): Line[] {
  const cw = cellWidth(m.width, m.height, width);
  const fitsCols = Math.floor((width + 2) / (cw + 2));
  const fitsRows = Math.floor((height + 1) / 2);
  if (m.width <= 8 && m.height <= 8 && m.width <= fitsCols && m.height <= fitsRows) {
    return detailed(m, 0, 0, m.width, m.height, cw);
  }
  // Compact: one character per core, then the selected region in detail below it.
  const lines: Line[] = [];
  const detailRows = Math.min(m.height, Math.max(1, Math.min(3, Math.floor((height - 3) / 4))));
  const mapRows = Math.max(1, Math.min(m.height, height - (detailRows * 2 - 1) - 2));
  const mapCols = Math.min(m.width, width);
  const mx = windowStart(m.selected.x, mapCols, m.width);
  const my = windowStart(m.selected.y, mapRows, m.height);
  for (let y = my; y < my + mapRows; y++) {
    const row: Seg[] = [];
    for (let x = mx; x < mx + mapCols; x++) {
      const c = m.cell(x, y);
      const sel = m.selected.x === x && m.selected.y === y;
      if (!c) {
        row.push(seg(' ', { inverse: sel }));
        continue;
      }
      const busy = c.activity > 0 && (c.letter === 'R' || c.letter === 'r');
      row.push(
        seg(c.letter, {
          fg: c.deadlocked ? 'white' : c.color,
          bold: busy,
          inverse: sel,
          ...(c.deadlocked ? { bg: 'red' as Color } : {}),
        }),
      );
    }
    lines.push(row);
  }
  lines.push([
    seg(`cores x ${mx}-${mx + mapCols - 1}, y ${my}-${my + mapRows - 1} of ${m.width}x${m.height}`, { fg: 'gray' }),
  ]);
  const dCols = Math.max(1, Math.min(m.width, fitsCols, 8));
  const dx = windowStart(m.selected.x, dCols, m.width);
  const dy = windowStart(m.selected.y, detailRows, m.height);
  lines.push(...detailed(m, dx, dy, dCols, detailRows, cw));
  return lines.slice(0, height);
}
