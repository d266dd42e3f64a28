// Integer, BYTE and BOOL expressions on the three-register stack: register depth, operators, conversions and
// their range checks. Other types hand over to the numeric files.

import type { Expr } from '../ast.js';
import { exprText } from '../ast-queries.js';
import type { AbbrevSymbol } from '../symbols.js';
import { byteSize, isPrim } from '../types.js';
import { Fn, Op } from '../../emulator/isa.js';
import { is16, needsPrep } from './queries.js';
import { type CodeGen, MAX_REGS, storageOf } from './context.js';
import { byteMask, localSlot } from './primitives.js';
import { statement } from './hoisting.js';
import { addressDepth, arrayRef, dimWord, elementAddress } from './addresses.js';
import { check16, numericConversion, numericDepth, numericExpr, rem16, shr16, wrap16 } from './numeric-types.js';

/** Registers needed to evaluate `e` (Sethi-Ullman), at most 3: deeper expressions spill to temporaries. */
export function depth(gen: CodeGen, e: Expr): number {
  const nd = numericDepth(gen, e);
  if (nd !== undefined) return nd;
  if (e.constValue !== undefined) return 1;
  switch (e.kind) {
    case 'name':
      return 1;
    case 'call':
      return gen.hoisted.has(e) ? 1 : MAX_REGS;
    case 'size':
      return needsPrep(e.operand) ? MAX_REGS : dimWord(gen, e.operand, 0).depth;
    case 'bytesin':
      return MAX_REGS;
    case 'subscript':
      return Math.max(addressDepth(gen, e), 1);
    case 'monadic':
      return Math.max(
        depth(gen, e.operand),
        e.op === '-' || e.op === 'NOT' || e.op === 'BITNOT' || e.op === '~' ? (isByteType(e) ? 2 : 1) : 2,
      );
    case 'conversion':
      return Math.max(depth(gen, e.operand), needsRangeCheck(e) ? 2 : 1);
    case 'dyadic': {
      if (e.op === 'AND' || e.op === 'OR') {
        // A FUNCTION call on the right is made only when needed, which needs an empty stack.
        if (hasCall(e.right)) return MAX_REGS;
        return Math.max(depth(gen, e.left), depth(gen, e.right));
      }
      const l = depth(gen, e.left);
      const r = depth(gen, e.right);
      let d = l === r ? Math.min(MAX_REGS, l + 1) : Math.max(l, r);
      if (e.op === 'AFTER' || isByteType(e.left) || is16(e.left.type)) d = Math.max(d, 2);
      // A variable shift count is checked with a third register (value, count, limit).
      if ((e.op === '<<' || e.op === '>>') && e.right.constValue === undefined && gen.rangeChecks) d = MAX_REGS;
      return d;
    }
    default:
      return 1;
  }
}

/** Evaluate `e` into A. Uses at most depth(e) registers. */
export function expr(gen: CodeGen, e: Expr): void {
  if (numericExpr(gen, e)) return;
  if (e.constValue !== undefined) {
    gen.fn(Fn.ldc, Number(BigInt.asIntN(32, e.constValue)));
    return;
  }
  switch (e.kind) {
    case 'name': {
      const sym = e.decl!;
      if (gen.refs.has(sym)) {
        // A reference may point into a BYTE array, so BYTE and BOOL are read as bytes.
        gen.loadSlot(storageOf(sym));
        if (byteSize((sym as AbbrevSymbol).type) === 1) gen.op(Op.lb);
        else gen.fn(Fn.ldnl, 0);
      } else gen.loadSlot(storageOf(sym));
      return;
    }
    case 'call': {
      const st = gen.hoisted.get(e);
      if (st) gen.loadSlot(st);
      // A call not evaluated in advance reports depth 3, so it is evaluated with nothing on the stack.
      else gen.parts.callRoutine(gen, e.decl!, e.args);
      return;
    }
    case 'size':
      if (needsPrep(e.operand)) arrayRef(gen, e.operand).dims[0]!.emit();
      else dimWord(gen, e.operand, 0).emit();
      return;
    case 'bytesin':
      bytesIn(gen, e.sized!);
      return;
    case 'subscript': {
      const local = localSlot(gen, e);
      if (local) {
        gen.fn(Fn.ldl, local);
        return;
      }
      elementAddress(gen, e);
      if (byteSize(e.type!) === 1) gen.op(Op.lb);
      else gen.fn(Fn.ldnl, 0);
      return;
    }
    case 'monadic':
      monadic(gen, e);
      return;
    case 'conversion':
      conversion(gen, e);
      return;
    case 'dyadic':
      dyadic(gen, e);
      return;
    default:
      throw new Error(`codegen: cannot evaluate a ${e.kind} expression yet`);
  }
}

