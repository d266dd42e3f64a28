// The selected core: its processes (PROC, state, source line, the channel each waits on and the core at the other
// end), its registers with the ones changed since the last stop highlighted, its run queues, and the disassembly
// around Iptr interleaved with the source lines the code came from.

import type { Core } from '../../emulator/core.js';
import { hex8 } from '../../emulator/core.js';
import { entryAt, type CoreDebug, type Image } from '../../emulator/image.js';
import { decode, MOST_NEG, NOT_PROCESS } from '../../emulator/isa.js';
import { STATE_WORDS, type ProcessView } from '../inspect.js';
import { col, seg, type Line, type Seg } from '../styled.js';

export interface Registers {
  readonly Iptr: number;
  readonly Wptr: number;
  readonly A: number;
  readonly B: number;
  readonly C: number;
}

export function registersOf(core: Core): Registers {
  return { Iptr: core.Iptr, Wptr: core.Wptr, A: core.A, B: core.B, C: core.C };
}

export interface CoreModel {
  readonly image: Image;
  readonly index: number;
  readonly core: Core;
  readonly processes: readonly ProcessView[];
  /** The process the keys n, r and w act on. */
  readonly selectedProcess: number;
  /** Registers at the last stop, to highlight what changed. */
  readonly before: Registers | null;
  /** The process at the other end of a process's channel, if it is there. */
  readonly partner?: (p: ProcessView) => ProcessView | null;
}

const at = (c: { x: number; y: number }): string => `(${c.x}, ${c.y})`;

export function processLine(image: Image, p: ProcessView, partner?: ProcessView | null): string {
  const file = p.at ? (image.files[p.at.file]?.path ?? '?').split('/').pop() : '';
  const where = p.at ? `${file}:${p.at.line}` : '(no source)';
  let what = STATE_WORDS[p.state];
  if (p.channel && (p.state === 'input' || p.state === 'output'))
    what += ` ${p.state === 'input' ? 'from' : 'on'} \`${p.channel}\``;
  if (p.mesh) what += p.state === 'input' ? ` <- core ${at(p.mesh.partner)}` : ` -> core ${at(p.mesh.partner)}`;
  if (p.mesh?.delivered) what += ' (delivered)';
  if (partner?.at) {
    const f = (image.files[partner.at.file]?.path ?? '?').split('/').pop();
    what += `, other end ${partner.proc ?? 'main'} ${f}:${partner.at.line}`;
  }
  return `${p.proc ?? 'main'}  ${where}  ${what}`;
}

function stateColor(p: ProcessView): Seg['fg'] {
  switch (p.state) {
    case 'running':
    case 'ready':
    case 'interrupted':
      return 'green';
    case 'timer':
      return 'cyan';
    case 'stopped':
      return 'red';
    case 'keyboard':
      return 'blue';
    default:
      return 'yellow';
  }
}

export function renderCore(m: CoreModel, width: number, height: number): Line[] {
  const core = m.core;
  const lines: Line[] = [];
  const state = core.finished ? 'finished' : core.state;
  const busy = core.cycles > 0 ? ((100 * core.busyCycles) / core.cycles).toFixed(1) : '0.0';
  lines.push([
    seg(`core ${at(core)}`, { bold: true }),
    seg(`  ${state}  ${core.instructions} instructions  ${busy}% busy  cycle ${core.cycles}`),
  ]);
  // Processes: as many as fit in about half the pane.
  const room = Math.max(1, Math.floor(height / 2) - 1);
  if (m.processes.length === 0)
    lines.push([seg(core.fault ? `halted: ${core.fault.reason}` : 'no processes', { fg: 'gray' })]);
  const first = Math.max(0, Math.min(m.selectedProcess - room + 1, m.processes.length - room));
  m.processes.slice(first, first + room).forEach((p, i) => {
    const sel = first + i === m.selectedProcess;
    const partner = m.partner && (p.state === 'input' || p.state === 'output') ? m.partner(p) : null;
    lines.push([
      seg(sel ? '▸ ' : '  ', { bold: true }),
      seg(col(processLine(m.image, p, partner), width - 2), { fg: stateColor(p), inverse: sel }),
    ]);
  });
  if (m.processes.length > room)
    lines.push([seg(`  ... ${m.processes.length} processes (up/down to choose)`, { fg: 'gray' })]);
  // Registers.
  const regs = registersOf(core);
  const reg: Seg[] = [];
  for (const name of ['Iptr', 'Wptr', 'A', 'B', 'C'] as const) {
    const changed = m.before !== null && m.before[name] !== regs[name];
    const item = [seg(`${name} `), seg(hex8(regs[name]), changed ? { fg: 'yellow', bold: true } : {}), seg('  ')];
    // A narrow pane puts the evaluation stack on a line of its own.
    if (name === 'A' && width < 70) {
      lines.push([...reg]);
      reg.length = 0;
    }
    reg.push(...item);
  }
  lines.push(reg);
  lines.push([seg(`queues  hi ${queue(core, 0)}  lo ${queue(core, 1)}  timers ${timerQueue(core)}`)]);
  // Disassembly around Iptr.
  const left = height - lines.length;
  if (left > 1) lines.push(...disassembly(m.image, m.image.debug[m.index]!, core, left, width));
  return lines.slice(0, height);
}

