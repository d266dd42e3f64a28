// The instruction set: one table that both the compiler (assembler, code generator) and the emulator (decoder, cycle
// accounting) read. Encodings and cycle costs are those of the INMOS T414/T800 (docs/isa.md gives the figures and where
// they come from); occmesh's own extensions live in unused operation codes 0xF0-0xFF and are documented in docs/isa.md.
//
// An instruction is one byte: the high nibble is the function, the low nibble is data that is ORed into the
// operand register. `pfix` and `nfix` build larger operands; `opr` executes the operation named by the operand.

/** The sixteen direct functions (high nibble of an instruction byte). */
export const Fn = {
  j: 0x0,
  ldlp: 0x1,
  pfix: 0x2,
  ldnl: 0x3,
  ldc: 0x4,
  ldnlp: 0x5,
  nfix: 0x6,
  ldl: 0x7,
  adc: 0x8,
  call: 0x9,
  cj: 0xa,
  ajw: 0xb,
  eqc: 0xc,
  stl: 0xd,
  stnl: 0xe,
  opr: 0xf,
} as const;
export type FnName = keyof typeof Fn;

/** Operation codes selected by `opr`. */
export const Op = {
  rev: 0x00,
  lb: 0x01,
  bsub: 0x02,
  endp: 0x03,
  diff: 0x04,
  add: 0x05,
  gcall: 0x06,
  in: 0x07,
  prod: 0x08,
  gt: 0x09,
  wsub: 0x0a,
  out: 0x0b,
  sub: 0x0c,
  startp: 0x0d,
  outbyte: 0x0e,
  outword: 0x0f,
  seterr: 0x10,
  resetch: 0x12,
  csub0: 0x13,
  stopp: 0x15,
  ladd: 0x16,
  stlb: 0x17,
  sthf: 0x18,
  norm: 0x19,
  ldiv: 0x1a,
  ldpi: 0x1b,
  stlf: 0x1c,
  xdble: 0x1d,
  ldpri: 0x1e,
  rem: 0x1f,
  ret: 0x20,
  lend: 0x21,
  ldtimer: 0x22,
  testerr: 0x29,
  testpranal: 0x2a,
  tin: 0x2b,
  div: 0x2c,
  dist: 0x2e,
  disc: 0x2f,
  diss: 0x30,
  lmul: 0x31,
  not: 0x32,
  xor: 0x33,
  bcnt: 0x34,
  lshr: 0x35,
  lshl: 0x36,
  lsum: 0x37,
  lsub: 0x38,
  runp: 0x39,
  xword: 0x3a,
  sb: 0x3b,
  gajw: 0x3c,
  savel: 0x3d,
  saveh: 0x3e,
  wcnt: 0x3f,
  shr: 0x40,
  shl: 0x41,
  mint: 0x42,
  alt: 0x43,
  altwt: 0x44,
  altend: 0x45,
  and: 0x46,
  enbt: 0x47,
  enbc: 0x48,
  enbs: 0x49,
  move: 0x4a,
  or: 0x4b,
  csngl: 0x4c,
  ccnt1: 0x4d,
  talt: 0x4e,
  ldiff: 0x4f,
  sthb: 0x50,
  taltwt: 0x51,
  sum: 0x52,
  mul: 0x53,
  sttimer: 0x54,
  stoperr: 0x55,
  cword: 0x56,
  clrhalterr: 0x57,
  sethalterr: 0x58,
  testhalterr: 0x59,
  dup: 0x5a,
  // T800 floating-point unit
  fpldnldbi: 0x82,
  fpchkerr: 0x83,
  fpstnldb: 0x84,
  fpldnlsni: 0x86,
  fpadd: 0x87,
  fpstnlsn: 0x88,
  fpsub: 0x89,
  fpldnldb: 0x8a,
  fpmul: 0x8b,
  fpdiv: 0x8c,
  fpldnlsn: 0x8e,
  fpremfirst: 0x8f,
  fpremstep: 0x90,
  fpnan: 0x91,
  fpordered: 0x92,
  fpnotfinite: 0x93,
  fpgt: 0x94,
  fpeq: 0x95,
  fpi32tor32: 0x96,
  fpi32tor64: 0x98,
  fpb32tor64: 0x9a,
  fptesterr: 0x9c,
  fprtoi32: 0x9d,
  fpstnli32: 0x9e,
  fpldzerosn: 0x9f,
  fpldzerodb: 0xa0,
  fpint: 0xa1,
  fpdup: 0xa3,
  fprev: 0xa4,
  fpldnladddb: 0xa6,
  fpldnlmuldb: 0xa8,
  fpldnladdsn: 0xaa,
  fpentry: 0xab,
  fpldnlmulsn: 0xac,
  // occam-pi run-time memory, with the codes KRoC's Transterpreter uses (docs/isa.md, The heap)
  malloc: 0xe2,
  mrelease: 0xe3,
  reschedule: 0x28,
  semclaim: 0x7b,
  semrelease: 0x7c,
  // occam-pi extended rendezvous (`c ?? x`), with the codes KRoC's Transterpreter uses (docs/isa.md)
  xable: 0xe8,
  xin: 0xe9,
  xend: 0xec,
  // occmesh extensions (docs/isa.md)
  haltp: 0xf0,
  barenroll: 0xf1,
  barsync: 0xf2,
} as const;
export type OpName = keyof typeof Op;