function monadic(gen: CodeGen, e: Extract<Expr, { kind: 'monadic' }>): void {
  expr(gen, e.operand);
  const byte = isByteType(e);
  switch (e.op) {
    case 'NOT':
      gen.fn(Fn.eqc, 0);
      return;
    case '-':
      // -x = ~x + 1; adc overflows exactly when x is the most negative value.
      gen.op(Op.not);
      gen.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
      gen.fn(Fn.adc, 1);
      if (byte) byteCheck(gen, e);
      else if (is16(e.type)) check16(gen, e);
      return;
    case 'MINUS':
      gen.fn(Fn.ldc, 0);
      gen.op(Op.rev);
      gen.op(Op.diff);
      if (byte) byteMask(gen);
      else if (is16(e.type)) wrap16(gen);
      return;
    case '~':
    case 'BITNOT':
      if (byte) {
        gen.fn(Fn.ldc, 0xff);
        gen.op(Op.xor);
      } else gen.op(Op.not);
      return;
  }
}

function conversion(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>): void {
  if (numericConversion(gen, e)) return;
  expr(gen, e.operand);
  if (!needsRangeCheck(e) || !gen.rangeChecks) return;
  const target = e.type!;
  const limit = isPrim(target, 'BOOL') ? 2 : 256;
  gen.fn(Fn.ldc, limit);
  gen.check(
    e.span,
    `\`${exprText(e.operand)}\` is out of range for ${isPrim(target, 'BOOL') ? 'BOOL' : 'BYTE'} in \`${exprText(e)}\``,
  );
  gen.op(Op.csub0);
}

function dyadic(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>): void {
  const op = e.op;
  if (op === 'AND' || op === 'OR') return logical(gen, e);
  const byte = isByteType(e.left);
  // Forms with a constant right operand that need no second register.
  const k = e.right.constValue;
  if (k !== undefined && (op === '=' || op === '<>')) {
    expr(gen, e.left);
    gen.fn(Fn.eqc, Number(BigInt.asIntN(32, k)));
    if (op === '<>') gen.fn(Fn.eqc, 0);
    return;
  }
  const i16 = is16(e.left.type);
  if (i16 && op === '>>') return shr16(gen, e);
  if (k !== undefined && op === '+' && !byte && !i16) {
    expr(gen, e.left);
    gen.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
    gen.fn(Fn.adc, Number(k));
    return;
  }
  // `a < b` is `b > a`; `a <= b` is NOT (a > b); `a >= b` is NOT (b > a).
  const swap = op === '<' || op === '>=';
  operands(gen, swap ? e.right : e.left, swap ? e.left : e.right);
  const overflow = `arithmetic overflow in \`${exprText(e)}\``;
  switch (op) {
    case '+':
      gen.check(e.span, overflow);
      gen.op(Op.add);
      if (byte) byteCheck(gen, e);
      else if (i16) check16(gen, e);
      return;
    case '-':
      gen.check(e.span, overflow);
      gen.op(Op.sub);
      if (byte) byteCheck(gen, e);
      else if (i16) check16(gen, e);
      return;
    case '*':
      gen.check(e.span, overflow);
      gen.op(Op.mul);
      if (byte) byteCheck(gen, e);
      else if (i16) check16(gen, e);
      return;
    case '/':
      gen.check(e.span, `division by zero or overflow in \`${exprText(e)}\``);
      gen.op(Op.div);
      if (i16) check16(gen, e);
      return;
    case '\\':
    case 'REM':
      if (i16) return rem16(gen, e);
      gen.check(e.span, `division by zero in \`${exprText(e)}\``);
      gen.op(Op.rem);
      return;
    case 'PLUS':
      gen.op(Op.sum);
      if (byte) byteMask(gen);
      else if (i16) wrap16(gen);
      return;
    case 'MINUS':
      gen.op(Op.diff);
      if (byte) byteMask(gen);
      else if (i16) wrap16(gen);
      return;
    case 'TIMES':
      gen.op(Op.prod);
      if (byte) byteMask(gen);
      else if (i16) wrap16(gen);
      return;
    case '/\\':
    case 'BITAND':
      gen.op(Op.and);
      return;
    case '\\/':
    case 'BITOR':
      gen.op(Op.or);
      return;
    case '><':
      gen.op(Op.xor);
      return;
    case '<<':
    case '>>': {
      const bits = byte ? 8 : i16 ? 16 : 32;
      if (k === undefined && gen.rangeChecks) {
        // The count is in A: it must lie in 0..bits.
        gen.fn(Fn.ldc, bits + 1);
        gen.check(e.right.span, `shift count out of range 0..${bits} in \`${exprText(e)}\``);
        gen.op(Op.csub0);
      }
      gen.op(op === '<<' ? Op.shl : Op.shr);
      if (byte && op === '<<') byteMask(gen);
      else if (i16) wrap16(gen);
      return;
    }
    case '=':
      gen.op(Op.diff);
      gen.fn(Fn.eqc, 0);
      return;
    case '<>':
      gen.op(Op.diff);
      gen.fn(Fn.eqc, 0);
      gen.fn(Fn.eqc, 0);
      return;
    case '>':
    case '<':
      gen.op(Op.gt);
      return;
    case '<=':
    case '>=':
      gen.op(Op.gt);
      gen.fn(Fn.eqc, 0);
      return;
    case 'AFTER':
      // a AFTER b is (a MINUS b) > 0.
      gen.op(Op.diff);
      if (i16) wrap16(gen);
      gen.fn(Fn.ldc, 0);
      gen.op(Op.gt);
      return;
  }
}