function queue(core: Core, p: number): string {
  const out: string[] = [];
  let w = core.fptr[p]!;
  for (let i = 0; w !== NOT_PROCESS && i < 4; i++) {
    out.push('#' + hex8(w).slice(4));
    if (w === core.bptr[p]) return out.join(' ');
    try {
      w = core.readWord((w - 8) | 0);
    } catch {
      break;
    }
  }
  return out.length === 0 ? '-' : w === NOT_PROCESS ? out.join(' ') : out.join(' ') + ' ...';
}

function timerQueue(core: Core): string {
  const n = core.processes().filter((p) => p.until !== undefined).length;
  return n === 0 ? '-' : `${n} waiting`;
}

/** The instructions around the core's Iptr, with the source lines they came from. */
function disassembly(image: Image, debug: CoreDebug, core: Core, height: number, width: number): Line[] {
  const code = image.cores.find((c) => c.x === core.x && c.y === core.y)!.code;
  const ip = ((core.Iptr ^ MOST_NEG) >>> 0) - 0x80;
  if (ip < 0 || ip >= code.length) return [[seg('(Iptr is outside the code)', { fg: 'gray' })]];
  // Decode from the start of the line entry a few entries back, so instructions are decoded on their boundaries.
  const lines = debug.lines;
  let i = lines.findIndex((l) => l.offset > ip) - 1;
  if (i < 0) i = lines.length - 1;
  const startEntry = lines[Math.max(0, i - 2)];
  let o = startEntry ? startEntry.offset : 0;
  const rows: { text: Line; current: boolean }[] = [];
  let lastKey = '';
  while (o < code.length && rows.length < 200) {
    const data = debug.data.find((d) => d.offset <= o && o < d.offset + d.length);
    if (data) {
      o = data.offset + data.length;
      continue;
    }
    const le = entryAt(lines, o);
    const key = le ? `${le.file}:${le.line}` : '';
    if (le && key !== lastKey) {
      const text = (image.files[le.file]?.text.split('\n')[le.line - 1] ?? '').trim();
      rows.push({ text: [seg(col(`      -- ${le.line}  ${text}`, width), { fg: 'gray' })], current: false });
      lastKey = key;
    }
    const ins = decode(code, o);
    const cur = o === ip;
    const operand = ins.fn === 15 ? '' : ` ${ins.operand}`;
    rows.push({
      text: [
        seg(
          col(`${cur ? '>' : ' '} ${o.toString(16).padStart(4, '0')}  ${ins.name}${operand}`, width),
          cur ? { inverse: true } : {},
        ),
      ],
      current: cur,
    });
    if (o > ip && rows.length >= height + 4) break;
    o += Math.max(1, ins.length);
  }
  const cur = rows.findIndex((r) => r.current);
  const start = Math.max(0, Math.min(cur - Math.floor(height / 3), rows.length - height));
  return rows.slice(start, start + height).map((r) => r.text);
}
