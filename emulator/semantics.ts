// The semantics of the instructions the translator compiles (emulator/translate/): for each one, how to write it as
// JavaScript on the interpreter's locals (a, b, c, w), with its cycle costs from isa.ts and its run-time errors at
// exactly the interpreter's cycle. It is the same code as the interpreter's fast cases in core.ts, written once as a
// table; test/emulator/translate.test.ts runs every entry against the interpreter on many stacks (results, cycles,
// errors), so the two cannot drift apart unnoticed. An instruction not in the table ends a translated block and
// is left to the interpreter, so a new instruction needs no entry here.

import { Fn, FN_CYCLES, MOST_NEG, NOT_PROCESS, Op, OP_CYCLES, VARIANT_CYCLES } from './isa.js';
import { MEM_START } from './image.js';

/**
 * What an entry writes with: `charge` adds cycles at that point of the instruction (a run-time error raised after
 * it includes them, one raised before does not, as in the interpreter); `raise` sets Error (halting with
 * HaltOnError); `fault` halts with a memory error at the address the expression gives; `exitBefore` leaves the
 * block before this instruction, which the interpreter then executes; `jump` leaves the block for a target known
 * when the block is built, `jumpTo` for one computed at run time (in the local `ip`).
 */
export interface Emitter {
  /** The operand (prefixes included). */
  readonly o: number;
  /** Memory offset of the byte after the instruction. */
  readonly next: number;
  /**
   * Memory bytes of the core, and the end of its code (memory offset; an expression, the block's argument `ce`): a
   * store below it is left to the interpreter.
   */
  readonly size: number;
  readonly codeEnd: string;
  charge(cycles: number): string;
  /** Cycles added at run time (a data-dependent cost); `max` is the most the expression can give. */
  chargeDynamic(expr: string, max: number): string;
  raise(reason: string): string;
  fault(addrExpr: string): string;
  exitBefore(): string;
  jump(target: number): string;
  jumpTo(): string;
  /** Leave before this instruction when it would reach a timeslice point (low priority, `cyc` past the deadline). */
  sliceCheck(cost: number): string;
  /**
   * The core's cycle count at this point of the instruction, as an expression (the block counts from 0; `io.cyc0`
   * is the caller's count at the call).
   */
  now(): string;
  /**
   * Leave the block after a context switch: `w` and `ip` are the next process's, and the instruction is the last
   * one executed.
   */
  switched(): string;
}

/** How an instruction continues: on to the next one, or the block ends there. */
export type Flow = 'next' | 'end';

export interface Semantics {
  readonly name: string;
  /** The most cycles it can cost (prefixes not included): the translator's bound for fitting a block before a limit. */
  readonly maxCycles: number;
  readonly flow: Flow;
  /** A channel instruction, which needs the block's temporaries for communication and may switch processes. */
  readonly channel?: boolean;
  readonly emit: (e: Emitter) => string;
}

const MN = MOST_NEG;
const fnc = (f: number): number => FN_CYCLES[f]!;
const opc = (o: number): number => OP_CYCLES[o]!;

/** A word address check: `x` = the memory offset of `addr`, a fault when it is outside memory. */
const word = (e: Emitter, addr: string): string =>
  `x = ((${addr}) ^ ${MN}) >>> 0; if (x >= ${e.size}) ${e.fault(addr)}`;
/** The same for a store: a store into the code area (or below it) is left to the interpreter, which invalidates. */
const storeWord = (e: Emitter, addr: string): string => `${word(e, addr)} if (x < ${e.codeEnd}) ${e.exitBefore()}`;

const direct = (name: string, f: number, body: (e: Emitter) => string, flow: Flow = 'next', extra = 0): Semantics => ({
  name,
  maxCycles: fnc(f) + extra,
  flow,
  emit: body,
});

const operation = (
  name: string,
  op: number,
  body: (e: Emitter) => string,
  flow: Flow = 'next',
  extra = 0,
): Semantics => ({
  name,
  maxCycles: opc(op) + extra,
  flow,
  emit: body,
});

/** A dyadic operation that pops B into A: `a = expr; b = c;`, charged at the end. */
const dyadic = (name: string, op: number, expr: string): Semantics =>
  operation(name, op, (e) => `a = ${expr}; b = c; ${e.charge(opc(op))}`);

