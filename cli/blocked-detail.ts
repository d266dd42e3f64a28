// What the deadlock report can say about a blocked process beyond its source line, read from the image and the
// stopped machine: the chain of PROC calls it is in (which tells instances of one PROC apart), the channel it waits
// on as the program declared it (`c[1]` where the PROC calls it `right`), the channels an ALT waits on, for a
// PAR waiting for its branches, where that PAR is, and the channels its PROCs were passed (for the cycle of waits).

import { entryAt, type CoreDebug, type Image, type NameEntry } from '../emulator/image.js';
import { decode } from '../emulator/isa.js';
import type { BlockedProcess, Machine } from '../emulator/machine.js';
import { callChain, callLines } from './call-chain.js';

export interface BlockedDetail {
  /** `in PROC f` and `called from ...` lines; empty for code in the main PROC. */
  readonly chain: readonly string[];
  /** The channel waited on, as declared in the main PROC (`c[1]`), when that is where it lives. */
  readonly declared: string | null;
  /** For an ALT: the declared channels it waits on. */
  readonly altChannels: readonly string[];
  /** For a PAR waiting for its branches: the code offset of the PAR. */
  readonly parOffset: number | null;
  /**
   * The channel addresses the PROCs it is in were passed as parameters: the channels it may use. On one core, a
   * process waiting on a channel waits for the other process that holds it (report.ts, the cycle of waits).
   */
  readonly heldChannels: readonly number[];
}

export type DetailOf = (p: BlockedProcess) => BlockedDetail | null;

/** Words scanned after a channel array's first element when naming or searching channels. */
const MAX_ARRAY_WORDS = 4096;
/** Parameter words read from each PROC frame a blocked process is in, looking for the channels it was passed. */
const PARAM_WORDS = 8;

export function blockedDetails(image: Image, machine: Machine): DetailOf {
  return (p) => {
    const i = image.cores.findIndex((c) => c.x === p.core.x && c.y === p.core.y);
    const core = machine.cores.find((c) => c.x === p.core.x && c.y === p.core.y);
    if (i < 0 || !core) return null;
    const code = image.cores[i]!.code;
    const debug = image.debug[i]!;
    const read = (a: number): number => core.readWord(a);
    const files = (file: number, line: number, col: number): string =>
      `${image.files[file]?.path ?? '?'}:${line}:${col}`;
    const off = p.iptr > 0 ? p.iptr - 1 : p.iptr;
    const calls = p.waiting.kind === 'endp' || off < 0 ? null : callChain(code, debug, read, p.wptr, off);
    const chain = calls ? callLines(calls, debug, files) : [];
    const heldChannels: number[] = [];
    for (const c of calls?.calls ?? []) {
      for (let k = 0; k < PARAM_WORDS; k++) {
        try {
          heldChannels.push(read((c.params + 4 * k) | 0));
        } catch {
          break;
        }
      }
    }
    const channels = image.cores.length === 1 ? mainChannels(code, debug, core.bootWptr) : [];
    const named = (addr: number): string | null => nameOf(channels, addr, image, debug);
    const declared =
      p.waiting.channel !== undefined && p.waiting.meshChannel === undefined ? named(p.waiting.channel) : null;
    const altChannels = p.waiting.kind === 'alt' ? waitingChannels(channels, p.wptr, read, image, debug) : [];
    const parOffset = p.waiting.kind === 'endp' && p.iptr >= 0 ? parAt(code, debug, p.iptr) : null;
    return { chain, declared, altChannels, parOffset, heldChannels };
  };
}

interface ChannelBlock {
  readonly entry: NameEntry;
  /** Address of its first channel word. */
  readonly base: number;
  /** How many words may belong to it (up to the next declared name). */
  readonly words: number;
}

/**
 * The channels the main PROC declares, at their addresses. The boot process calls the main PROC (the last one)
 * with its workspace just below the boot workspace, so its frame is at a known place.
 */
function mainChannels(code: Uint8Array, debug: CoreDebug, bootWptr: number): ChannelBlock[] {
  const main = debug.procs.at(-1);
  if (!main || !debug.names) return [];
  const entry = decode(code, main.offset);
  const frame = entry.name === 'ajw' && entry.operand <= 0 ? -entry.operand : 0;
  const w = (bootWptr - 16 - 4 * frame) | 0;
  const inMain = debug.names.filter((n) => n.offset >= main.offset && n.offset < main.end);
  const chans = inMain.filter((n) => n.kind === 'channel').sort((a, b) => a.wordOffset - b.wordOffset);
  return chans.map((n) => {
    const next = inMain
      .filter((o) => o.wordOffset > n.wordOffset)
      .reduce((m, o) => Math.min(m, o.wordOffset), n.wordOffset + MAX_ARRAY_WORDS);
    return { entry: n, base: (w + 4 * n.wordOffset) | 0, words: next - n.wordOffset };
  });
}

/**
 * Whether a declaration declares an array (`[3]CHAN INT c:`), from its source line: the line of the code just
 * before the name's scope begins, which initialises its channel words.
 */
function isArray(entry: NameEntry, image: Image, debug: CoreDebug): boolean {
  const line = entryAt(debug.lines, entry.offset - 1);
  const text = line ? (image.files[line.file]?.text.split('\n')[line.line - 1] ?? '') : '';
  return /\[[^\]]*\]\s*CHAN\b/.test(text) && text.includes(entry.name);
}

function nameOf(blocks: readonly ChannelBlock[], addr: number, image: Image, debug: CoreDebug): string | null {
  for (const b of blocks) {
    const k = (addr - b.base) / 4;
    if (!Number.isInteger(k) || k < 0 || k >= b.words) continue;
    if (isArray(b.entry, image, debug)) return `${b.entry.name}[${k}]`;
    if (k === 0) return b.entry.name;
  }
  return null;
}

/** The declared channels whose word holds this process: the guards an ALT has enabled and waits on. */
function waitingChannels(
  blocks: readonly ChannelBlock[],
  wptr: number,
  read: (a: number) => number,
  image: Image,
  debug: CoreDebug,
): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const n = isArray(b.entry, image, debug) ? b.words : 1;
    for (let k = 0; k < n; k++) {
      let word: number;
      try {
        word = read((b.base + 4 * k) | 0);
      } catch {
        break;
      }
      // A waiting process's descriptor: its Wptr with the priority in the low bit.
      if ((word & ~3) === (wptr & ~3)) out.push(n === 1 ? b.entry.name : `${b.entry.name}[${k}]`);
    }
  }
  return out;
}

/**
 * The PAR whose join continues at `successor`: its set-up loads the successor's address with `ldc d; ldpi`, so
 * the `ldpi` whose target is `successor` is in the PAR's code.
 */
function parAt(code: Uint8Array, debug: CoreDebug, successor: number): number | null {
  for (const proc of debug.procs) {
    let p = proc.offset;
    let prev: ReturnType<typeof decode> | null = null;
    while (p < proc.end) {
      const data = debug.data.find((d) => d.offset === p);
      if (data) {
        p += data.length;
        prev = null;
        continue;
      }
      const ins = decode(code, p);
      if (ins.length === 0) break;
      if (ins.name === 'ldpi' && prev?.name === 'ldc' && p + ins.length + prev.operand === successor) return p;
      prev = ins;
      p += ins.length;
    }
  }
  return null;
}
