// The T800 floating-point unit: a three-deep stack of IEEE 754 registers FA, FB, FC (each holding a single-length
// or double-length value), the FP_Error flag and the rounding mode. Values are JS numbers: double-length results are
// what Float64 arithmetic gives, single-length ones go through Math.fround, so every result is correctly rounded.
// docs/isa.md describes the instructions and where occmesh's model departs from the chip.

import { FPENTRY_CYCLES, FpOp, Op, OP_CYCLES, VARIANT_CYCLES } from './isa.js';

/** What a register holds: a single, a double, or the INT32 made by fprtoi32 (for fpstnli32). */
export const SINGLE = 0;
export const DOUBLE = 1;
export const INT32 = 2;

/** Rounding modes; every FP operation resets the mode to NEAREST once it has used it. */
export const NEAREST = 0;
export const ZERO = 1;
export const PLUS = 2;
export const MINUS = 3;

/** What the FPU needs from the core: the integer stack, memory with the core's bounds checks, cycles and Error. */
export interface FpuHost {
  A: number;
  B: number;
  C: number;
  cycles: number;
  fpRead32(addr: number): number;
  fpWrite32(addr: number, value: number): void;
  /** Set the Error flag (halting the core if HaltOnError is set). */
  fpSetError(reason: string): void;
  fpFault(reason: string): never;
}

const scratch = new ArrayBuffer(8);
const s32 = new Int32Array(scratch);
const sf32 = new Float32Array(scratch);
const sf64 = new Float64Array(scratch);

const TWO32 = 4294967296;

export class Fpu {
  /** FA, FB, FC. */
  readonly reg = new Float64Array(3);
  readonly len = new Uint8Array(3);
  error = false;
  mode = NEAREST;

  /** Saved state of a preempted low-priority process. */
  private readonly savedReg = new Float64Array(3);
  private readonly savedLen = new Uint8Array(3);
  private savedError = false;
  private savedMode = NEAREST;

  save(): void {
    this.savedReg.set(this.reg);
    this.savedLen.set(this.len);
    this.savedError = this.error;
    this.savedMode = this.mode;
    this.error = false;
    this.mode = NEAREST;
  }

  restore(): void {
    this.reg.set(this.savedReg);
    this.len.set(this.savedLen);
    this.error = this.savedError;
    this.mode = this.savedMode;
  }

  push(v: number, len: number): void {
    const r = this.reg;
    const l = this.len;
    r[2] = r[1]!;
    l[2] = l[1]!;
    r[1] = r[0]!;
    l[1] = l[0]!;
    r[0] = v;
    l[0] = len;
  }

  pop(): void {
    const r = this.reg;
    const l = this.len;
    r[0] = r[1]!;
    l[0] = l[1]!;
    r[1] = r[2]!;
    l[1] = l[2]!;
  }

  /** Round a double to the register format, in the current mode. */
  private round(v: number, len: number): number {
    if (len !== SINGLE) return v;
    const f = Math.fround(v);
    if (this.mode === NEAREST || f === v || !Number.isFinite(v)) return f;
    // Directed rounding to single: step f one unit towards the required direction if it went the wrong way.
    const wentUp = f > v;
    const wantDown = this.mode === MINUS || (this.mode === ZERO && v > 0);
    if (wentUp !== wantDown) return f;
    return nextFloat32(f, wantDown ? -1 : 1);
  }

  /** A result: FP_Error on an overflow, an invalid operation, or an infinite operand. */
  private result(v: number, len: number, ...inputs: number[]): number {
    const r = this.round(v, len);
    if (!Number.isFinite(r)) this.error = true;
    for (const x of inputs) if (!Number.isFinite(x)) this.error = true;
    return r;
  }

  private dyadic(op: number): void {
    const a = this.reg[0]!;
    const b = this.reg[1]!;
    const len = this.len[0]!;
    let v: number;
    switch (op) {
      case Op.fpadd:
        v = directed(b, a, 0, this.mode, len);
        break;
      case Op.fpsub:
        v = directed(b, a, 1, this.mode, len);
        break;
      case Op.fpmul:
        v = directed(b, a, 2, this.mode, len);
        break;
      default:
        if (a === 0 && b === b) this.error = true;
        v = directed(b, a, 3, this.mode, len);
        break;
    }
    const r = this.result(v, len, a, b);
    this.pop();
    this.reg[0] = r;
    this.len[0] = len;
  }

