// REAL32 and REAL64 expressions on the T800 FPU stack (FA/FB/FC): depth, operators, conversions.

import type { Expr } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { isPrim } from '../types.js';
import { Fn, FpOp, Op } from '../../emulator/isa.js';
import { isReal } from './queries.js';
import { type CodeGen, MAX_REGS, storageOf } from './context.js';
import { fpentry, placeAddress, realConst } from './primitives.js';
import { elementAddress } from './addresses.js';
import { evalWide, int64ToReal } from './two-word.js';

/** Whether evaluating `e` uses the FPU (a real value is computed or compared somewhere inside). */
export function usesFP(gen: CodeGen, e: Expr): boolean {
  switch (e.kind) {
    case 'conversion':
      return isReal(e.type!) || isReal(e.operand.type!) || usesFP(gen, e.operand);
    case 'dyadic':
      return isReal(e.left.type!) || usesFP(gen, e.left) || usesFP(gen, e.right);
    case 'monadic':
      return isReal(e.type!) || usesFP(gen, e.operand);
    case 'subscript':
      return usesFP(gen, e.base) || usesFP(gen, e.index);
    default:
      return false;
  }
}

/** FPU registers needed to evaluate the real expression `e` (at most 3: deeper ones spill). */
function fdepth(gen: CodeGen, e: Expr): number {
  if (e.realValue !== undefined) return 1;
  switch (e.kind) {
    case 'name':
      return 1;
    case 'subscript':
      return usesFP(gen, e) ? MAX_REGS : 1;
    case 'monadic':
      return fdepth(gen, e.operand);
    case 'dyadic': {
      const l = fdepth(gen, e.left);
      const r = fdepth(gen, e.right);
      return l === r ? Math.min(MAX_REGS, l + 1) : Math.max(l, r);
    }
    case 'conversion': {
      const from = e.operand.type!;
      if (isReal(from)) return fdepth(gen, e.operand);
      // INT64 operands may call the runtime routines, whose loops can deschedule: the FPU stack must be empty
      // then (its registers are not kept across a descheduling point).
      if (usesFP(gen, e.operand) || isPrim(from, 'INT64')) return MAX_REGS;
      return 1;
    }
    default:
      return MAX_REGS;
  }
}

/** Push the value of a REAL32/REAL64 expression onto the FPU stack. */
export function fexpr(gen: CodeGen, e: Expr): void {
  const t = e.type!;
  const single = isPrim(t, 'REAL32');
  if (e.realValue !== undefined) {
    if (Object.is(e.realValue, 0)) {
      gen.op(single ? Op.fpldzerosn : Op.fpldzerodb);
      return;
    }
    gen.address(realConst(gen, e.realValue, t));
    gen.op(single ? Op.fpldnlsn : Op.fpldnldb);
    return;
  }
  switch (e.kind) {
    case 'name': {
      const sym = e.decl!;
      if (gen.refs.has(sym)) gen.loadSlot(storageOf(sym));
      else gen.slotAddress(storageOf(sym));
      gen.op(single ? Op.fpldnlsn : Op.fpldnldb);
      return;
    }
    case 'subscript':
      elementAddress(gen, e);
      gen.op(single ? Op.fpldnlsn : Op.fpldnldb);
      return;
    case 'call': {
      // A FUNCTION result: in a temporary already, or called now (its bits come back in A, or A and B).
      const mark = gen.frame.mark();
      if (single) {
        const st = gen.hoisted.get(e);
        if (st) gen.slotAddress(st);
        else {
          const t = gen.frame.alloc(1);
          gen.parts.callRoutine(gen, e.decl!, e.args);
          gen.fn(Fn.stl, t);
          gen.fn(Fn.ldlp, t);
        }
        gen.op(Op.fpldnlsn);
      } else {
        placeAddress(gen, evalWide(gen, e));
        gen.op(Op.fpldnldb);
      }
      gen.frame.release(mark);
      return;
    }
    case 'monadic':
      // -x is x * -1.0: exact, and it flips the sign of zero as IEEE negation does.
      fexpr(gen, e.operand);
      gen.address(realConst(gen, -1, t));
      gen.op(single ? Op.fpldnlmulsn : Op.fpldnlmuldb);
      return;
    case 'dyadic': {
      fOperands(gen, e.left, e.right);
      const op = e.op;
      let what = `real overflow in \`${exprText(e)}\``;
      switch (op) {
        case '+':
          gen.op(Op.fpadd);
          break;
        case '-':
          gen.op(Op.fpsub);
          break;
        case '*':
          gen.op(Op.fpmul);
          break;
        case '/':
          gen.op(Op.fpdiv);
          what = `real division by zero or overflow in \`${exprText(e)}\``;
          break;
        default:
          gen.op(Op.fpremfirst);
          what = `real remainder of a division by zero in \`${exprText(e)}\``;
          break;
      }
      gen.check(e.span, what);
      gen.op(Op.fpchkerr);
      return;
    }
    case 'conversion':
      fconversion(gen, e);
      return;
    default:
      throw new Error(`codegen: cannot evaluate a ${e.kind} real expression`);
  }
}

/** Leave `left` in FB and `right` in FA. */
export function fOperands(gen: CodeGen, left: Expr, right: Expr): void {
  const l = fdepth(gen, left);
  const r = fdepth(gen, right);
  if (l >= MAX_REGS && r >= MAX_REGS) {
    const single = isPrim(right.type!, 'REAL32');
    const mark = gen.frame.mark();
    const t = gen.frame.alloc(single ? 1 : 2);
    fexpr(gen, right);
    gen.fn(Fn.ldlp, t);
    gen.op(single ? Op.fpstnlsn : Op.fpstnldb);
    fexpr(gen, left);
    gen.fn(Fn.ldlp, t);
    gen.op(single ? Op.fpldnlsn : Op.fpldnldb);
    gen.frame.release(mark);
  } else if (r > l) {
    fexpr(gen, right);
    fexpr(gen, left);
    gen.op(Op.fprev);
  } else {
    fexpr(gen, left);
    fexpr(gen, right);
  }
}

/** A conversion to REAL32 or REAL64, onto the FPU stack. */
function fconversion(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>): void {
  const to = e.type!;
  const from = e.operand.type!;
  const trunc = e.mode === 'TRUNC';
  if (isReal(from)) {
    fexpr(gen, e.operand);
    if (isPrim(from, 'REAL32') && isPrim(to, 'REAL64')) fpentry(gen, FpOp.fpur32tor64);
    else if (isPrim(from, 'REAL64') && isPrim(to, 'REAL32')) {
      if (trunc) fpentry(gen, FpOp.fpurz);
      fpentry(gen, FpOp.fpur64tor32);
      gen.check(e.span, `\`${exprText(e.operand)}\` is out of range for REAL32 in \`${exprText(e)}\``);
      gen.op(Op.fpchkerr);
    }
    return;
  }
  if (isPrim(from, 'INT64')) return int64ToReal(gen, e);
  const mark = gen.frame.mark();
  const tmp = gen.frame.alloc(1);
  gen.parts.expr(gen, e.operand);
  gen.fn(Fn.stl, tmp);
  if (trunc && isPrim(to, 'REAL32')) fpentry(gen, FpOp.fpurz);
  gen.fn(Fn.ldlp, tmp);
  gen.op(isPrim(to, 'REAL32') ? Op.fpi32tor32 : Op.fpi32tor64);
  gen.frame.release(mark);
}
