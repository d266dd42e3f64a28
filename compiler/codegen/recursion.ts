// REC / RECURSIVE PROCs and FUNCTIONs: the compiler cannot reserve workspace for a chain of calls of unknown depth,
// so each call of a recursive routine takes its workspace from the heap on entry and gives it back on return
// (docs/codegen.md, Recursion). The caller reserves only the words `call` pushes; the routine's frame, parameters
// and everything below it live in the block.

import { Fn, Op } from '../../emulator/isa.js';
import type { Routine } from '../symbols.js';
import type { Type } from '../types.js';
import { BELOW_ANY, CALL_WORDS, type Frame } from '../workspace.js';
import type { CodeGen } from './context.js';
import { resultsInRegisters } from './queries.js';

/** What a caller reserves below its Wptr to call a recursive routine: the call's words and two scratch words. */
export const RECURSIVE_CALL_WORDS = CALL_WORDS + BELOW_ANY;

/** Parameter words of a routine: its static link, one per parameter and one per open dimension. */
export function parameterWords(sym: Routine): number {
  let n = sym.outer ? 1 : 0;
  // Results that do not come back in registers are stored through addresses passed before the parameters.
  if (sym.kind === 'function' && !resultsInRegisters(sym)) n += sym.results.length;
  for (const p of sym.params) {
    n++;
    for (let t: Type = p.type; t.kind === 'array'; t = t.elem) if (t.size === null) n++;
  }
  return n;
}

/**
 * Block layout, from low addresses up: the words the routine needs below its Wptr, its frame, then (at Wq, where
 * `ajw N` brings Wptr back to) the return address, the parameter words, the caller's Wptr and the block's address.
 */
function blockWords(frame: Frame, pw: number): number {
  return frame.need() + frame.size + 1 + pw + 2;
}

/**
 * Entry, with Wptr = the caller's Wptr − 16 (W[0] = return address, W[1..] = parameter words as `call` and the
 * caller left them): allocate the block, copy the return address and parameters to its top, record the old Wptr
 * and the block, and move Wptr there. The routine's usual `ajw -N` follows.
 */
export function recursiveEntry(gen: CodeGen, frame: Frame, pw: number): void {
  const down = (): number => frame.need() + frame.size;
  gen.fn(Fn.ldc, () => 4 * blockWords(frame, pw));
  gen.op(Op.malloc);
  gen.fn(Fn.ldnlp, down);
  gen.fn(Fn.stl, -1);
  gen.fn(Fn.ldlp, 0);
  gen.fn(Fn.ldl, -1);
  gen.fn(Fn.ldc, 4 * (1 + pw));
  gen.op(Op.move);
  gen.fn(Fn.ldlp, 0);
  gen.fn(Fn.ldl, -1);
  gen.fn(Fn.stnl, pw + 1);
  gen.fn(Fn.ldl, -1);
  gen.fn(Fn.ldnlp, () => -down());
  gen.fn(Fn.ldl, -1);
  gen.fn(Fn.stnl, pw + 2);
  gen.fn(Fn.ldl, -1);
  gen.op(Op.gajw);
}

/**
 * Exit, after the routine's `ajw N` (Wptr = the block's top, `results` values in A, B, C): keep the results in the
 * caller's words that `call` wrote, release the block, go back to the caller's workspace and reload them. `ret`
 * follows.
 */
export function recursiveExit(gen: CodeGen, pw: number, results: number): void {
  for (let i = 0; i < results; i++) gen.fn(Fn.stl, -1 - i);
  for (let i = 0; i < results; i++) {
    gen.fn(Fn.ldl, -1 - i);
    gen.fn(Fn.ldl, pw + 1);
    gen.fn(Fn.stnl, 1 + i);
  }
  gen.fn(Fn.ldl, pw + 1);
  gen.fn(Fn.ldl, pw + 2);
  gen.op(Op.mrelease);
  gen.op(Op.gajw);
  for (let i = results - 1; i >= 0; i--) gen.fn(Fn.ldl, 1 + i);
}