/**
 * Cycle costs. `base` is the cost the emulator charges for the instruction; where the real cost depends on the
 * data (cj taken, in/out word counts, shifts, timer waits), `note` gives the formula and the emulator adds the
 * variable part where it executes the instruction. Figures: INMOS T414/T800 data (docs/isa.md, Cycle
 * accounting).
 */
export interface InstrInfo {
  readonly name: string;
  readonly code: number;
  readonly base: number;
  readonly note?: string;
  /** A descheduling point: the process may be switched out here. */
  readonly deschedules?: boolean;
  /** May set the Error flag. */
  readonly setsError?: boolean;
  readonly description: string;
}

const d = (
  name: string,
  code: number,
  base: number,
  description: string,
  extra: Partial<Pick<InstrInfo, 'note' | 'deschedules' | 'setsError'>> = {},
): InstrInfo => ({ name, code, base, description, ...extra });

/** Direct functions, indexed by function code. */
export const DIRECT: readonly InstrInfo[] = [
  d('j', Fn.j, 3, 'jump relative to the next instruction', { deschedules: true }),
  d('ldlp', Fn.ldlp, 1, 'load local pointer: push Wptr + 4n'),
  d('pfix', Fn.pfix, 1, 'prefix: Oreg <- Oreg << 4'),
  d('ldnl', Fn.ldnl, 2, 'load non-local: A <- word at A + 4n'),
  d('ldc', Fn.ldc, 1, 'load constant'),
  d('ldnlp', Fn.ldnlp, 1, 'load non-local pointer: A <- A + 4n'),
  d('nfix', Fn.nfix, 1, 'negative prefix: Oreg <- (~Oreg) << 4'),
  d('ldl', Fn.ldl, 2, 'load local: push word at Wptr + 4n'),
  d('adc', Fn.adc, 1, 'add constant (checked)', { setsError: true }),
  d('call', Fn.call, 7, 'call: save Iptr, A, B, C below Wptr, Wptr -= 16, jump'),
  d('cj', Fn.cj, 2, 'conditional jump if A = 0 (A kept); else pop', { note: '2 not taken, 4 taken' }),
  d('ajw', Fn.ajw, 1, 'adjust workspace: Wptr += 4n'),
  d('eqc', Fn.eqc, 2, 'equals constant: A <- (A = n)'),
  d('stl', Fn.stl, 1, 'store local: word at Wptr + 4n <- pop'),
  d('stnl', Fn.stnl, 2, 'store non-local: word at A + 4n <- B'),
  d('opr', Fn.opr, 0, 'operate: execute operation Oreg'),
];