  /** Execute FPU operation `op` (an `opr` code from 0x80 to 0xAF). Returns false if there is no such operation. */
  execute(host: FpuHost, op: number): boolean {
    const mode = this.mode;
    this.mode = NEAREST;
    host.cycles += OP_CYCLES[op]!;
    switch (op) {
      case Op.fpldnlsn:
        this.push(loadSingle(host, host.A), SINGLE);
        popInt(host);
        return true;
      case Op.fpldnldb:
        this.push(loadDouble(host, host.A), DOUBLE);
        popInt(host);
        return true;
      case Op.fpldnlsni:
        this.push(loadSingle(host, (host.A + 4 * host.B) | 0), SINGLE);
        host.A = host.C;
        return true;
      case Op.fpldnldbi:
        this.push(loadDouble(host, (host.A + 8 * host.B) | 0), DOUBLE);
        host.A = host.C;
        return true;
      case Op.fpldzerosn:
        this.push(0, SINGLE);
        return true;
      case Op.fpldzerodb:
        this.push(0, DOUBLE);
        return true;
      case Op.fpldnladdsn:
      case Op.fpldnlmulsn:
      case Op.fpldnladddb:
      case Op.fpldnlmuldb: {
        const single = op === Op.fpldnladdsn || op === Op.fpldnlmulsn;
        const x = single ? loadSingle(host, host.A) : loadDouble(host, host.A);
        popInt(host);
        // FA op memory, in place: FB and FC are untouched.
        const a = this.reg[0]!;
        const len = single ? SINGLE : DOUBLE;
        const add = op === Op.fpldnladdsn || op === Op.fpldnladddb;
        this.mode = mode;
        this.reg[0] = this.result(directed(a, x, add ? 0 : 2, mode, len), len, a, x);
        this.len[0] = len;
        this.mode = NEAREST;
        return true;
      }
      case Op.fpstnlsn:
        storeSingle(host, host.A, this.reg[0]!);
        this.pop();
        popInt(host);
        return true;
      case Op.fpstnldb:
        storeDouble(host, host.A, this.reg[0]!);
        this.pop();
        popInt(host);
        return true;
      case Op.fpstnli32:
        host.fpWrite32(host.A, this.reg[0]! | 0);
        this.pop();
        popInt(host);
        return true;
      case Op.fpadd:
      case Op.fpsub:
      case Op.fpmul:
      case Op.fpdiv:
        if (this.len[0] === DOUBLE && (op === Op.fpmul || op === Op.fpdiv))
          host.cycles += op === Op.fpmul ? VARIANT_CYCLES.fpmulDouble : VARIANT_CYCLES.fpdivDouble;
        this.mode = mode;
        this.dyadic(op);
        this.mode = NEAREST;
        return true;
      case Op.fpremfirst: {
        const a = this.reg[0]!;
        const b = this.reg[1]!;
        const len = this.len[0]!;
        const r = this.result(ieeeRemainder(b, a), len, a, b);
        if (a === 0 || Number.isNaN(r)) this.error = true;
        this.pop();
        this.reg[0] = r;
        this.len[0] = len;
        pushInt(host, 0);
        return true;
      }
      case Op.fpremstep:
        pushInt(host, 0);
        return true;
      case Op.fpnan:
        pushInt(host, Number.isNaN(this.reg[0]) ? 1 : 0);
        return true;
      case Op.fpordered:
        pushInt(host, Number.isNaN(this.reg[0]) || Number.isNaN(this.reg[1]) ? 0 : 1);
        return true;
      case Op.fpnotfinite:
        pushInt(host, Number.isFinite(this.reg[0]) ? 0 : 1);
        return true;
      case Op.fpgt:
      case Op.fpeq: {
        const a = this.reg[0]!;
        const b = this.reg[1]!;
        if (!Number.isFinite(a) || !Number.isFinite(b)) this.error = true;
        this.pop();
        this.pop();
        pushInt(host, (op === Op.fpgt ? b > a : b === a) ? 1 : 0);
        return true;
      }
      case Op.fpi32tor32:
        this.mode = mode;
        this.push(this.round(host.fpRead32(host.A), SINGLE), SINGLE);
        this.mode = NEAREST;
        popInt(host);
        return true;
      case Op.fpi32tor64:
        this.push(host.fpRead32(host.A), DOUBLE);
        popInt(host);
        return true;
      case Op.fpb32tor64:
        this.push(host.fpRead32(host.A) >>> 0, DOUBLE);
        popInt(host);
        return true;
      case Op.fptesterr:
        pushInt(host, this.error ? 0 : 1);
        this.error = false;
        return true;
      case Op.fpchkerr:
        if (this.error) host.fpSetError('real arithmetic error');
        return true;
      case Op.fprtoi32: {
        const v = roundInteger(this.reg[0]!, mode);
        if (!(v >= -2147483648 && v <= 2147483647)) this.error = true;
        this.reg[0] = v | 0;
        this.len[0] = INT32;
        return true;
      }
      case Op.fpint: {
        const x = this.reg[0]!;
        if (!Number.isFinite(x)) this.error = true;
        this.reg[0] = roundInteger(x, mode);
        return true;
      }
      case Op.fpdup:
        this.push(this.reg[0]!, this.len[0]!);
        return true;
      case Op.fprev: {
        const r = this.reg;
        const l = this.len;
        const t = r[0]!;
        r[0] = r[1]!;
        r[1] = t;
        const u = l[0]!;
        l[0] = l[1]!;
        l[1] = u;
        return true;
      }
      case Op.fpentry: {
        const sel = host.A;
        popInt(host);
        this.mode = mode;
        this.entry(host, sel);
        return true;
      }
      default:
        this.mode = mode;
        host.cycles -= OP_CYCLES[op]!;
        return false;
    }
  }