/** Memory offset of MemStart: channel words below it are links and host devices, left to the interpreter. */
const MEM_START_OFF = (MEM_START ^ MOST_NEG) >>> 0;
/** The longest message `in` and `out` pass in a block (longer ones are the interpreter's): bounds their cost. */
const MAX_BLOCK_MESSAGE = 64;
/** What a process waits on, as Core.waits records it (core.ts's WAIT_INPUT and WAIT_OUTPUT). */
const WAIT_INPUT = 1;
const WAIT_OUTPUT = 2;

/**
 * Channel communication on this core's memory, as the interpreter's loop does it (Core.execute, `case 0x07` and
 * the three after it), when nobody watches the process events (the block's argument `q`): either the partner waits
 * (not an ALT) and the message passes, the partner joins its run queue and the block goes on; or this process is
 * first at the channel, waits, and the next process of its priority runs (the block leaves, with its `w` and `ip`).
 * Whatever the interpreter's loop would hand to the general path (a link, a device, an ALT partner, a change of
 * priority, an address outside memory), a longer message, and any store into the code area, the block leaves to
 * the interpreter, before changing anything.
 */
function channel(name: string, op: number): Semantics {
  const word = op === Op.outword || op === Op.outbyte;
  const input = op === Op.in;
  const cost = opc(op);
  const NP = NOT_PROCESS;
  return {
    name,
    maxCycles: cost + (word ? 0 : VARIANT_CYCLES.perWordMoved * (MAX_BLOCK_MESSAGE >>> 2)),
    flow: 'next',
    channel: true,
    emit(e) {
      const S = e.size;
      const out = e.exitBefore();
      // x: the channel word's offset, t: Wptr's, k: the channel word's index, y: the channel word (the partner).
      const bytes = op === Op.outword ? '4' : op === Op.outbyte ? '1' : 'z';
      const buf = word ? 'w' : 'c';
      const head =
        `x = (b ^ ${MN}) >>> 0; t = (w ^ ${MN}) >>> 0;` +
        ` if (q === 0 || x < ${MEM_START_OFF} || x >= ${S} || t < 12 || t - 4 >= ${S}${word ? ` || t >= ${S}` : ''}` +
        ` || x < ${e.codeEnd}) ${out}` +
        (word ? '' : ` z = a >>> 0; if (z > ${MAX_BLOCK_MESSAGE}) ${out}`) +
        ` k = x >>> 2; y = m32[k];`;
      // First at the channel: wait, and switch to the front of this priority's run queue (Core.nextInline).
      const wait =
        ` if (y === ${NP}) { r = core.fptr[pri];` +
        ` if (r === ${NP} || (pri !== 0 && (core.fptr[0] !== ${NP} || core.interrupted))) ${out}` +
        ` d = (r ^ ${MN}) >>> 0; if (d < 8 || d - 4 >= ${S} || t - 12 < ${e.codeEnd}) ${out}` +
        (word ? ' m32[t >>> 2] = a;' : '') +
        ` m32[k] = w | pri; m32[(t - 12) >>> 2] = ${buf}; m32[(t - 4) >>> 2] = ${(e.next ^ MN) | 0};` +
        ` y = t >>> 2; core.waits[y] = (k << 4) | (pri << 3) | ${input ? WAIT_INPUT : WAIT_OUTPUT};` +
        ` if (y < core.waitLow) core.waitLow = y; if (y > core.waitHigh) core.waitHigh = y;` +
        ` ${e.chargeDynamic(String(cost), 0)}` +
        ` core.fptr[pri] = r === core.bptr[pri] ? ${NP} : m32[(d - 8) >>> 2];` +
        ` w = r; ip = (m32[(d - 4) >>> 2] ^ ${MN}) >>> 0;` +
        // The new timeslice deadline (Core.sliceDeadlineFrom), dividing only when a new period has begun.
        ` if (pri !== 0) { r = core.slicePeriod; t = io.cyc0 + ${e.now()};` +
        ` if (r !== io.period || t < io.sliceBase || t - io.sliceBase >= r) { io.period = r; io.sliceBase = Math.floor(t / r) * r; }` +
        ` core.sliceDeadline = io.sliceBase + 2 * r; }` +
        ` ${e.switched()} }`;
      // The partner waits: r its Wptr, p its priority, d its Wptr's offset, y its W[-3] (its buffer).
      const pass =
        ` r = y & ~3; p = y & 1; d = (r ^ ${MN}) >>> 0; if (p < pri || d < 20 || d > ${S}) ${out}` +
        ` y = m32[(d - 12) >>> 2];` +
        (input ? '' : ` if ((y & ~3) === ${MN}) ${out}`) +
        // sx, dx: where the message comes from and goes to.
        ` sx = (${input ? 'y' : buf} ^ ${MN}) >>> 0; dx = (${input ? buf : 'y'} ^ ${MN}) >>> 0;` +
        ` if (${bytes} > 0 && (sx >= ${S} || ${bytes} > ${S} - sx || dx >= ${S} || ${bytes} > ${S} - dx || dx < ${e.codeEnd})) ${out}` +
        ` bx = ((core.bptr[p] - 8) ^ ${MN}) >>> 0;` +
        ` if (core.fptr[p] !== ${NP} && (bx >= ${S} || bx < ${e.codeEnd})) ${out}` +
        (word ? ` if (t < ${e.codeEnd}) ${out} m32[t >>> 2] = a;` : '') +
        (op === Op.outword
          ? ` if (((sx | dx) & 3) === 0) m32[dx >>> 2] = m32[sx >>> 2]; else m8.copyWithin(dx, sx, sx + 4);`
          : op === Op.outbyte
            ? ` m8[dx] = m8[sx];`
            : ` if (z === 4 && ((sx | dx) & 3) === 0) m32[dx >>> 2] = m32[sx >>> 2];` +
              ` else if (z === 1) m8[dx] = m8[sx]; else if (z > 0) m8.copyWithin(dx, sx, sx + z);`) +
        ` m32[k] = ${NP}; core.waits[d >>> 2] = 0;` +
        ` if (core.fptr[p] === ${NP}) core.fptr[p] = r; else m32[bx >>> 2] = r; core.bptr[p] = r;` +
        (word
          ? ` ${e.charge(cost)}`
          : ` ${e.charge(cost)} ${e.chargeDynamic(`${VARIANT_CYCLES.perWordMoved} * ((z + 3) >>> 2)`, VARIANT_CYCLES.perWordMoved * (MAX_BLOCK_MESSAGE >>> 2))}`);
      return head + wait + pass;
    },
  };
}

