// INT64 and REAL64 values, which do not fit in a register: where a two-word value lives (constant, pool,
// slot, pointer), evaluating one into temporaries, INT64 arithmetic (with the runtime library for multiply and
// divide) and comparisons, and conversions between INT64 and the reals.

import type { Expr } from '../ast.js';
import { exprText } from '../ast-queries.js';
import { isPrim } from '../types.js';
import { CALL_WORDS, type Deferred } from '../workspace.js';
import { Fn, FpOp, Op } from '../../emulator/isa.js';
import { isReal } from './queries.js';
import { type CodeGen, type LibraryProc, storageOf } from './context.js';
import { copyPlace, fpentry, type Place, placeAddress, realConst, temp, word } from './primitives.js';
import { elementAddress } from './addresses.js';

/** A two-word value (INT64 or REAL64) in memory, evaluating it into temporaries if it is computed. */
export function evalWide(gen: CodeGen, e: Expr): Place {
  const t = e.type!;
  if (e.constValue !== undefined) {
    const v = BigInt.asUintN(64, e.constValue);
    return { kind: 'const', lo: Number(BigInt.asIntN(32, v)), hi: Number(BigInt.asIntN(32, v >> 32n)) };
  }
  if (e.realValue !== undefined) return { kind: 'pool', label: realConst(gen, e.realValue, t) };
  if (e.kind === 'call') {
    const st = gen.hoisted.get(e);
    if (st) return { kind: 'slot', st };
    const r = gen.frame.alloc(2);
    gen.parts.callRoutine(gen, e.decl!, e.args);
    gen.fn(Fn.stl, r);
    gen.fn(Fn.stl, r + 1);
    return { kind: 'slot', st: temp(gen, r) };
  }
  if (e.kind === 'name') {
    const sym = e.decl!;
    if (gen.refs.has(sym)) return { kind: 'ptr', st: storageOf(sym) };
    return { kind: 'slot', st: storageOf(sym) };
  }
  if (e.kind === 'subscript') {
    const a = gen.frame.alloc(1);
    elementAddress(gen, e);
    gen.fn(Fn.stl, a);
    return { kind: 'ptr', st: temp(gen, a) };
  }
  const r = gen.frame.alloc(2);
  evalWideInto(gen, e, () => r);
  return { kind: 'slot', st: temp(gen, r) };
}

/** Evaluate an INT64 or REAL64 expression into the two workspace words at slot r. */
export function evalWideInto(gen: CodeGen, e: Expr, r: Deferred): void {
  const r1: Deferred = () => r() + 1;
  if (isPrim(e.type!, 'REAL64')) {
    gen.parts.fexpr(gen, e);
    gen.fn(Fn.ldlp, r);
    gen.op(Op.fpstnldb);
    return;
  }
  if (e.constValue !== undefined || e.kind === 'name' || e.kind === 'subscript' || e.kind === 'call') {
    const mark = gen.frame.mark();
    copyPlace(gen, evalWide(gen, e), r);
    gen.frame.release(mark);
    return;
  }
  const mark = gen.frame.mark();
  const overflow = `arithmetic overflow in \`${exprText(e)}\``;
  switch (e.kind) {
    case 'conversion': {
      const from = e.operand.type!;
      if (isPrim(from, 'INT64')) copyPlace(gen, evalWide(gen, e.operand), r);
      else if (isReal(from)) realToInt64(gen, e, r);
      else {
        gen.parts.expr(gen, e.operand);
        gen.op(Op.xdble);
        gen.fn(Fn.stl, r);
        gen.fn(Fn.stl, r1);
      }
      break;
    }
    case 'monadic': {
      const x = evalWide(gen, e.operand);
      if (e.op === '-' || e.op === 'MINUS') {
        gen.fn(Fn.ldc, 0);
        gen.fn(Fn.ldc, 0);
        word(gen, x, 0);
        gen.op(Op.ldiff);
        gen.fn(Fn.stl, r);
        gen.fn(Fn.ldc, 0);
        word(gen, x, 1);
        if (e.op === '-') {
          gen.check(e.span, overflow);
          gen.op(Op.lsub);
        } else gen.op(Op.ldiff);
        gen.fn(Fn.stl, r1);
      } else {
        word(gen, x, 0);
        gen.op(Op.not);
        gen.fn(Fn.stl, r);
        word(gen, x, 1);
        gen.op(Op.not);
        gen.fn(Fn.stl, r1);
      }
      break;
    }
    case 'dyadic':
      dyadic64(gen, e, r, overflow);
      break;
    default:
      throw new Error(`codegen: cannot evaluate a ${e.kind} INT64 expression`);
  }
  gen.frame.release(mark);
}