/** Leave `left` in B and `right` in A, in the order that needs fewest registers, spilling if both need 3. */
function operands(gen: CodeGen, left: Expr, right: Expr): void {
  const l = depth(gen, left);
  const r = depth(gen, right);
  if (l >= MAX_REGS && r >= MAX_REGS) {
    const mark = gen.frame.mark();
    const t = gen.frame.alloc(1);
    expr(gen, right);
    gen.fn(Fn.stl, t);
    expr(gen, left);
    gen.fn(Fn.ldl, t);
    gen.frame.release(mark);
  } else if (r > l) {
    expr(gen, right);
    expr(gen, left);
    gen.op(Op.rev);
  } else {
    expr(gen, left);
    expr(gen, right);
  }
}

/** AND and OR evaluate the right operand only when needed (a taken cj leaves 0 in A). */
function logical(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>): void {
  const done = gen.label(e.op === 'AND' ? 'and' : 'or');
  // The stack is empty after the cj falls through, so FUNCTION calls on the right can be made there.
  const right = (): void => statement(gen, [e.right], () => expr(gen, e.right));
  if (e.op === 'AND') {
    expr(gen, e.left);
    gen.jump(Fn.cj, done);
    right();
    gen.place(done);
  } else {
    expr(gen, e.left);
    gen.fn(Fn.eqc, 0);
    gen.jump(Fn.cj, done);
    right();
    gen.fn(Fn.eqc, 0);
    gen.place(done);
    gen.fn(Fn.eqc, 0);
  }
}

function byteCheck(gen: CodeGen, e: Expr): void {
  gen.fn(Fn.ldc, 256);
  gen.check(e.span, `BYTE overflow in \`${exprText(e)}\` (a BYTE holds 0..255)`);
  gen.op(Op.csub0);
}

/** Whether an expression contains a FUNCTION call. */
function hasCall(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return true;
    case 'dyadic':
      return hasCall(e.left) || hasCall(e.right);
    case 'monadic':
    case 'conversion':
    case 'size':
      return hasCall(e.operand);
    case 'subscript':
      return hasCall(e.base) || hasCall(e.index);
    case 'slice':
      return hasCall(e.base) || (e.start !== null && hasCall(e.start)) || (e.count !== null && hasCall(e.count));
    case 'table':
      return e.elems.some(hasCall);
    case 'direction':
      return hasCall(e.channel);
    default:
      return false;
  }
}

function isByteType(e: Expr): boolean {
  return e.type !== undefined && isPrim(e.type, 'BYTE');
}

function needsRangeCheck(e: Extract<Expr, { kind: 'conversion' }>): boolean {
  const to = e.type!;
  const from = e.operand.type!;
  if (isPrim(to, 'BYTE')) return !isPrim(from, 'BYTE', 'BOOL');
  if (isPrim(to, 'BOOL')) return !isPrim(from, 'BOOL');
  return false;
}

/** BYTESIN of an array with open dimensions: the product of its dimensions and its elements' size. */
function bytesIn(gen: CodeGen, a: Expr): void {
  let t = a.type!;
  let k = 1;
  let level = 0;
  let pushed = false;
  for (; t.kind === 'array' && t.record === undefined; t = t.elem, level++) {
    if (t.size !== null) {
      k *= t.size;
      continue;
    }
    dimWord(gen, a, level).emit();
    if (pushed) gen.op(Op.prod);
    pushed = true;
  }
  k *= byteSize(t)!;
  if (k !== 1) {
    gen.fn(Fn.ldc, k);
    gen.op(Op.prod);
  }
}
