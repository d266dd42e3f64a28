// The predefined FUNCTIONs that are one T800 FPU operation (SQRT, DSQRT, ABS, DABS in lib/predefined.occ): their
// bodies are that operation on the parameter, as the INMOS compiler's are for a T800, instead of the placeholder
// occam the library file holds. Every caller calls them as ordinary FUNCTIONs.

import type { FunctionSymbol } from '../symbols.js';
import { isPrim } from '../types.js';
import { isBundledPath } from '../library.js';
import { Fn, FpOp, Op } from '../../emulator/isa.js';
import { type CodeGen, storageOf } from './context.js';
import { fpentry } from './primitives.js';

/** The FPU operations (fpentry selectors) each intrinsic applies to its parameter, in order. */
const BODIES: ReadonlyMap<string, readonly number[]> = new Map([
  ['SQRT', [FpOp.fpusqrtfirst, FpOp.fpusqrtstep, FpOp.fpusqrtstep, FpOp.fpusqrtlast]],
  ['DSQRT', [FpOp.fpusqrtfirst, FpOp.fpusqrtstep, FpOp.fpusqrtstep, FpOp.fpusqrtlast]],
  ['ABS', [FpOp.fpuabs]],
  ['DABS', [FpOp.fpuabs]],
]);

/**
 * Generate the body of an intrinsic FUNCTION, leaving its result in A (REAL32) or A and B (REAL64, least
 * significant word in A); false, generating nothing, when `sym` is not one.
 */
export function intrinsicBody(gen: CodeGen, sym: FunctionSymbol): boolean {
  const ops = BODIES.get(sym.name);
  if (!ops || sym.params.length !== 1 || !isBundledPath(sym.def.span.file.path)) return false;
  const x = sym.params[0]!;
  const single = isPrim(x.type, 'REAL32');
  // A VAL REAL64 parameter is passed by its address; a VAL REAL32 is in its word.
  if (gen.refs.has(x)) gen.loadSlot(storageOf(x));
  else gen.slotAddress(storageOf(x));
  gen.op(single ? Op.fpldnlsn : Op.fpldnldb);
  for (const op of ops) fpentry(gen, op);
  // NaN for a negative root and a NaN or infinite ABS are results, not errors (KRoC's library returns them): the
  // FPU's sticky error flag they set would stop the next checked operation.
  fpentry(gen, FpOp.fpuclrerr);
  const t = gen.frame.alloc(single ? 1 : 2);
  gen.fn(Fn.ldlp, t);
  gen.op(single ? Op.fpstnlsn : Op.fpstnldb);
  if (!single) gen.fn(Fn.ldl, t + 1);
  gen.fn(Fn.ldl, t);
  return true;
}