/** Operations, by name. */
export const OPERATIONS: readonly InstrInfo[] = [
  d('rev', Op.rev, 1, 'swap A and B'),
  d('lb', Op.lb, 5, 'load byte at A'),
  d('bsub', Op.bsub, 1, 'byte subscript: A <- A + B'),
  d('endp', Op.endp, 13, 'end process: join the PAR whose block is at A', { deschedules: true }),
  d('diff', Op.diff, 1, 'difference, unchecked: A <- B - A'),
  d('add', Op.add, 1, 'add, checked: A <- B + A', { setsError: true }),
  d('gcall', Op.gcall, 4, 'general call: swap A and Iptr'),
  d('in', Op.in, 19, 'input A bytes from channel B to C', { note: '2w + 19, w = words moved', deschedules: true }),
  d('prod', Op.prod, 4, 'product, unchecked: A <- B * A', { note: 'b + 4, b = highest set bit of A' }),
  d('gt', Op.gt, 2, 'greater than: A <- (B > A)'),
  d('wsub', Op.wsub, 2, 'word subscript: A <- A + 4B'),
  d('out', Op.out, 19, 'output A bytes from C to channel B', { note: '2w + 19, w = words moved', deschedules: true }),
  d('sub', Op.sub, 1, 'subtract, checked: A <- B - A', { setsError: true }),
  d('startp', Op.startp, 12, 'start process: workspace A, code at next instruction + B', { deschedules: true }),
  d('outbyte', Op.outbyte, 23, 'output the byte A to channel B', { deschedules: true }),
  d('outword', Op.outword, 23, 'output the word A to channel B', { deschedules: true }),
  d('seterr', Op.seterr, 1, 'set the Error flag', { setsError: true }),
  d('resetch', Op.resetch, 3, 'reset channel A, returning its old word'),
  d('csub0', Op.csub0, 2, 'check subscript from 0: Error if B >= A unsigned; A <- B', { setsError: true }),
  d('stopp', Op.stopp, 11, 'stop process: save Iptr and deschedule without queueing', { deschedules: true }),
  d('ladd', Op.ladd, 2, 'long add: A <- B + A + (C & 1), checked', { setsError: true }),
  d('stlb', Op.stlb, 1, 'store low-priority back pointer'),
  d('sthf', Op.sthf, 1, 'store high-priority front pointer'),
  d('norm', Op.norm, 5, 'normalise the double word BA; C <- shift count', { note: 'n + 5, n = places shifted' }),
  d('ldiv', Op.ldiv, 35, 'long divide CB by A: A <- quotient, B <- remainder', { setsError: true }),
  d('ldpi', Op.ldpi, 2, 'load pointer to instruction: A <- next Iptr + A'),
  d('stlf', Op.stlf, 1, 'store low-priority front pointer'),
  d('xdble', Op.xdble, 2, 'extend A to a double word in BA'),
  d('ldpri', Op.ldpri, 1, 'load current priority (0 high, 1 low)'),
  d('rem', Op.rem, 37, 'remainder, checked: A <- B rem A', { setsError: true }),
  d('ret', Op.ret, 5, 'return: Iptr <- W[0], Wptr += 16'),
  d('lend', Op.lend, 10, 'loop end: block at B, A = distance back', {
    note: '10 looping, 5 exiting',
    deschedules: true,
  }),
  d('ldtimer', Op.ldtimer, 2, "load the current priority's timer"),
  d('testerr', Op.testerr, 2, 'push NOT Error and clear Error', { note: '2 Error clear, 3 Error set' }),
  d('testpranal', Op.testpranal, 2, 'test processor analysing: push FALSE'),
  d('tin', Op.tin, 30, 'timer input: wait until the timer is AFTER A', {
    note: '30 waits, 4 time already past',
    deschedules: true,
  }),
  d('div', Op.div, 39, 'divide, checked: A <- B / A', { setsError: true }),
  d('dist', Op.dist, 23, 'disable timer guard: C = time, B = guard, A = offset'),
  d('disc', Op.disc, 8, 'disable channel guard: C = channel, B = guard, A = offset'),
  d('diss', Op.diss, 4, 'disable SKIP guard: B = guard, A = offset'),
  d('lmul', Op.lmul, 33, 'long multiply: BA <- B * A + C unsigned'),
  d('not', Op.not, 1, 'bitwise not'),
  d('xor', Op.xor, 1, 'bitwise exclusive or'),
  d('bcnt', Op.bcnt, 2, 'byte count: A <- 4A'),
  d('lshr', Op.lshr, 3, 'long shift right of CB by A', { note: 'n + 3' }),
  d('lshl', Op.lshl, 3, 'long shift left of CB by A', { note: 'n + 3' }),
  d('lsum', Op.lsum, 3, 'long sum, unchecked, carry in C'),
  d('lsub', Op.lsub, 2, 'long subtract, checked, borrow in C', { setsError: true }),
  d('runp', Op.runp, 10, 'run process with descriptor A'),
  d('xword', Op.xword, 4, 'sign-extend B from the bit given by A'),
  d('sb', Op.sb, 4, 'store byte: byte at A <- B'),
  d('gajw', Op.gajw, 2, 'general adjust workspace: swap A and Wptr'),
  d('savel', Op.savel, 4, 'save low-priority queue pointers at A'),
  d('saveh', Op.saveh, 4, 'save high-priority queue pointers at A'),
  d('wcnt', Op.wcnt, 5, 'word count: A <- A / 4, B <- byte offset'),
  d('shr', Op.shr, 2, 'logical shift right of B by A', { note: 'n + 2' }),
  d('shl', Op.shl, 2, 'logical shift left of B by A', { note: 'n + 2' }),
  d('mint', Op.mint, 1, 'load the most negative integer'),
  d('alt', Op.alt, 2, 'ALT start'),
  d('altwt', Op.altwt, 5, 'ALT wait', { note: '5 a guard ready, 17 waits', deschedules: true }),
  d('altend', Op.altend, 4, 'ALT end: jump to the selected branch'),
  d('and', Op.and, 1, 'bitwise and'),
  d('enbt', Op.enbt, 8, 'enable timer guard: B = time, A = guard'),
  d('enbc', Op.enbc, 5, 'enable channel guard: B = channel, A = guard', { note: '7 ready, 5 not ready' }),
  d('enbs', Op.enbs, 3, 'enable SKIP guard: A = guard'),
  d('move', Op.move, 8, 'move A bytes from C to B', { note: '2w + 8, w = words moved' }),
  d('or', Op.or, 1, 'bitwise or'),
  d('csngl', Op.csngl, 3, 'check single: Error unless BA fits in one word', { setsError: true }),
  d('ccnt1', Op.ccnt1, 3, 'check count from 1: Error if B = 0 or B > A unsigned', { setsError: true }),
  d('talt', Op.talt, 4, 'timer ALT start'),
  d('ldiff', Op.ldiff, 3, 'long difference, unchecked, borrow in C'),
  d('sthb', Op.sthb, 1, 'store high-priority back pointer'),
  d('taltwt', Op.taltwt, 15, 'timer ALT wait', { note: '15 time past, 48 waits', deschedules: true }),
  d('sum', Op.sum, 1, 'sum, unchecked: A <- B + A'),
  d('mul', Op.mul, 40, 'multiply, checked: A <- B * A', { setsError: true }),
  d('sttimer', Op.sttimer, 1, 'set both timers to A and start them'),
  d('stoperr', Op.stoperr, 2, 'stop the process if Error is set', { deschedules: true }),
  d('cword', Op.cword, 5, 'check word: Error unless B fits in a signed field of A bits', { setsError: true }),
  d('clrhalterr', Op.clrhalterr, 1, 'clear HaltOnError'),
  d('sethalterr', Op.sethalterr, 1, 'set HaltOnError'),
  d('testhalterr', Op.testhalterr, 2, 'push HaltOnError'),
  d('dup', Op.dup, 1, 'duplicate A'),
  // T800 FPU: typical cycle counts from the INMOS tables (pahihu/t4 Notebook.txt); where single and double differ,
  // `base` is the single-length figure and the emulator charges the double-length one for REAL64 operands.
  d('fpldnldbi', Op.fpldnldbi, 6, 'FP load double at A + 8B'),
  d('fpchkerr', Op.fpchkerr, 1, 'set Error if FP_Error is set', { setsError: true }),
  d('fpstnldb', Op.fpstnldb, 3, 'FP store FA as a double at A; pop FA'),
  d('fpldnlsni', Op.fpldnlsni, 4, 'FP load single at A + 4B'),
  d('fpadd', Op.fpadd, 6, 'FP add: FA <- FB + FA'),
  d('fpstnlsn', Op.fpstnlsn, 2, 'FP store FA as a single at A; pop FA'),
  d('fpsub', Op.fpsub, 6, 'FP subtract: FA <- FB - FA'),
  d('fpldnldb', Op.fpldnldb, 3, 'FP load double at A'),
  d('fpmul', Op.fpmul, 11, 'FP multiply: FA <- FB * FA', { note: '11 single, 18 double' }),
  d('fpdiv', Op.fpdiv, 16, 'FP divide: FA <- FB / FA', { note: '16 single, 31 double' }),
  d('fpldnlsn', Op.fpldnlsn, 2, 'FP load single at A'),
  d('fpremfirst', Op.fpremfirst, 36, 'FP remainder FB REM FA (occmesh: completes in one step; pushes 0)'),
  d('fpremstep', Op.fpremstep, 32, 'FP remainder step (occmesh: nothing left to do; pushes 0)'),
  d('fpnan', Op.fpnan, 2, 'push whether FA is a NaN'),
  d('fpordered', Op.fpordered, 3, 'push whether FA and FB are ordered (neither is a NaN)'),
  d('fpnotfinite', Op.fpnotfinite, 2, 'push whether FA is infinite or a NaN'),
  d('fpgt', Op.fpgt, 4, 'push FB > FA; pop FA and FB'),
  d('fpeq', Op.fpeq, 3, 'push FB = FA; pop FA and FB'),
  d('fpi32tor32', Op.fpi32tor32, 8, 'FP load the INT32 at A as a single'),
  d('fpi32tor64', Op.fpi32tor64, 8, 'FP load the INT32 at A as a double'),
  d('fpb32tor64', Op.fpb32tor64, 8, 'FP load the unsigned 32-bit word at A as a double'),
  d('fptesterr', Op.fptesterr, 2, 'push NOT FP_Error and clear FP_Error'),
  d('fprtoi32', Op.fprtoi32, 7, 'FA <- FA rounded to an INT32 (FP_Error if out of range)'),
  d('fpstnli32', Op.fpstnli32, 4, 'store the INT32 in FA at A; pop FA'),
  d('fpldzerosn', Op.fpldzerosn, 2, 'FP push 0.0 single'),
  d('fpldzerodb', Op.fpldzerodb, 2, 'FP push 0.0 double'),
  d('fpint', Op.fpint, 5, 'FA <- FA rounded to an integral value'),
  d('fpdup', Op.fpdup, 1, 'FP duplicate FA'),
  d('fprev', Op.fprev, 1, 'FP swap FA and FB'),
  d('fpldnladddb', Op.fpldnladddb, 9, 'FA <- FA + double at A'),
  d('fpldnlmuldb', Op.fpldnlmuldb, 21, 'FA <- FA * double at A'),
  d('fpldnladdsn', Op.fpldnladdsn, 8, 'FA <- FA + single at A'),
  d('fpentry', Op.fpentry, 1, 'FP unit entry: execute the FPU operation selected by A', {
    note: '1 + the selected operation',
  }),
  d('fpldnlmulsn', Op.fpldnlmulsn, 13, 'FA <- FA * single at A'),
  d('malloc', Op.malloc, 20, 'allocate A bytes from the heap: A <- address of the block', {
    note: '20 + 2 per free block examined',
  }),
  d('mrelease', Op.mrelease, 12, 'release the heap block at A; pop', { note: '12 + 2 per free block passed' }),
  d('reschedule', Op.reschedule, 4, 'put the running process at the back of its run queue', {
    deschedules: true,
  }),
  d('semclaim', Op.semclaim, 6, 'claim the semaphore of the channel end A (bit 0: input end); pop; wait if held', {
    note: '6 free, 18 waits',
    deschedules: true,
  }),
  d('semrelease', Op.semrelease, 6, 'release the semaphore of the channel end A to its first waiter; pop', {
    note: '6, 10 handing over',
  }),
  d('xable', Op.xable, 6, 'extended input: wait until an outputter is ready on the channel at A; pop', {
    note: '6 an outputter waits, 18 waits',
    deschedules: true,
  }),
  d('xin', Op.xin, 19, 'extended input A bytes from channel B to C, leaving the outputter waiting', {
    note: '2w + 19, w = words moved',
  }),
  d('xend', Op.xend, 10, 'end an extended input on the channel at A: release its outputter; pop'),
  d('haltp', Op.haltp, 1, "occmesh: the boot process has finished; this core's program is done", {
    deschedules: true,
  }),
  d('barenroll', Op.barenroll, 4, 'occmesh: enroll B processes on the BARRIER at A (resign if negative); pop 2', {
    note: '4 + 2 per waiting process released',
  }),
  d('barsync', Op.barsync, 6, 'occmesh: synchronise on the BARRIER at A; pop; wait for the others', {
    note: '6 + 2 per process released, 12 waits',
    deschedules: true,
  }),
];