/** Direct functions, indexed by function code (pfix, nfix and opr are the decoder's). */
export const DIRECT_SEMANTICS: readonly (Semantics | undefined)[] = (() => {
  const t: (Semantics | undefined)[] = new Array(16).fill(undefined);
  const o4 = (e: Emitter): number => (e.o << 2) | 0;
  t[Fn.j] = direct(
    'j',
    Fn.j,
    (e) => `${e.sliceCheck(fnc(Fn.j))} ${e.charge(fnc(Fn.j))} ${e.jump((e.next + e.o) >>> 0)}`,
    'end',
  );
  t[Fn.ldlp] = direct('ldlp', Fn.ldlp, (e) => `${e.charge(fnc(Fn.ldlp))} c = b; b = a; a = (w + ${o4(e)}) | 0;`);
  t[Fn.ldnl] = direct('ldnl', Fn.ldnl, (e) => `${e.charge(fnc(Fn.ldnl))} ${word(e, `a + ${o4(e)}`)} a = m32[x >>> 2];`);
  t[Fn.ldc] = direct('ldc', Fn.ldc, (e) => `${e.charge(fnc(Fn.ldc))} c = b; b = a; a = ${e.o};`);
  t[Fn.ldnlp] = direct('ldnlp', Fn.ldnlp, (e) => `${e.charge(fnc(Fn.ldnlp))} a = (a + ${o4(e)}) | 0;`);
  t[Fn.ldl] = direct(
    'ldl',
    Fn.ldl,
    (e) => `${e.charge(fnc(Fn.ldl))} ${word(e, `w + ${o4(e)}`)} c = b; b = a; a = m32[x >>> 2];`,
  );
  t[Fn.adc] = direct(
    'adc',
    Fn.adc,
    (e) =>
      `${e.charge(fnc(Fn.adc))} r = (a + ${e.o}) | 0; if (((a ^ r) & (${e.o} ^ r)) < 0) ${e.raise('arithmetic overflow')} a = r;`,
  );
  t[Fn.call] = direct(
    'call',
    Fn.call,
    (e) => {
      const ret = (e.next ^ MN) | 0;
      return (
        `${e.charge(fnc(Fn.call))} r = (w - 16) | 0; x = (r ^ ${MN}) >>> 0;` +
        ` if (x + 16 > ${e.size}) ${e.fault('x >= ' + e.size + ' ? r : w')}` +
        ` if (x < ${e.codeEnd}) ${e.exitBefore()}` +
        ` t = x >>> 2; m32[t] = ${ret}; m32[t + 1] = a; m32[t + 2] = b; m32[t + 3] = c;` +
        ` w = r; a = ${ret}; b = c; ${e.jump((e.next + e.o) >>> 0)}`
      );
    },
    'end',
  );
  t[Fn.cj] = direct(
    'cj',
    Fn.cj,
    (e) =>
      `${e.charge(fnc(Fn.cj))} if (a === 0) { ${e.chargeDynamic(String(VARIANT_CYCLES.cjTaken - fnc(Fn.cj)), 0)}` +
      ` ${e.jump((e.next + e.o) >>> 0)} } a = b; b = c;`,
    'next',
    VARIANT_CYCLES.cjTaken - fnc(Fn.cj),
  );
  t[Fn.ajw] = direct('ajw', Fn.ajw, (e) => `${e.charge(fnc(Fn.ajw))} w = (w + ${o4(e)}) | 0;`);
  t[Fn.eqc] = direct('eqc', Fn.eqc, (e) => `${e.charge(fnc(Fn.eqc))} a = a === ${e.o} ? 1 : 0;`);
  t[Fn.stl] = direct(
    'stl',
    Fn.stl,
    (e) => `${e.charge(fnc(Fn.stl))} ${storeWord(e, `w + ${o4(e)}`)} m32[x >>> 2] = a; a = b; b = c;`,
  );
  t[Fn.stnl] = direct(
    'stnl',
    Fn.stnl,
    (e) => `${e.charge(fnc(Fn.stnl))} ${storeWord(e, `a + ${o4(e)}`)} m32[x >>> 2] = b; a = c; b = c;`,
  );
  return t;
})();