function dyadic64(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>, r: Deferred, overflow: string): void {
  const r1: Deferred = () => r() + 1;
  const op = e.op;
  if (op === '<<' || op === '>>') {
    const a = evalWide(gen, e.left);
    const k = e.right.constValue;
    let count: () => void;
    if (k !== undefined) count = () => gen.fn(Fn.ldc, Number(k));
    else {
      const tn = gen.frame.alloc(1);
      gen.parts.expr(gen, e.right);
      if (gen.rangeChecks) {
        gen.fn(Fn.ldc, 65);
        gen.check(e.right.span, `shift count out of range 0..64 in \`${exprText(e)}\``);
        gen.op(Op.csub0);
      }
      gen.fn(Fn.stl, tn);
      count = () => gen.fn(Fn.ldl, tn);
    }
    word(gen, a, 1);
    word(gen, a, 0);
    count();
    gen.op(op === '<<' ? Op.lshl : Op.lshr);
    gen.fn(Fn.stl, r);
    gen.fn(Fn.stl, r1);
    return;
  }
  if (op === '*' || op === '/' || op === '\\' || op === 'REM') return muldiv64(gen, e, r);
  const a = evalWide(gen, e.left);
  const b = evalWide(gen, e.right);
  switch (op) {
    case '+':
    case 'PLUS':
    case '-':
    case 'MINUS': {
      const add = op === '+' || op === 'PLUS';
      const checked = op === '+' || op === '-';
      const high = checked ? (add ? Op.ladd : Op.lsub) : add ? Op.lsum : Op.ldiff;
      longSum(gen, a, b, add ? Op.lsum : Op.ldiff, high, r, checked ? () => gen.check(e.span, overflow) : null);
      return;
    }
    case 'TIMES':
      gen.fn(Fn.ldc, 0);
      word(gen, a, 0);
      word(gen, b, 0);
      gen.op(Op.lmul);
      gen.fn(Fn.stl, r);
      word(gen, a, 0);
      word(gen, b, 1);
      gen.op(Op.prod);
      gen.op(Op.sum);
      word(gen, a, 1);
      word(gen, b, 0);
      gen.op(Op.prod);
      gen.op(Op.sum);
      gen.fn(Fn.stl, r1);
      return;
    case '/\\':
    case 'BITAND':
    case '\\/':
    case 'BITOR':
    case '><': {
      const code = op === '><' ? Op.xor : op === '/\\' || op === 'BITAND' ? Op.and : Op.or;
      for (let i = 0; i < 2; i++) {
        word(gen, a, i);
        word(gen, b, i);
        gen.op(code);
        gen.fn(Fn.stl, i === 0 ? r : r1);
      }
      return;
    }
    default:
      throw new Error(`codegen: INT64 operator ${op}`);
  }
}

/** Checked INT64 `*`, `/` and `\\`: a call to a shared routine; errors are reported at the expression. */
/**
 * r, r + 1 := a combined with b a word at a time, low word first: `low` (lsum or ldiff) leaves the carry or borrow
 * on the stack, where it becomes the C operand of `high` (its checked or unchecked form); `check` marks the high
 * word's instruction when it can overflow.
 */