/** The FPU operations selected by `ldc k; fpentry` (k = the code below), with their typical cycle counts. */
export const FpOp = {
  fpusqrtfirst: 0x01,
  fpusqrtstep: 0x02,
  fpusqrtlast: 0x03,
  fpurp: 0x04,
  fpurm: 0x05,
  fpurz: 0x06,
  fpur32tor64: 0x07,
  fpur64tor32: 0x08,
  fpuexpdec32: 0x09,
  fpuexpinc32: 0x0a,
  fpuabs: 0x0b,
  fpunoround: 0x0d,
  fpuchki32: 0x0e,
  fpuchki64: 0x0f,
  fpudivby2: 0x11,
  fpumulby2: 0x12,
  fpurn: 0x22,
  fpuseterr: 0x23,
  fpuclrerr: 0x9c,
} as const;
export type FpOpName = keyof typeof FpOp;

export const FPENTRY_OPERATIONS: readonly InstrInfo[] = [
  d('fpusqrtfirst', FpOp.fpusqrtfirst, 27, 'square root, first step (occmesh: the whole root)'),
  d('fpusqrtstep', FpOp.fpusqrtstep, 42, 'square root step (occmesh: nothing left to do)'),
  d('fpusqrtlast', FpOp.fpusqrtlast, 8, 'square root, last step (occmesh: nothing left to do)'),
  d('fpurp', FpOp.fpurp, 1, 'round the next operation towards plus infinity'),
  d('fpurm', FpOp.fpurm, 1, 'round the next operation towards minus infinity'),
  d('fpurz', FpOp.fpurz, 1, 'round the next operation towards zero'),
  d('fpur32tor64', FpOp.fpur32tor64, 3, 'FA <- FA (single) as a double'),
  d('fpur64tor32', FpOp.fpur64tor32, 6, 'FA <- FA (double) rounded to a single'),
  d('fpuexpdec32', FpOp.fpuexpdec32, 6, 'FA <- FA / 2^32'),
  d('fpuexpinc32', FpOp.fpuexpinc32, 6, 'FA <- FA * 2^32'),
  d('fpuabs', FpOp.fpuabs, 2, 'FA <- |FA|'),
  d('fpunoround', FpOp.fpunoround, 2, 'FA <- FA (double) as a single, truncated'),
  d('fpuchki32', FpOp.fpuchki32, 3, 'FP_Error unless FA is in the INT32 range'),
  d('fpuchki64', FpOp.fpuchki64, 3, 'FP_Error unless FA is in the INT64 range'),
  d('fpudivby2', FpOp.fpudivby2, 6, 'FA <- FA / 2'),
  d('fpumulby2', FpOp.fpumulby2, 6, 'FA <- FA * 2'),
  d('fpurn', FpOp.fpurn, 1, 'round the next operation to nearest'),
  d('fpuseterr', FpOp.fpuseterr, 1, 'set FP_Error'),
  d('fpuclrerr', FpOp.fpuclrerr, 1, 'clear FP_Error'),
];

