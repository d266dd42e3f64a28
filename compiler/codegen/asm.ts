// ASM and GUY blocks (docs/codegen.md, ASM): the instructions as written, with labels, the pseudo-instructions that
// load and store occam values (LD, LDAB, LDABC, ST, STAB, STABC), label differences and data in the code.

import type { AsmLine, AsmOperand, Expr, Process } from '../ast.js';
import { asmOpKind } from '../asm-instructions.js';
import type { Label } from '../assembler.js';
import { byteSize } from '../types.js';
import { constBytes } from '../ast-queries.js';
import { Fn } from '../../emulator/isa.js';
import { type CodeGen, MAX_REGS, storageOf } from './context.js';
import { fpentry } from './primitives.js';
import { addressDepth, arrayRef, channelAddress, elementAddress, pooledBytes } from './addresses.js';
import { depth, expr } from './expressions.js';
import { storeFrom } from './numeric-stores.js';

/** The labels of each routine's ASM blocks (one name, one label, in every block of the routine, as in occ21). */
const routineLabels = new WeakMap<object, Map<string, Label>>();

export function asmBlock(gen: CodeGen, p: Extract<Process, { kind: 'asm' }>): void {
  const owner: object = gen.routineInfo ?? gen;
  let labels = routineLabels.get(owner);
  if (!labels) {
    labels = new Map<string, Label>();
    routineLabels.set(owner, labels);
  }
  const known = labels;
  const labelOf = (name: string): Label => {
    let l = known.get(name);
    if (!l) {
      l = gen.label(`asm.${name}`);
      known.set(name, l);
    }
    return l;
  };
  for (const l of p.lines) {
    gen.line(l.span);
    if (l.kind === 'label') gen.place(labelOf(l.name));
    else line(gen, l, labelOf);
  }
}

function line(gen: CodeGen, l: Extract<AsmLine, { kind: 'op' }>, labelOf: (name: string) => Label): void {
  const k = asmOpKind(l.op)!;
  const ops = l.operands;
  switch (k.kind) {
    case 'op':
      gen.op(k.code);
      return;
    case 'fpentry':
      fpentry(gen, k.code);
      return;
    case 'fn': {
      const o = ops[0]!;
      if (o.kind === 'label') gen.jump(k.code, labelOf(o.name));
      else if (o.kind === 'special') gen.fn(k.code, special(gen, o));
      else if (o.kind === 'expr' && o.expr.constValue !== undefined)
        gen.fn(k.code, Number(BigInt.asIntN(32, o.expr.constValue)));
      else if (o.kind === 'expr' && o.expr.kind === 'name') variableOperand(gen, k.code, o.expr);
      return;
    }
    case 'load': {
      // LDAB a, b leaves a in A and b in B: the last operand is loaded first. An operand that needs more registers
      // than are left is evaluated first into a temporary, as are all of them then.
      const fits = ops.every((o, i) => operandDepth(gen, o) <= MAX_REGS - (ops.length - 1 - i));
      if (fits) for (let i = ops.length - 1; i >= 0; i--) load(gen, ops[i]!);
      else {
        const mark = gen.frame.mark();
        const t = gen.frame.alloc(ops.length);
        ops.forEach((o, i) => {
          load(gen, o);
          gen.fn(Fn.stl, t + i);
        });
        for (let i = ops.length - 1; i >= 0; i--) gen.fn(Fn.ldl, t + i);
        gen.frame.release(mark);
      }
      return;
    }
    case 'store': {
      // STAB x, y stores A into x and B into y: the values go to temporaries first when there are several, since
      // a store into an element may need registers of its own.
      if (ops.length === 1) {
        if (ops[0]!.kind === 'expr') storeFrom(gen, ops[0]!.expr, () => {});
        return;
      }
      const mark = gen.frame.mark();
      const t = gen.frame.alloc(ops.length);
      ops.forEach((_, i) => gen.fn(Fn.stl, t + i));
      ops.forEach((o, i) => {
        if (o.kind === 'expr') storeFrom(gen, o.expr, () => gen.fn(Fn.ldl, t + i));
      });
      gen.frame.release(mark);
      return;
    }
    case 'labeldiff': {
      const o = ops[0]!;
      if (o.kind === 'labeldiff') gen.fn(Fn.ldc, { to: labelOf(o.to), from: labelOf(o.from) });
      return;
    }
    case 'byte':
    case 'word': {
      const bytes: number[] = [];
      for (const o of ops) {
        if (o.kind !== 'expr') continue;
        const cb = k.kind === 'byte' && o.expr.constValue === undefined ? constBytes(o.expr) : null;
        if (cb) bytes.push(...cb);
        else if (k.kind === 'byte') bytes.push(Number(BigInt.asUintN(8, o.expr.constValue ?? 0n)));
        else {
          const v = Number(BigInt.asUintN(32, o.expr.constValue ?? 0n));
          bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
        }
      }
      gen.items.push({ kind: 'data', bytes: Uint8Array.from(bytes) });
      return;
    }
  }
}

