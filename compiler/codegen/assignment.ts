// Assignment: single and multiple targets, stores to variables and array elements, and the slots of names
// that can be reached without an address.

import type { Expr } from '../ast.js';
import { callees } from '../checker.js';
import type { Symbol } from '../symbols.js';
import { byteSize } from '../types.js';
import type { Deferred } from '../workspace.js';
import { Fn, Op } from '../../emulator/isa.js';
import { addressDepth, arrayRef, copyArray, elementAddress, storeValueAt } from './addresses.js';
import { type CodeGen, MAX_REGS, storageOf } from './context.js';
import { expr } from './expressions.js';
import { assignWideMulti, storeNumeric } from './numeric-stores.js';
import { store16 } from './numeric-types.js';
import { isWide } from './queries.js';
import { callRoutine } from './routines.js';

export function assign(gen: CodeGen, targets: readonly Expr[], values: readonly Expr[]): void {
  if (targets.length > 1 && targets.some((t) => isWide(t.type!))) return assignWideMulti(gen, targets, values);
  if (targets.length === 1) {
    if (targets[0]!.type!.kind === 'array') copyArray(gen, values[0]!, targets[0]!, targets[0]!.span);
    else store(gen, targets[0]!, values[0]!);
    return;
  }
  // Every right-hand side is evaluated before anything is assigned (arrays into workspace copies).
  const mark = gen.frame.mark();
  const temps = values.map((v) => {
    const vt = v.type!;
    if (vt.kind === 'array') {
      const bytes = byteSize(vt) ?? 0;
      const t = gen.frame.alloc(Math.max(1, Math.ceil(bytes / 4)));
      storeValueAt(gen, v, { emit: () => gen.fn(Fn.ldlp, t), depth: 1 }, vt);
      return t;
    }
    const t = gen.frame.alloc(1);
    expr(gen, v);
    gen.fn(Fn.stl, t);
    return t;
  });
  targets.forEach((target, i) => {
    if (target.type!.kind === 'array') {
      const dst = arrayRef(gen, target);
      gen.fn(Fn.ldlp, temps[i]!);
      dst.addr.emit();
      gen.fn(Fn.ldc, byteSize(values[i]!.type!) ?? 0);
      gen.op(Op.move);
    } else storeFrom(gen, target, () => gen.fn(Fn.ldl, temps[i]!));
  });
  gen.frame.release(mark);
}

/** `a, b := f (x)`: the FUNCTION leaves its results in A, B, C. */
export function multiResult(gen: CodeGen, targets: readonly Expr[], call: Expr): void {
  if (call.kind !== 'call') throw new Error('codegen: a multiple assignment from one value that is not a call');
  callRoutine(gen, callees.get(call)!, call.args);
  const temps = targets.map(() => gen.frame.alloc(1));
  for (const t of temps) gen.fn(Fn.stl, t);
  targets.forEach((target, i) => storeFrom(gen, target, () => gen.fn(Fn.ldl, temps[i]!)));
}

function store(gen: CodeGen, target: Expr, value: Expr): void {
  if (storeNumeric(gen, target, value)) return;
  storeFrom(gen, target, () => expr(gen, value));
}

/** Store the value that `load` pushes (using at most one register after it is done) into an element. */
export function storeFrom(gen: CodeGen, target: Expr, load: () => void): void {
  const local = localSlot(gen, target);
  if (local) {
    load();
    gen.fn(Fn.stl, local);
    return;
  }
  const isByte = byteSize(target.type!) === 1;
  if (byteSize(target.type!) === 2) return store16(gen, target, load);
  if (addressDepth(gen, target) < MAX_REGS) {
    load();
    elementAddress(gen, target);
  } else {
    const mark = gen.frame.mark();
    const t = gen.frame.alloc(1);
    load();
    gen.fn(Fn.stl, t);
    elementAddress(gen, target);
    gen.fn(Fn.ldl, t);
    gen.op(Op.rev);
    gen.frame.release(mark);
  }
  if (isByte) gen.op(Op.sb);
  else gen.fn(Fn.stnl, 0);
}

/**
 * The slot operand if the element is a word in the current process's reach that `ldl`/`stl` can address
 * directly: a local scalar, or a constant subscript of a local word array.
 */
export function localSlot(gen: CodeGen, e: Expr): Deferred | null {
  if (e.kind === 'name') {
    const sym = e.decl!;
    if (gen.refs.has(sym) || !('type' in sym) || sym.type.kind !== 'prim') return null;
    if (sym.kind === 'var' || sym.kind === 'abbrev' || (sym.kind === 'param' && !sym.byRef)) return localOperand(gen, sym);
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