/**
 * The data-dependent parts of cycle costs: the alternatives and per-unit charges that the `note`s above describe.
 * The interpreter (core.ts, fpu.ts) and the translator (semantics.ts) read them from here, so isa.ts is the one
 * source of every cycle figure (docs/isa.md, Cycle accounting).
 */
export const VARIANT_CYCLES = {
  /** `cj` when it jumps (the base, 2, is the fall-through cost). */
  cjTaken: 4,
  /** `lend` when it exits (the base, 10, is the looping cost). */
  lendExit: 5,
  /** `altwt` when it waits (the base, 5, is the cost with a guard ready). */
  altwtWaits: 17,
  /** `taltwt` when it waits (the base, 15, is the cost when the time has passed). */
  taltwtWaits: 48,
  /** `tin` when the time has already passed (the base, 30, is the cost when it waits). */
  tinPast: 4,
  /** `enbc` when the channel is ready (the base, 5, is the cost when it is not). */
  enbcReady: 7,
  /** `testerr` when Error is set (the base, 2, is the cost when it is clear). */
  testerrSet: 3,
  /** `in`, `out`, `move`: added per word moved (a partial word counts as a whole one). */
  perWordMoved: 2,
  /** `shl`, `shr`: added per place shifted, up to `shiftCap` places. */
  shiftCap: 32,
  /** `lshl`, `lshr`: added per place shifted, up to `longShiftCap` places. */
  longShiftCap: 64,
  /** `fpmul` and `fpdiv` on REAL64 operands: added to the single-length base. */
  fpmulDouble: 7,
  fpdivDouble: 15,
  /** `xable` when it waits (the base, 6, is the cost when an outputter is already waiting). */
  xableWaits: 12,
  /** `malloc`, `mrelease`: added per heap block passed over or merged (emulator/heap.ts). */
  heapPerBlock: 2,
} as const;