/** `.WSSIZE` (the frame's words), `.STATIC` (the static link's slot), `.VSPTR` (no vector space: as .WSSIZE). */
function special(gen: CodeGen, o: Extract<AsmOperand, { kind: 'special' }>): () => number {
  const sign = o.negate ? -1 : 1;
  const frame = gen.frame;
  if (o.name === '.STATIC') {
    const sl = gen.routineInfo?.staticLink;
    if (!sl) return () => 0;
    const d = frame.distanceTo(sl.frame);
    return () => sign * (sl.slot() + d());
  }
  return () => sign * frame.size;
}

/**
 * LDL x, STL x, LDLP x: x's value, a store into x, x's address, wherever x lives (as GUY code may assume). Any other
 * function takes x's workspace offset (0 for a name outside this PROC's workspace).
 */
function variableOperand(gen: CodeGen, fn: number, e: Extract<Expr, { kind: 'name' }>): void {
  if (fn === Fn.ldlp) elementAddress(gen, e);
  else if (fn === Fn.stl) storeFrom(gen, e, () => {});
  else if (fn === Fn.ldl) load(gen, { kind: 'expr', span: e.span, expr: e });
  else {
    const r = gen.reach(storageOf(e.decl!));
    gen.fn(fn, 'local' in r ? r.local : 0);
  }
}

/** Registers an operand of LD needs. */
function operandDepth(gen: CodeGen, o: AsmOperand): number {
  if (o.kind === 'address') return addressDepth(gen, o.expr);
  if (o.kind !== 'expr') return 1;
  const t = o.expr.type;
  if (t && (t.kind === 'chan' || t.kind === 'array')) return addressDepth(gen, o.expr);
  return depth(gen, o.expr);
}

/** Push one operand of LD, LDAB or LDABC. */
function load(gen: CodeGen, o: AsmOperand): void {
  if (o.kind === 'address') return address(gen, o.expr);
  if (o.kind !== 'expr') return;
  const t = o.expr.type;
  if (t && t.kind === 'chan') channelAddress(gen, o.expr);
  else if (t && t.kind === 'array') address(gen, o.expr);
  else expr(gen, o.expr);
}

/** ADDRESSOF e: an element's address, an array value's, or that of a constant placed in the code's pool. */
function address(gen: CodeGen, e: Expr): void {
  const t = e.type;
  if (e.constValue !== undefined && t && t.kind !== 'array') {
    const n = Math.max(4, byteSize(t) ?? 4);
    const bytes = new Uint8Array(BigInt64Array.of(BigInt.asIntN(64, e.constValue)).buffer).slice(0, n);
    gen.address(pooledBytes(gen, bytes, 'asm.const'));
    return;
  }
  if (t && t.kind === 'array' && e.kind !== 'name' && e.kind !== 'subscript') {
    arrayRef(gen, e).addr.emit();
    return;
  }
  elementAddress(gen, e);
}