/** Operations, by operation code; undefined for those left to the interpreter. */
export const OP_SEMANTICS: ReadonlyMap<number, Semantics> = new Map<number, Semantics>(
  [
    operation('rev', Op.rev, (e) => `t = a; a = b; b = t; ${e.charge(opc(Op.rev))}`),
    operation(
      'lb',
      Op.lb,
      (e) => `x = (a ^ ${MN}) >>> 0; if (x >= ${e.size}) ${e.fault('a')} a = m8[x]; ${e.charge(opc(Op.lb))}`,
    ),
    dyadic('bsub', Op.bsub, '(a + b) | 0'),
    dyadic('diff', Op.diff, '(b - a) | 0'),
    operation(
      'add',
      Op.add,
      (e) =>
        `r = (b + a) | 0; if (((a ^ r) & (b ^ r)) < 0) ${e.raise('arithmetic overflow')} a = r; b = c; ${e.charge(opc(Op.add))}`,
    ),
    operation(
      'gcall',
      Op.gcall,
      (e) => `t = a; a = ${(e.next ^ MN) | 0}; ip = (t ^ ${MN}) >>> 0; ${e.charge(opc(Op.gcall))} ${e.jumpTo()}`,
      'end',
    ),
    operation(
      'prod',
      Op.prod,
      (e) =>
        `${e.charge(opc(Op.prod))} ${e.chargeDynamic('a === 0 ? 0 : 31 - Math.clz32(a)', 31)} a = Math.imul(b, a); b = c;`,
      'next',
      31,
    ),
    dyadic('gt', Op.gt, 'b > a ? 1 : 0'),
    dyadic('wsub', Op.wsub, '(a + (b << 2)) | 0'),
    operation(
      'sub',
      Op.sub,
      (e) =>
        `r = (b - a) | 0; if (((b ^ a) & (b ^ r)) < 0) ${e.raise('arithmetic overflow')} a = r; b = c; ${e.charge(opc(Op.sub))}`,
    ),
    operation(
      'csub0',
      Op.csub0,
      (e) => `if (b >>> 0 >= a >>> 0) ${e.raise('subscript out of range')} a = b; b = c; ${e.charge(opc(Op.csub0))}`,
    ),
    operation('ldpi', Op.ldpi, (e) => `a = (a + ${(e.next ^ MN) | 0}) | 0; ${e.charge(opc(Op.ldpi))}`),
    operation('ldpri', Op.ldpri, (e) => `c = b; b = a; a = pri; ${e.charge(opc(Op.ldpri))}`),
    operation(
      'rem',
      Op.rem,
      (e) =>
        `${e.charge(opc(Op.rem))} if (a === 0) { ${e.raise('division by zero')} }` +
        ` else if (a === -1 && b === ${MN}) { ${e.raise('arithmetic overflow')} a = 0; } else { a = (b % a) | 0; } b = c;`,
    ),
    operation(
      'ret',
      Op.ret,
      (e) =>
        `x = (w ^ ${MN}) >>> 0; if (x >= ${e.size}) ${e.fault('w')} ip = (m32[x >>> 2] ^ ${MN}) >>> 0;` +
        ` w = (w + 16) | 0; ${e.charge(opc(Op.ret))} ${e.jumpTo()}`,
      'end',
    ),
    operation(
      'lend',
      Op.lend,
      (e) =>
        `${e.sliceCheck(opc(Op.lend))} x = (b ^ ${MN}) >>> 0;` +
        ` if (x + 8 > ${e.size}) ${e.fault(`x >= ${e.size} ? b : b + 4`)}` +
        ` if (x < ${e.codeEnd}) ${e.exitBefore()}` +
        ` t = x >>> 2; r = (m32[t + 1] - 1) | 0; m32[t + 1] = r;` +
        ` if (r > 0) { m32[t] = (m32[t] + 1) | 0; ip = (${e.next} - a) >>> 0;` +
        ` ${e.chargeDynamic(String(opc(Op.lend)), 0)} ${e.jumpTo()} }` +
        ` ${e.chargeDynamic(String(VARIANT_CYCLES.lendExit), 0)}`,
      'next',
    ),
    operation(
      'div',
      Op.div,
      (e) =>
        `${e.charge(opc(Op.div))} if (a === 0) { ${e.raise('division by zero')} }` +
        ` else if (a === -1 && b === ${MN}) { ${e.raise('arithmetic overflow')} } else { a = (b / a) | 0; } b = c;`,
    ),
    operation('not', Op.not, (e) => `a = ~a; ${e.charge(opc(Op.not))}`),
    dyadic('xor', Op.xor, 'b ^ a'),
    operation('bcnt', Op.bcnt, (e) => `a = a << 2; ${e.charge(opc(Op.bcnt))}`),
    operation(
      'sb',
      Op.sb,
      (e) =>
        `x = (a ^ ${MN}) >>> 0; if (x >= ${e.size}) ${e.fault('a')} if (x < ${e.codeEnd}) ${e.exitBefore()}` +
        ` m8[x] = b; a = c; b = c; ${e.charge(opc(Op.sb))}`,
    ),
    operation('wcnt', Op.wcnt, (e) => `c = b; b = a & 3; a = a >> 2; ${e.charge(opc(Op.wcnt))}`),
    operation(
      'shr',
      Op.shr,
      (e) =>
        `t = a >>> 0; a = t < 32 ? (b >>> t) | 0 : 0; b = c; ${e.charge(opc(Op.shr))}` +
        ` ${e.chargeDynamic(`t < ${VARIANT_CYCLES.shiftCap} ? t : ${VARIANT_CYCLES.shiftCap}`, VARIANT_CYCLES.shiftCap)}`,
      'next',
      VARIANT_CYCLES.shiftCap,
    ),
    operation(
      'shl',
      Op.shl,
      (e) =>
        `t = a >>> 0; a = t < 32 ? b << t : 0; b = c; ${e.charge(opc(Op.shl))}` +
        ` ${e.chargeDynamic(`t < ${VARIANT_CYCLES.shiftCap} ? t : ${VARIANT_CYCLES.shiftCap}`, VARIANT_CYCLES.shiftCap)}`,
      'next',
      VARIANT_CYCLES.shiftCap,
    ),
    operation('mint', Op.mint, (e) => `c = b; b = a; a = ${MN | 0}; ${e.charge(opc(Op.mint))}`),
    dyadic('and', Op.and, 'b & a'),
    dyadic('or', Op.or, 'b | a'),
    operation(
      'ccnt1',
      Op.ccnt1,
      (e) =>
        `if (b === 0 || b >>> 0 > a >>> 0) ${e.raise('count out of range')} a = b; b = c; ${e.charge(opc(Op.ccnt1))}`,
    ),
    dyadic('sum', Op.sum, '(b + a) | 0'),
    operation(
      'mul',
      Op.mul,
      (e) =>
        `r = b * a; if (r > 2147483647 || r < -2147483648) ${e.raise('arithmetic overflow')}` +
        ` a = Math.imul(b, a); b = c; ${e.charge(opc(Op.mul))}`,
    ),
    operation('dup', Op.dup, (e) => `c = b; b = a; ${e.charge(opc(Op.dup))}`),
    channel('in', Op.in),
    channel('out', Op.out),
    channel('outbyte', Op.outbyte),
    channel('outword', Op.outword),
  ].map((s) => [Op[s.name as keyof typeof Op], s]),
);