function longSum(
  gen: CodeGen,
  a: Place,
  b: Place,
  low: number,
  high: number,
  r: Deferred,
  check: (() => void) | null,
): void {
  gen.fn(Fn.ldc, 0);
  word(gen, a, 0);
  word(gen, b, 0);
  gen.op(low);
  gen.fn(Fn.stl, r);
  word(gen, a, 1);
  word(gen, b, 1);
  check?.();
  gen.op(high);
  gen.fn(Fn.stl, () => r() + 1);
}

function muldiv64(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>, r: Deferred): void {
  const a = evalWide(gen, e.left);
  const b = evalWide(gen, e.right);
  const flag = gen.frame.alloc(1);
  const q = gen.frame.alloc(2);
  const rem = gen.frame.alloc(2);
  if (e.op !== '*') {
    // Division by zero, and MOSTNEG INT64 / -1, are reported here rather than inside the routine.
    word(gen, b, 0);
    word(gen, b, 1);
    gen.op(Op.or);
    gen.fn(Fn.eqc, 0);
    gen.fn(Fn.ldc, 1);
    gen.check(e.span, `division by zero in \`${exprText(e)}\``);
    gen.op(Op.csub0);
    if (e.op === '/') {
      // (a = MOSTNEG) AND (b = -1): a.lo = 0, a.hi = MOSTNEG, b.lo = b.hi = -1. For \\ the remainder is 0.
      word(gen, a, 0);
      word(gen, a, 1);
      gen.op(Op.mint);
      gen.op(Op.xor);
      gen.op(Op.or);
      word(gen, b, 0);
      word(gen, b, 1);
      gen.op(Op.and);
      gen.op(Op.not);
      gen.op(Op.or);
      gen.fn(Fn.eqc, 0);
      gen.fn(Fn.ldc, 1);
      gen.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
      gen.op(Op.csub0);
    }
  }
  // occmesh.mul64 (VAL INT64 a, b, INT64 r, INT overflow) and occmesh.div64 (VAL INT64 a, b, INT64 q, r):
  // parameter 3 goes in W[0], the others in C, B, A.
  const routine = runtime(gen, e.op === '*' ? 'occmesh.mul64' : 'occmesh.div64');
  gen.frame.requireChild(() => CALL_WORDS + routine.total());
  gen.fn(Fn.ldlp, e.op === '*' ? flag : rem);
  gen.fn(Fn.stl, 0);
  gen.fn(Fn.ldlp, q);
  placeAddress(gen, b);
  placeAddress(gen, a);
  gen.jump(Fn.call, routine.label);
  if (e.op === '*') {
    gen.fn(Fn.ldl, flag);
    gen.fn(Fn.ldc, 1);
    gen.check(e.span, `arithmetic overflow in \`${exprText(e)}\``);
    gen.op(Op.csub0);
  }
  copyPlace(gen, { kind: 'slot', st: temp(gen, e.op === '*' || e.op === '/' ? q : rem) }, r);
}

function runtime(gen: CodeGen, name: string): LibraryProc {
  if (!gen.library64) {
    if (!gen.runtimeSource) throw new Error('codegen: no runtime library for INT64 multiply and divide');
    gen.library64 = gen.parts.library(gen.runtimeSource());
  }
  const p = gen.library64.procs.get(name);
  if (!p) throw new Error(`codegen: the runtime library has no ${name}`);
  return p;
}

/** REAL32/REAL64 to INT64: round to an integral double, check the range, split into two 32-bit halves. */
function realToInt64(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>, r: Deferred): void {
  const r1: Deferred = () => r() + 1;
  gen.parts.fexpr(gen, e.operand);
  if (isPrim(e.operand.type!, 'REAL32')) fpentry(gen, FpOp.fpur32tor64);
  if (e.mode === 'TRUNC') fpentry(gen, FpOp.fpurz);
  gen.op(Op.fpint);
  if (gen.rangeChecks) {
    fpentry(gen, FpOp.fpuchki64);
    gen.check(e.span, `\`${exprText(e.operand)}\` is out of range for INT64 in \`${exprText(e)}\``);
    gen.op(Op.fpchkerr);
  }
  gen.op(Op.fpdup);
  fpentry(gen, FpOp.fpuexpdec32);
  fpentry(gen, FpOp.fpurm);
  gen.op(Op.fpint);
  gen.op(Op.fpdup);
  gen.op(Op.fprtoi32);
  gen.fn(Fn.ldlp, r1);
  gen.op(Op.fpstnli32);
  fpentry(gen, FpOp.fpuexpinc32);
  gen.op(Op.fpsub);
  // The low half is in 0 .. 2^32 - 1: shift it into the INT32 range and flip the sign bit back afterwards.
  gen.address(realConst(gen, 2147483648, { kind: 'prim', name: 'REAL64' }));
  gen.op(Op.fpldnldb);
  gen.op(Op.fpsub);
  gen.op(Op.fprtoi32);
  gen.fn(Fn.ldlp, r);
  gen.op(Op.fpstnli32);
  gen.fn(Fn.ldl, r);
  gen.op(Op.mint);
  gen.op(Op.xor);
  gen.fn(Fn.stl, r);
}

