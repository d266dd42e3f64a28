// A core's processes in source terms: which PROC each is in, its source line, the channel it waits on (by the name
// the program gives it) and the process at the other end, and the chain of waits that follows from one blocked
// process. Everything comes from the machine's state and the image's debug information; nothing is guessed from
// names.

import type { Core, CoreProcess } from '../emulator/core.js';
import {
  entryAt,
  HOST_KEYBOARD,
  type CoreDebug,
  type Image,
  type LineEntry,
  type ProcEntry,
} from '../emulator/image.js';
import { MOST_NEG } from '../emulator/isa.js';
import type { Machine } from '../emulator/machine.js';

export type ProcessState = CoreProcess['state'] | 'keyboard';

export interface ProcessView {
  readonly core: { readonly x: number; readonly y: number };
  readonly wptr: number;
  /** Code offset where it is (running) or resumes; -1 if unknown. */
  readonly iptr: number;
  readonly priority: 0 | 1;
  readonly state: ProcessState;
  /** The innermost PROC or FUNCTION its code is in (null: code outside every PROC, such as a core's boot code). */
  readonly proc: string | null;
  /** The source position shown for it: the instruction it blocked on, or the one it runs next. */
  readonly at: { readonly file: number; readonly line: number; readonly col: number } | null;
  /** The channel it waits on, as written in the program. */
  readonly channel: string | null;
  /** The channel's address, for input and output (a mesh channel's is above MESH_CHANNEL_BASE). */
  readonly channelAddress?: number;
  /** For a wait on a mesh channel: the channel, the core at the other end, and whether the message is there. */
  readonly mesh: {
    readonly index: number;
    readonly name: string;
    readonly partner: { x: number; y: number };
    readonly delivered: boolean;
  } | null;
  /** For a process on a timer queue: the TIMER value it waits for. */
  readonly until?: number;
}

/** Words in plain English for each state, as the panes and the chain show them. */
export const STATE_WORDS: Record<ProcessState, string> = {
  running: 'running',
  interrupted: 'interrupted',
  ready: 'ready',
  input: 'waiting to input',
  output: 'waiting to output',
  alt: 'waiting in an ALT',
  timer: 'waiting for a timer',
  stopped: 'stopped',
  endp: 'waiting for a PAR to end',
  claim: 'waiting to claim a SHARED channel',
  sync: 'waiting at a BARRIER',
  keyboard: 'waiting for a key',
};

export function coreIndex(image: Image, x: number, y: number): number {
  return image.cores.findIndex((c) => c.x === x && c.y === y);
}

/** The line entry for a code offset. */
export function lineAt(debug: CoreDebug, offset: number): LineEntry | undefined {
  return offset >= 0 ? entryAt(debug.lines, offset) : undefined;
}

/** The innermost PROC whose code holds `offset`. */
export function procAt(debug: CoreDebug, offset: number): ProcEntry | null {
  let best: ProcEntry | null = null;
  for (const p of debug.procs) {
    if (offset >= p.offset && offset < p.end && (!best || p.end - p.offset < best.end - best.offset)) best = p;
  }
  return best;
}

/**
 * Where a process is, as a code offset: one that waits blocked on the instruction before its resume point; one
 * that runs or is queued is at its resume point; a PAR waiting for its branches resumes after the PAR.
 */
export function shownOffset(p: { readonly iptr: number; readonly state: ProcessState }): number {
  if (p.iptr < 0) return -1;
  const blocked =
    p.state === 'input' ||
    p.state === 'output' ||
    p.state === 'keyboard' ||
    p.state === 'alt' ||
    p.state === 'timer' ||
    p.state === 'stopped' ||
    p.state === 'claim' ||
    p.state === 'sync';
  return blocked && p.iptr > 0 ? p.iptr - 1 : p.iptr;
}

/** Every process of the core at index `k` of the image, in source terms. */
export function processesOf(machine: Machine, image: Image, k: number): ProcessView[] {
  const core = machine.cores[k]!;
  const debug = image.debug[k]!;
  return core.processes().map((p) => view(machine, image, core, debug, p));
}

function view(machine: Machine, image: Image, core: Core, debug: CoreDebug, p: CoreProcess): ProcessView {
  const off = shownOffset(p);
  const line = lineAt(debug, off);
  const proc = off >= 0 ? procAt(debug, off) : null;
  let channel: string | null = null;
  if ((p.state === 'input' || p.state === 'output') && debug.channels && off >= 0) {
    const site = entryAt(debug.channels, off);
    if (site && site.offset === off) channel = site.name;
  }
  let state: ProcessState = p.state;
  if (p.state === 'input' && p.channel === HOST_KEYBOARD) {
    state = 'keyboard';
    channel ??= 'keyboard';
  }
  let mesh: ProcessView['mesh'] = null;
  if ((p.state === 'input' || p.state === 'output') && machine.network) {
    const w = machine.network.waitOf(core, p.wptr);
    const info = w ? image.channels?.[w.channel] : undefined;
    if (w && info) {
      mesh = {
        index: w.channel,
        name: info.name,
        partner: w.direction === 'input' ? info.from : info.to,
        delivered: w.direction === 'output' && w.arrived,
      };
      channel ??= info.name;
    }
  }
  return {
    core: { x: core.x, y: core.y },
    wptr: p.wptr,
    iptr: p.iptr,
    priority: p.priority,
    state,
    proc: proc ? proc.name : null,
    at: line ? { file: line.file, line: line.line, col: line.col } : null,
    channel,
    mesh,
    ...(p.until !== undefined ? { until: p.until } : {}),
    ...(p.channel !== undefined ? { channelAddress: p.channel } : {}),
  };
}

