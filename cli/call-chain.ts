// The chain of PROC calls that led to a run-time error, read from the failed core's memory with nothing but the
// image: every PROC begins with `ajw -n`, and `call` leaves the return address in the word just above the callee's
// frame, so from the failing workspace each frame gives the place it was called from and the caller's workspace.
// Each step is checked (the return address must follow a `call` in a PROC's code); a chain that cannot be followed
// is cut short rather than guessed.

import { entryAt, MEM_START, type CoreDebug, type Image, type ProcEntry } from '../emulator/image.js';
import type { Machine, RunError } from '../emulator/machine.js';
import { decode, Fn } from '../emulator/isa.js';

export interface CallSite {
  /** The PROC the call is in. */
  readonly caller: ProcEntry;
  /** Code offset of the `call` instruction. */
  readonly offset: number;
  /** The PROC it called. */
  readonly callee: ProcEntry;
  /** Where the callee's parameter words start (its W[frame + 1]): what the call passed it. */
  readonly params: number;
}

/** Deepest chain followed: occam has no recursion, so real chains are short. */
const MAX_DEPTH = 64;

/** The PROC the failing code is in and the calls that led there, innermost first. */
export function callChain(
  code: Uint8Array,
  debug: CoreDebug,
  readWord: (address: number) => number,
  wptr: number,
  offset: number,
): { proc: ProcEntry | null; calls: CallSite[] } {
  const procAt = (off: number): ProcEntry | null => debug.procs.find((p) => off >= p.offset && off < p.end) ?? null;
  const proc = procAt(offset);
  const calls: CallSite[] = [];
  let callee = proc;
  let w = wptr;
  while (callee && calls.length < MAX_DEPTH) {
    // A PROC with no workspace of its own may start without an `ajw`: its frame is then empty.
    const entry = decode(code, callee.offset);
    const frame = entry.name === 'ajw' && entry.operand <= 0 ? -entry.operand : 0;
    let ret: number;
    try {
      ret = (readWord((w + 4 * frame) | 0) - MEM_START) | 0;
    } catch {
      break; // outside memory: not a frame after all
    }
    const caller = procAt(ret);
    if (!caller) break; // the boot process, which called the program's main PROC
    const call = callEndingAt(code, debug, caller, ret);
    if (call < 0) break;
    calls.push({ caller, offset: call, callee, params: (w + 4 * frame + 4) | 0 });
    callee = caller;
    w = (w + 4 * frame + 16) | 0;
  }
  return { proc, calls };
}

/** The offset of the `call` instruction in `proc` that ends at `end`, or -1. */
function callEndingAt(code: Uint8Array, debug: CoreDebug, proc: ProcEntry, end: number): number {
  let p = proc.offset;
  while (p < end && p < proc.end) {
    const data = debug.data.find((d) => d.offset === p);
    if (data) {
      p += data.length;
      continue;
    }
    const ins = decode(code, p);
    if (ins.length === 0) return -1;
    if (p + ins.length === end) return ins.fn === Fn.call ? p : -1;
    p += ins.length;
  }
  return -1;
}

/** The call sites as lines of a run-time error report. */
export function callLines(
  chain: { proc: ProcEntry | null; calls: CallSite[] },
  debug: CoreDebug,
  where: (file: number, line: number, col: number) => string,
): string[] {
  if (!chain.proc || chain.calls.length === 0) return [];
  const out = [`  in PROC ${chain.proc.name}`];
  for (const c of chain.calls) {
    const line = entryAt(debug.lines, c.offset);
    const at = line ? where(line.file, line.line, line.col) : `offset ${c.offset}`;
    out.push(`  called from ${at}, in PROC ${c.caller.name}`);
  }
  return out;
}

/** The call-chain lines for a run-time error on a core of `machine` running `image`. */
export function runErrorChain(image: Image, machine: Machine, err: RunError): string[] {
  const i = image.cores.findIndex((c) => c.x === err.core.x && c.y === err.core.y);
  const core = machine.cores.find((c) => c.x === err.core.x && c.y === err.core.y);
  if (i < 0 || !core) return [];
  const debug = image.debug[i]!;
  const chain = callChain(image.cores[i]!.code, debug, (a) => core.readWord(a), err.wptr, err.offset);
  return callLines(chain, debug, (file, line, col) => `${image.files[file]?.path ?? '?'}:${line}:${col}`);
}