/** INT64 to REAL32/REAL64 on the FPU: hi * 2^32 + lo (lo unsigned), rounded once to REAL64. */
export function int64ToReal(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>): void {
  if (isPrim(e.type!, 'REAL32')) return int64ToReal32(gen, e);
  const mark = gen.frame.mark();
  const p = evalWide(gen, e.operand);
  placeAddress(gen, p, 1);
  gen.op(Op.fpi32tor64);
  fpentry(gen, FpOp.fpuexpinc32);
  placeAddress(gen, p, 0);
  gen.op(Op.fpb32tor64);
  if (e.mode === 'TRUNC') fpentry(gen, FpOp.fpurz);
  gen.op(Op.fpadd);
  gen.frame.release(mark);
}

/**
 * INT64 to REAL32, rounded once. Going through REAL64 would round twice when |v| needs more than 53 bits, so
 * such magnitudes are first shifted right 11 places with a sticky bit (any bit shifted out sets the lowest one),
 * which keeps every bit REAL32 rounding looks at; a REAL64 scale of ±1.0 or ±2048.0 puts back the shift and
 * the sign exactly.
 */
function int64ToReal32(gen: CodeGen, e: Extract<Expr, { kind: 'conversion' }>): void {
  const mark = gen.frame.mark();
  const p = evalWide(gen, e.operand);
  const mask = gen.frame.alloc(1);
  const sticky = gen.frame.alloc(1);
  const m = gen.frame.alloc(2);
  const sc = gen.frame.alloc(2);
  const small = gen.label('int64.small');
  // mask = 0 or -1 by the sign; m = |v| as an unsigned 64-bit value.
  word(gen, p, 1);
  gen.fn(Fn.ldc, 31);
  gen.op(Op.shr);
  gen.fn(Fn.ldc, 0);
  gen.op(Op.rev);
  gen.op(Op.diff);
  gen.fn(Fn.stl, mask);
  gen.fn(Fn.ldc, 0);
  word(gen, p, 0);
  gen.fn(Fn.ldl, mask);
  gen.op(Op.xor);
  gen.fn(Fn.ldl, mask);
  gen.op(Op.ldiff);
  gen.fn(Fn.stl, m);
  word(gen, p, 1);
  gen.fn(Fn.ldl, mask);
  gen.op(Op.xor);
  gen.fn(Fn.ldl, mask);
  gen.op(Op.ldiff);
  gen.fn(Fn.stl, m + 1);
  // The scale: 1.0 with the value's sign.
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, sc);
  gen.fn(Fn.ldl, mask);
  gen.op(Op.mint);
  gen.op(Op.and);
  gen.fn(Fn.ldc, 0x3ff00000);
  gen.op(Op.or);
  gen.fn(Fn.stl, sc + 1);
  // Fewer than 54 bits (m.hi < 2^21): exact in REAL64 as it is.
  gen.fn(Fn.ldl, m + 1);
  gen.fn(Fn.ldc, 21);
  gen.op(Op.shr);
  gen.jump(Fn.cj, small);
  gen.fn(Fn.ldl, m);
  gen.fn(Fn.ldc, 0x7ff);
  gen.op(Op.and);
  gen.fn(Fn.eqc, 0);
  gen.fn(Fn.eqc, 0);
  gen.fn(Fn.stl, sticky);
  gen.fn(Fn.ldl, m + 1);
  gen.fn(Fn.ldl, m);
  gen.fn(Fn.ldc, 11);
  gen.op(Op.lshr);
  gen.fn(Fn.stl, m);
  gen.fn(Fn.stl, m + 1);
  gen.fn(Fn.ldl, m);
  gen.fn(Fn.ldl, sticky);
  gen.op(Op.or);
  gen.fn(Fn.stl, m);
  // Scale by 2^11: add 11 to the exponent field.
  gen.fn(Fn.ldl, sc + 1);
  gen.fn(Fn.ldc, 11 << 20);
  gen.op(Op.sum);
  gen.fn(Fn.stl, sc + 1);
  gen.place(small);
  gen.fn(Fn.ldlp, m + 1);
  gen.op(Op.fpb32tor64);
  fpentry(gen, FpOp.fpuexpinc32);
  gen.fn(Fn.ldlp, m);
  gen.op(Op.fpb32tor64);
  gen.op(Op.fpadd);
  gen.fn(Fn.ldlp, sc);
  gen.op(Op.fpldnlmuldb);
  if (e.mode === 'TRUNC') fpentry(gen, FpOp.fpurz);
  fpentry(gen, FpOp.fpur64tor32);
  gen.frame.release(mark);
}

