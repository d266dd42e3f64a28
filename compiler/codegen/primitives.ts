// Small emission helpers that several parts of the generator share and that call no other part: masking a
// BYTE, entering the FPU, REAL constants in the pool, two-word places (INT64 and REAL64 values in memory), and
// whether an element is a word `ldl`/`stl` can reach directly. They sit just above context.ts so that the
// parts above can all use them without importing each other.

import type { Expr } from '../ast.js';
import type { Label } from '../assembler.js';
import type { Symbol } from '../symbols.js';
import { byteSize, isPrim, type Type } from '../types.js';
import { realBytes } from '../numeric.js';
import type { Deferred } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { type CodeGen, type Storage, storageOf } from './context.js';

export function byteMask(gen: CodeGen): void {
  gen.fn(Fn.ldc, 0xff);
  gen.op(Op.and);
}

export function fpentry(gen: CodeGen, sel: number): void {
  gen.fn(Fn.ldc, sel);
  gen.op(Op.fpentry);
}

/** A pool constant holding a real value; the same value and type share one entry. */
export function realConst(gen: CodeGen, v: number, t: Type): Label {
  const key = `${isPrim(t, 'REAL32') ? 's' : 'd'}${Object.is(v, -0) ? '-0' : String(v)}`;
  let l = gen.realPool.get(key);
  if (!l) {
    l = gen.label('real');
    gen.realPool.set(key, l);
    gen.pool.push(
      { kind: 'align' },
      { kind: 'label', label: l },
      { kind: 'data', bytes: realBytes(v, t) },
      { kind: 'align' },
    );
  }
  return l;
}

/** Where a two-word value is: workspace slots, a slot holding its address, a constant, or a pool constant. */
export type Place =
  /** Two words of a variable or temporary (possibly in an enclosing routine, reached through the static link). */
  | { readonly kind: 'slot'; readonly st: Storage }
  /** A word holding the value's address (a reference parameter or abbreviation, or a subscripted element). */
  | { readonly kind: 'ptr'; readonly st: Storage }
  | { readonly kind: 'const'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'pool'; readonly label: Label };

/** Storage for a temporary slot of the current frame. */
export function temp(gen: CodeGen, slot: number): Storage {
  return { frame: gen.frame, slot: () => slot };
}

/** Storage `words` words above another's. */
function shifted(st: Storage, words: number): Storage {
  return words === 0 ? st : { frame: st.frame, slot: () => st.slot() + words };
}

/** Push word i (0 = least significant) of a place: one register. */
export function word(gen: CodeGen, p: Place, i: number): void {
  switch (p.kind) {
    case 'slot':
      gen.loadSlot(shifted(p.st, i));
      return;
    case 'ptr':
      gen.loadSlot(p.st);
      gen.fn(Fn.ldnl, i);
      return;
    case 'const':
      gen.fn(Fn.ldc, i === 0 ? p.lo : p.hi);
      return;
    case 'pool':
      gen.address(p.label);
      gen.fn(Fn.ldnl, i);
      return;
  }
}

/** Push the address of a place (constants are first written to a temporary). */
export function placeAddress(gen: CodeGen, p: Place, wordOffset = 0): void {
  switch (p.kind) {
    case 'slot':
      gen.slotAddress(shifted(p.st, wordOffset));
      return;
    case 'ptr':
      gen.loadSlot(p.st);
      if (wordOffset) gen.fn(Fn.ldnlp, wordOffset);
      return;
    case 'pool':
      gen.address(p.label);
      if (wordOffset) gen.fn(Fn.ldnlp, wordOffset);
      return;
    case 'const': {
      const t = gen.frame.alloc(2);
      gen.fn(Fn.ldc, p.lo);
      gen.fn(Fn.stl, t);
      gen.fn(Fn.ldc, p.hi);
      gen.fn(Fn.stl, t + 1);
      gen.fn(Fn.ldlp, t + wordOffset);
      return;
    }
  }
}

export function copyPlace(gen: CodeGen, p: Place, r: Deferred): void {
  word(gen, p, 0);
  gen.fn(Fn.stl, r);
  word(gen, p, 1);
  gen.fn(Fn.stl, () => r() + 1);
}

/**
 * The slot operand if the element is a word in the current process's reach that `ldl`/`stl` can address
 * directly: a local scalar, or a constant subscript of a local word array.
 */
export function localSlot(gen: CodeGen, e: Expr): Deferred | null {
  if (e.kind === 'name') {
    const sym = e.decl!;
    if (gen.refs.has(sym) || !('type' in sym) || sym.type.kind !== 'prim') return null;
    if (sym.kind === 'var' || sym.kind === 'abbrev' || (sym.kind === 'param' && !sym.byRef))
      return localOperand(gen, sym);
    return null;
  }
  if (e.kind === 'subscript' && e.base.kind === 'name' && e.index.constValue !== undefined) {
    const sym = e.base.decl!;
    if (sym.kind === 'var' && sym.type.kind === 'array' && byteSize(sym.type.elem) === 4) {
      const base = localOperand(gen, sym);
      if (!base) return null;
      const k = Number(e.index.constValue);
      return () => base() + k;
    }
  }
  return null;
}

/** The `ldl` operand of a symbol's slot if it is in the current routine's workspace. */
function localOperand(gen: CodeGen, sym: Symbol): Deferred | null {
  const r = gen.reach(storageOf(sym));
  return 'local' in r ? r.local : null;
}
