// The instructions an ASM or GUY block may name (docs/language.md, ASM and GUY): those the emulator implements
// (emulator/isa.ts: direct functions, operations, the FPU's fpentry operations) and the occam 2.1 reference manual's
// pseudo-instructions. The checker (checker/asm.ts) and the code generator (codegen/asm.ts) both read it.

import { Fn, FpOp, Op } from '../emulator/isa.js';

/** Pseudo-instructions that load (LD, LDAB, LDABC) or store (ST, STAB, STABC) that many values. */
export const ASM_LOADS: Readonly<Record<string, number>> = { LD: 1, LDAB: 2, LDABC: 3 };
export const ASM_STORES: Readonly<Record<string, number>> = { ST: 1, STAB: 2, STABC: 3 };
/** The special names of ASM operands: the frame's size, the static link, the vector space pointer. */
export const ASM_SPECIALS = new Set(['.WSSIZE', '.STATIC', '.VSPTR']);

/** What an instruction written in ASM is: a direct function, an operation, an FPU operation or a pseudo-op. */
export type AsmOpKind =
  | { readonly kind: 'fn'; readonly code: number }
  | { readonly kind: 'op'; readonly code: number }
  | { readonly kind: 'fpentry'; readonly code: number }
  | { readonly kind: 'load' | 'store'; readonly count: number }
  | { readonly kind: 'labeldiff' | 'byte' | 'word' };

export function asmOpKind(name: string): AsmOpKind | null {
  const lower = name.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(Fn, lower)) return { kind: 'fn', code: Fn[lower as keyof typeof Fn] };
  if (Object.prototype.hasOwnProperty.call(Op, lower)) return { kind: 'op', code: Op[lower as keyof typeof Op] };
  if (Object.prototype.hasOwnProperty.call(FpOp, lower))
    return { kind: 'fpentry', code: FpOp[lower as keyof typeof FpOp] };
  if (ASM_LOADS[name]) return { kind: 'load', count: ASM_LOADS[name]! };
  if (ASM_STORES[name]) return { kind: 'store', count: ASM_STORES[name]! };
  if (name === 'LDLABELDIFF') return { kind: 'labeldiff' };
  if (name === 'BYTE') return { kind: 'byte' };
  if (name === 'WORD') return { kind: 'word' };
  return null;
}