/**
 * The process at the other end of a process's channel, when it is there: on a mesh channel, the process of the
 * partner core using the same channel; on a channel inside a core, the process whose descriptor the channel word
 * holds (it waits there). Null when no process is at the other end yet.
 */
export function partnerOf(machine: Machine, image: Image, p: ProcessView): ProcessView | null {
  if (p.mesh) {
    const there = coreIndex(image, p.mesh.partner.x, p.mesh.partner.y);
    if (there < 0) return null;
    return processesOf(machine, image, there).find((o) => o.mesh?.index === p.mesh!.index) ?? null;
  }
  if (p.channelAddress === undefined) return null;
  const k = coreIndex(image, p.core.x, p.core.y);
  const core = machine.cores[k]!;
  let word: number;
  try {
    word = core.readWord(p.channelAddress);
  } catch {
    return null;
  }
  if (word === (MOST_NEG | 0)) return null;
  const w = word & ~3;
  return w === p.wptr ? null : (processesOf(machine, image, k).find((o) => o.wptr === w) ?? null);
}

export interface ChainLink {
  readonly process: ProcessView;
  /** What it waits for, in words, ending where the next link takes over. */
  readonly words: string;
}

export interface WaitChain {
  readonly links: readonly ChainLink[];
  /** How the chain ends: a closed loop of waits (a deadlock), a process that can run, or nothing more known. */
  readonly end: 'cycle' | 'runs' | 'unknown' | 'host';
  /** For 'cycle': the index in `links` where the loop closes. */
  readonly loopsTo?: number;
}

const at = (c: { x: number; y: number }): string => `(${c.x}, ${c.y})`;

/**
 * Why is it waiting? From one process, follow what it waits for: on a mesh channel, the core at the other end and
 * the process there; a loop back to a process already in the chain is a deadlock.
 */
export function waitChain(machine: Machine, image: Image, start: ProcessView): WaitChain {
  const links: ChainLink[] = [];
  const key = (p: ProcessView): string => `${p.core.x},${p.core.y},${p.wptr}`;
  const seen = new Map<string, number>();
  let cur: ProcessView | null = start;
  while (cur) {
    const loop = seen.get(key(cur));
    if (loop !== undefined) return { links, end: 'cycle', loopsTo: loop };
    seen.set(key(cur), links.length);
    const name = cur.channel ? `\`${cur.channel}\`` : 'a channel';
    switch (cur.state) {
      case 'running':
      case 'ready':
      case 'interrupted':
        links.push({ process: cur, words: `is ${cur.state === 'running' ? 'running' : 'ready to run'}` });
        return { links, end: 'runs' };
      case 'timer':
        links.push({ process: cur, words: 'waits for a timer, which will wake it' });
        return { links, end: 'runs' };
      case 'keyboard':
        links.push({ process: cur, words: 'waits for a key: type in the console' });
        return { links, end: 'host' };
      case 'stopped':
        links.push({ process: cur, words: 'has stopped (STOP or an error)' });
        return { links, end: 'unknown' };
      case 'endp':
        links.push({ process: cur, words: 'waits for the other branches of its PAR to end' });
        return { links, end: 'unknown' };
      case 'alt':
        links.push({ process: cur, words: 'waits in an ALT for any of its guards' });
        return { links, end: 'unknown' };
      case 'input':
      case 'output': {
        const verb = cur.state === 'input' ? `waits to input from ${name}` : `waits to output on ${name}`;
        const m: ProcessView['mesh'] = cur.mesh;
        if (!m) {
          links.push({ process: cur, words: `${verb}; no process is at the other end of it yet` });
          return { links, end: 'unknown' };
        }
        const info = image.channels?.[m.index];
        if (info?.host) {
          links.push({ process: cur, words: `${verb}, to the host's ${info.host}` });
          return { links, end: 'host' };
        }
        if (m.delivered) {
          links.push({
            process: cur,
            words: `${verb}: the message is at core ${at(m.partner)}, which has not input it`,
          });
        } else links.push({ process: cur, words: `${verb}, for core ${at(m.partner)}` });
        const there = coreIndex(image, m.partner.x, m.partner.y);
        if (there < 0) return { links, end: 'unknown' };
        const others = processesOf(machine, image, there);
        // The process at the other end: the one using the same mesh channel, else the one process blocked there.
        const same: ProcessView | undefined = others.find((o) => o.mesh?.index === m.index);
        const blocked = others.filter((o) => o.state !== 'endp');
        cur = same ?? (blocked.length === 1 ? blocked[0]! : null);
        if (!cur) {
          const last = links.pop()!;
          const n = others.length;
          const more = n === 0 ? '; it has no process left' : `; none of its ${n} processes is at the other end yet`;
          links.push({ process: last.process, words: last.words + more });
          return { links, end: 'unknown' };
        }
        break;
      }
    }
  }
  return { links, end: 'unknown' };
}