  /** An operation selected by fpentry. The mode-setting operations leave the new mode for the next operation. */
  private entry(host: FpuHost, sel: number): void {
    const mode = this.mode;
    this.mode = NEAREST;
    if (sel >>> 0 < 256) host.cycles += FPENTRY_CYCLES[sel]!;
    const r = this.reg;
    const l = this.len;
    const x = r[0]!;
    switch (sel) {
      case FpOp.fpurn:
        this.mode = NEAREST;
        return;
      case FpOp.fpurz:
        this.mode = ZERO;
        return;
      case FpOp.fpurp:
        this.mode = PLUS;
        return;
      case FpOp.fpurm:
        this.mode = MINUS;
        return;
      case FpOp.fpur32tor64:
        if (!Number.isFinite(x)) this.error = true;
        l[0] = DOUBLE;
        return;
      case FpOp.fpur64tor32:
        this.mode = mode;
        r[0] = this.result(x, SINGLE, x);
        this.mode = NEAREST;
        l[0] = SINGLE;
        return;
      case FpOp.fpunoround:
        this.mode = ZERO;
        r[0] = this.round(x, SINGLE);
        this.mode = NEAREST;
        l[0] = SINGLE;
        return;
      case FpOp.fpuexpinc32:
        r[0] = this.result(x * TWO32, l[0]!, x);
        return;
      case FpOp.fpuexpdec32:
        r[0] = this.result(x / TWO32, l[0]!, x);
        return;
      case FpOp.fpumulby2:
        r[0] = this.result(x * 2, l[0]!, x);
        return;
      case FpOp.fpudivby2:
        r[0] = this.result(x / 2, l[0]!, x);
        return;
      case FpOp.fpuabs:
        if (!Number.isFinite(x)) this.error = true;
        r[0] = Math.abs(x);
        return;
      case FpOp.fpuchki32:
        if (!(x >= -2147483648.5 && x < 2147483648)) this.error = true;
        return;
      case FpOp.fpuchki64:
        if (!(x >= -9223372036854775808 && x < 9223372036854775808)) this.error = true;
        return;
      case FpOp.fpusqrtfirst:
        if (x < 0 || !Number.isFinite(x)) this.error = true;
        r[0] = this.round(Math.sqrt(x), l[0]!);
        return;
      case FpOp.fpusqrtstep:
      case FpOp.fpusqrtlast:
        return;
      case FpOp.fpuseterr:
        this.error = true;
        return;
      case FpOp.fpuclrerr:
        this.error = false;
        return;
      default:
        host.fpFault(`invalid FPU operation (fpentry #${(sel >>> 0).toString(16).toUpperCase()})`);
    }
  }
}

function popInt(host: FpuHost): void {
  host.A = host.B;
  host.B = host.C;
}

function pushInt(host: FpuHost, v: number): void {
  host.C = host.B;
  host.B = host.A;
  host.A = v;
}

function loadSingle(host: FpuHost, addr: number): number {
  s32[0] = host.fpRead32(addr);
  return sf32[0]!;
}

function loadDouble(host: FpuHost, addr: number): number {
  s32[0] = host.fpRead32(addr);
  s32[1] = host.fpRead32((addr + 4) | 0);
  return sf64[0]!;
}