/** Base cycle cost of each fpentry operation, indexed by its selector (0 where there is no such operation). */
export const FPENTRY_CYCLES: Int32Array = (() => {
  const t = new Int32Array(256);
  for (const o of FPENTRY_OPERATIONS) t[o.code] = o.base;
  return t;
})();

const byCode = new Map<number, InstrInfo>(OPERATIONS.map((o) => [o.code, o]));
const byName = new Map<string, InstrInfo>(OPERATIONS.map((o) => [o.name, o]));

/** Base cycle cost of each operation, indexed by operation code (0 where there is no such operation). */
export const OP_CYCLES: Int32Array = (() => {
  const t = new Int32Array(256);
  for (const o of OPERATIONS) t[o.code] = o.base;
  return t;
})();

/** Base cycle cost of each direct function, indexed by function code. */
export const FN_CYCLES: Int32Array = Int32Array.from(DIRECT.map((f) => f.base));

export function operationByCode(code: number): InstrInfo | undefined {
  return byCode.get(code);
}

export function operationByName(name: string): InstrInfo | undefined {
  return byName.get(name);
}

export function isOperation(name: string): name is OpName {
  return byName.has(name);
}

export function isDirect(name: string): name is FnName {
  return Object.prototype.hasOwnProperty.call(Fn, name);
}