/** Comparisons of INT64, REAL32 or REAL64 operands: the BOOL result in A. */
export function numericCompare(gen: CodeGen, e: Extract<Expr, { kind: 'dyadic' }>): void {
  const op = e.op;
  const lt = e.left.type!;
  if (isReal(lt)) {
    const swap = op === '<' || op === '>=';
    gen.parts.fOperands(gen, swap ? e.right : e.left, swap ? e.left : e.right);
    gen.op(op === '=' || op === '<>' ? Op.fpeq : Op.fpgt);
    if (op === '<>' || op === '<=' || op === '>=') gen.fn(Fn.eqc, 0);
    return;
  }
  const mark = gen.frame.mark();
  let a = evalWide(gen, e.left);
  let b = evalWide(gen, e.right);
  switch (op) {
    case '=':
    case '<>':
      word(gen, a, 0);
      word(gen, b, 0);
      gen.op(Op.xor);
      word(gen, a, 1);
      word(gen, b, 1);
      gen.op(Op.xor);
      gen.op(Op.or);
      gen.fn(Fn.eqc, 0);
      if (op === '<>') gen.fn(Fn.eqc, 0);
      break;
    case 'AFTER': {
      // a AFTER b is (a MINUS b) > 0.
      const d = gen.frame.alloc(2);
      longSum(gen, a, b, Op.ldiff, Op.ldiff, () => d, null);
      greater64(gen, { kind: 'slot', st: temp(gen, d) }, { kind: 'const', lo: 0, hi: 0 });
      break;
    }
    default: {
      if (op === '<' || op === '>=') [a, b] = [b, a];
      greater64(gen, a, b);
      if (op === '<=' || op === '>=') gen.fn(Fn.eqc, 0);
    }
  }
  gen.frame.release(mark);
}

/**
 * Push a > b (signed 64-bit). The borrow out of b - a says a > b unsigned; when the signs differ the signed
 * answer is the opposite, so XOR in the sign bit of a.hi >< b.hi.
 */
function greater64(gen: CodeGen, a: Place, b: Place): void {
  gen.fn(Fn.ldc, 0);
  word(gen, b, 0);
  word(gen, a, 0);
  gen.op(Op.ldiff);
  gen.op(Op.rev);
  word(gen, b, 1);
  word(gen, a, 1);
  gen.op(Op.ldiff);
  gen.op(Op.rev);
  word(gen, a, 1);
  word(gen, b, 1);
  gen.op(Op.xor);
  gen.fn(Fn.ldc, 31);
  gen.op(Op.shr);
  gen.op(Op.xor);
}