function storeSingle(host: FpuHost, addr: number, v: number): void {
  sf32[0] = v;
  host.fpWrite32(addr, s32[0]!);
}

function storeDouble(host: FpuHost, addr: number, v: number): void {
  sf64[0] = v;
  const lo = s32[0]!;
  const hi = s32[1]!;
  host.fpWrite32(addr, lo);
  host.fpWrite32((addr + 4) | 0, hi);
}

/** The neighbouring single-length value of f in direction dir (f finite). */
function nextFloat32(f: number, dir: number): number {
  sf32[0] = f;
  let bits = s32[0]!;
  if (f === 0) bits = dir > 0 ? 1 : 0x80000001 | 0;
  else if (f > 0 === dir > 0) bits++;
  else bits--;
  s32[0] = bits;
  return sf32[0]!;
}

/** b op a (0 +, 1 -, 2 *, 3 /), rounded as `mode` says to the register format. */
function directed(b: number, a: number, op: number, mode: number, len: number): number {
  const v = op === 0 ? b + a : op === 1 ? b - a : op === 2 ? b * a : b / a;
  if (mode === NEAREST || len === SINGLE || !Number.isFinite(v)) return v;
  // Double-length directed rounding: the error of the rounded-to-nearest result tells the direction.
  const err = exactError(b, a, op, v);
  if (err === 0) return v;
  const wantDown = mode === MINUS || (mode === ZERO && v > 0);
  const wentUp = err < 0;
  if (wentUp === wantDown) return stepDouble(v, wantDown ? -1 : 1);
  return v;
}

/** The sign of (exact - rounded) for a double operation, or 0 if exact. */
function exactError(b: number, a: number, op: number, v: number): number {
  switch (op) {
    case 0:
    case 1: {
      const y = op === 0 ? a : -a;
      // Knuth's two-sum: the rounding error of b + y.
      const bb = v - b;
      const e = b - (v - bb) + (y - bb);
      return Math.sign(e);
    }
    case 2: {
      const e = fmaError(b, a, v);
      return Math.sign(e);
    }
    default: {
      // exact - v has the sign of (b - v * a) / a.
      const e = fmaError(v, a, b);
      return Math.sign(-e) * Math.sign(a);
    }
  }
}

/** x * y - z computed with Dekker's exact product (no FMA in JS). */
function fmaError(x: number, y: number, z: number): number {
  const split = (t: number): [number, number] => {
    const c = 134217729 * t;
    const hi = c - (c - t);
    return [hi, t - hi];
  };
  const p = x * y;
  const [xh, xl] = split(x);
  const [yh, yl] = split(y);
  const err = xh * yh - p + xh * yl + xl * yh + xl * yl;
  return p - z + err;
}

function stepDouble(v: number, dir: number): number {
  sf64[0] = v;
  let lo = s32[0]!;
  let hi = s32[1]!;
  const away = v > 0 === dir > 0 || v === 0;
  if (v === 0) {
    s32[0] = 1;
    s32[1] = dir > 0 ? 0 : 0x80000000 | 0;
    return sf64[0]!;
  }
  if (away) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
  } else {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) | 0;
  }
  s32[0] = lo;
  s32[1] = hi;
  return sf64[0]!;
}

/** Round to an integral value in the given mode (nearest: ties to even). */
export function roundInteger(x: number, mode: number): number {
  if (!Number.isFinite(x)) return x;
  switch (mode) {
    case ZERO:
      return Math.trunc(x);
    case PLUS:
      return Math.ceil(x);
    case MINUS:
      return Math.floor(x);
    default: {
      const f = Math.floor(x);
      const d = x - f;
      if (d < 0.5) return f === 0 && x < 0 ? -0 : f;
      if (d > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/**
 * The IEEE 754 remainder x - y * n, n the integer nearest x / y (ties to even). Exact, so it needs no rounding:
 * reduce with fmod (exact in JS) by 2|y|, then bring the result into [-|y|/2, |y|/2].
 */
export function ieeeRemainder(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  const p = Math.abs(y);
  let r = Math.abs(x);
  const twice = p * 2;
  if (Number.isFinite(twice)) r = r % twice;
  if (p < 4.450147717014403e-308) {
    // Tiny divisor: halving it would lose bits, so compare with doubles of r instead.
    if (r + r > p) {
      r -= p;
      if (r + r >= p) r -= p;
    }
  } else {
    const half = p * 0.5;
    if (r > half) {
      r -= p;
      if (r >= half) r -= p;
    }
  }
  return x < 0 || Object.is(x, -0) ? -r : r;
}