/**
 * Encode a direct function with an operand as prefix bytes followed by the function byte.
 * Positive operands are built with pfix, negative ones with nfix (the Transputer's scheme: for e < 0 encode
 * nfix of (~e) >> 4, then the low nibble).
 */
export function encode(fn: number, operand: number, out: number[] = []): number[] {
  operand |= 0;
  prefixes(operand, out);
  out.push((fn << 4) | (operand & 0xf));
  return out;
}

function prefixes(e: number, out: number[]): void {
  if (e >= 0 && e < 16) return;
  if (e >= 16) {
    const hi = e >>> 4;
    prefixes(hi, out);
    out.push((Fn.pfix << 4) | (hi & 0xf));
  } else {
    const hi = ~e >> 4;
    prefixes(hi, out);
    out.push((Fn.nfix << 4) | (hi & 0xf));
  }
}

/** The encoded length in bytes of a direct function with this operand. */
export function encodedLength(operand: number): number {
  operand |= 0;
  let n = 1;
  let e = operand;
  while (!(e >= 0 && e < 16)) {
    e = e >= 16 ? e >>> 4 : ~e >> 4;
    n++;
  }
  return n;
}

/** Encode an operation (`opr` with prefixes as needed). */
export function encodeOp(code: number, out: number[] = []): number[] {
  return encode(Fn.opr, code, out);
}

export interface Decoded {
  /** Offset of the first prefix byte. */
  readonly offset: number;
  /** Bytes taken, prefixes included. */
  readonly length: number;
  readonly fn: number;
  /** The operand as the processor sees it (Oreg after the final byte is ORed in). */
  readonly operand: number;
  /** Mnemonic: the direct function, or the operation for `opr`. */
  readonly name: string;
}

/** Decode the instruction (prefixes and all) starting at `offset`. */
export function decode(code: Uint8Array, offset: number): Decoded {
  let oreg = 0;
  let p = offset;
  for (;;) {
    if (p >= code.length) {
      return { offset, length: p - offset, fn: -1, operand: oreg, name: '(truncated)' };
    }
    const b = code[p++]!;
    const fn = b >> 4;
    oreg = oreg | (b & 0xf) | 0;
    if (fn === Fn.pfix) {
      oreg = (oreg << 4) | 0;
    } else if (fn === Fn.nfix) {
      oreg = (~oreg << 4) | 0;
    } else {
      let name: string;
      if (fn === Fn.opr) name = byCode.get(oreg)?.name ?? `opr #${(oreg >>> 0).toString(16)}`;
      else name = DIRECT[fn]!.name;
      return { offset, length: p - offset, fn, operand: oreg, name };
    }
  }
}

/** Machine constants shared by the code generator and the emulator. */
export const MOST_NEG = 0x80000000 | 0;
export const NOT_PROCESS = MOST_NEG;
export const ENABLING = (MOST_NEG + 1) | 0;
export const WAITING = (MOST_NEG + 2) | 0;
export const READY = (MOST_NEG + 3) | 0;
export const DISABLING = READY;
export const TIME_SET = (MOST_NEG + 1) | 0;
export const TIME_NOT_SET = (MOST_NEG + 2) | 0;
export const NONE_SELECTED = -1;
export const WORD = 4;

/** Workspace slots below Wptr used by the scheduler and instructions (word offsets). */
export const WS = {
  iptr: -1,
  link: -2,
  state: -3,
  pointer: -3,
  tlink: -4,
  time: -5,
} as const;
