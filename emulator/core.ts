// One Transputer core: registers, private memory, the two-priority scheduler with its run and timer queues, and the
// instruction interpreter with T414/T800 semantics and cycle costs (docs/isa.md describes the machine as implemented).
//
// Speed: the interpreter keeps the evaluation stack, Wptr, Iptr (as a byte offset into memory) and the cycle count in
// locals of one method (`execute`). Frequent, simple instructions run there; instructions that touch the scheduler,
// channels or timers go through `operate`, with the locals written back to the fields before and read again after.
// Channel communication on this core's memory, startp and endp also run in the loop when nobody watches the process
// events, a context switch to the next process of the same priority included; whatever they cannot do exactly as
// `operate` would (a link, a device, an ALT partner, a change of priority, an address outside memory) they hand to
// it before changing anything. What a blocked process waits on is a word of a table (`waits`), not an object.
// Nothing allocates per instruction. Errors unwind with a preallocated sentinel, never a JS exception object.

import type { Random } from './faults.js';
import {
  decode,
  FN_CYCLES,
  OP_CYCLES,
  MOST_NEG,
  NOT_PROCESS,
  ENABLING,
  WAITING,
  READY,
  TIME_SET,
  TIME_NOT_SET,
  NONE_SELECTED,
  VARIANT_CYCLES,
} from './isa.js';
import {
  BOOT_RESERVE_WORDS,
  DEFAULT_MEMORY_BYTES,
  DEVICE_BASE,
  HOST_ERROR,
  HOST_KEYBOARD,
  HOST_SCREEN,
  MEM_START,
  MESH_CHANNEL_BASE,
} from './image.js';
import { ByteSink } from './sink.js';
import type { Network } from './network.js';
import type { EventBus } from './events.js';
import { Fpu } from './fpu.js';
import { EXIT, HOT, MAX_ROOM, newTranslationKey, translationsOf } from './translate/cache.js';
import { heapInit, heapOperation } from './heap.js';
import { semaphoreOperation } from './semaphores.js';
import { schedulingOperation } from './scheduling.js';

/** Byte offset of MemStart from MostNeg: addresses below it are links, scheduler words and host devices. */
const MEM_START_OFF = (MEM_START ^ MOST_NEG) >>> 0;
const DEVICE_OFF = (DEVICE_BASE ^ MOST_NEG) >>> 0;
/** Byte offset of the mesh channel endpoints (image.ts): no memory backs them. */
const MESH_OFF = (MESH_CHANNEL_BASE ^ MOST_NEG) >>> 0;

// Workspace slots below Wptr, as byte offsets (docs/codegen.md, Workspace frames).
const S_IPTR = -4;
const S_LINK = -8;
const S_STATE = -12;
const S_TLINK = -16;
const S_TIME = -20;

// The data-dependent cycle costs, from isa.ts (VARIANT_CYCLES): the alternatives its notes describe (the INMOS
// T414/T800 figures; docs/isa.md, Cycle accounting).
const CJ_TAKEN = VARIANT_CYCLES.cjTaken;
const LEND_EXIT = VARIANT_CYCLES.lendExit;
const ALTWT_WAITS = VARIANT_CYCLES.altwtWaits;
const TALTWT_WAITS = VARIANT_CYCLES.taltwtWaits;
const TIN_PAST = VARIANT_CYCLES.tinPast;
const ENBC_READY = VARIANT_CYCLES.enbcReady;
const TESTERR_SET = VARIANT_CYCLES.testerrSet;
const PER_WORD = VARIANT_CYCLES.perWordMoved;
const XABLE_WAITS = VARIANT_CYCLES.xableWaits;
const SHIFT_CAP = VARIANT_CYCLES.shiftCap;
const LONG_SHIFT_CAP = VARIANT_CYCLES.longShiftCap;

/**
 * Cycles before a batch's limit within which the interpreter's visits to an address do not count towards
 * translating it: there it runs what a block had no room for (blocks' bounds are mostly below this).
 */
const NEAR_LIMIT = 128;

/** A timeslice period: 1024 µs of the timer (docs/isa.md, Processes and scheduling). */
const TIMESLICE_MICROSECONDS = 1024;

/** What a blocked process waits on (the low three bits of a wait record). */
export const WAIT_INPUT = 1;
export const WAIT_OUTPUT = 2;
export const WAIT_ALT = 3;
export const WAIT_TIMER = 4;
export const WAIT_STOPPED = 5;
export const WAIT_ENDP = 6;
export const WAIT_CLAIM = 7;
/** Waiting at a BARRIER (its wait record always has the barrier's address, so it is never 0). */
export const WAIT_SYNC = 0;

export type WaitKindName = 'input' | 'output' | 'alt' | 'timer' | 'stopped' | 'endp' | 'claim' | 'sync';
const WAIT_NAMES: readonly WaitKindName[] = ['sync', 'input', 'output', 'alt', 'timer', 'stopped', 'endp', 'claim'];

export type CoreState = 'running' | 'idle' | 'blocked' | 'finished' | 'error' | 'crashed';

/**
 * Supplies keyboard bytes one at a time, when the program reads them: the next byte, or -1 at the end of input.
 * Asking only on demand means a program that never reads its keyboard never waits for one.
 */
export type KeyboardSource = () => number;

/**
 * What a KeyboardSource returns when no byte is there yet but one may come (the debugger's console): the reading
 * process waits on the keyboard channel like any input, and `keyboardReady()` resumes it once bytes have arrived.
 * A plain run never sees it.
 */
export const KEY_WAIT = -2;

/** A process of a core, for the debugger: where it is and what it is doing. */
export interface CoreProcess {
  readonly wptr: number;
  /** Code offset where it is (running) or resumes (any other state); -1 if outside the loaded code. */
  readonly iptr: number;
  readonly priority: 0 | 1;
  /** running: executing now; interrupted: preempted by a high-priority process; ready: on a run queue. */
  readonly state: 'running' | 'interrupted' | 'ready' | WaitKindName;
  /** The channel address, for input and output. */
  readonly channel?: number;
  /** For a process on a timer queue: the TIMER value it waits for. */
  readonly until?: number;
}

export interface CoreOptions {
  x?: number;
  y?: number;
  /** Bytes of private memory, a multiple of 4 (default DEFAULT_MEMORY_BYTES). */
  memoryBytes?: number;
  /** Processor clock; the timers tick once per microsecond of emulated time (default 20 MHz). */
  clockHz?: number;
  /** Whether the host devices (screen, error, keyboard) are attached to this core. */
  host?: boolean;
  /** Keyboard bytes; once they are used up every byte read is 255 (end of file). */
  stdin?: Uint8Array | KeyboardSource;
  onScreen?: (bytes: Uint8Array) => void;
  onError?: (bytes: Uint8Array) => void;
  /**
   * Where the core's memory lives: `memoryBytes` bytes at `byteOffset` of a zeroed buffer shared with other cores
   * (machine.ts gives a big mesh's cores one large buffer, whose untouched pages the host never makes resident).
   * By default the core has a buffer of its own.
   */
  memory?: { readonly buffer: ArrayBuffer; readonly byteOffset: number };
  /**
   * Where the core's wait table (Core.waits, `waitTableBytes(memoryBytes)` bytes) lives, in a zeroed buffer shared
   * like `memory`. By default it has a buffer of its own.
   */
  waits?: { readonly buffer: ArrayBuffer; readonly byteOffset: number };
}

/** Bytes of a core's wait table (Core.waits): a word per word of memory and one more. */
export function waitTableBytes(memoryBytes: number): number {
  return memoryBytes + 4;
}

/** A run-time error that halted the core. */
export interface CoreFault {
  /** Code offset (from MemStart) of the failing instruction's first byte. */
  readonly offset: number;
  readonly instruction: string;
  readonly reason: string;
  readonly wptr: number;
  readonly cycle: number;
}

/** A process that is descheduled and not on a run queue. */
export interface CoreBlocked {
  readonly wptr: number;
  /** Address where the process resumes (the successor's address for a PAR waiting in endp). */
  readonly resume: number;
  /** Code offset of the resume address, -1 if it is not inside the loaded code. */
  readonly iptr: number;
  readonly priority: 0 | 1;
  readonly kind: WaitKindName;
  /** The channel address, for input and output. */
  readonly channel?: number;
}

/** Thrown (never constructed per use) to unwind the interpreter when the core halts. */
const HALT: { readonly halt: true } = Object.freeze({ halt: true });

/** Pseudo operation code for the timeslice taken at `j` and `lend`. */
const TIMESLICE = 0x1000;

export function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export class Core {
  readonly x: number;
  readonly y: number;
  readonly memoryBytes: number;
  readonly clockHz: number;
  readonly cyclesPerMicrosecond: number;
  /** Cycles in one timeslice period. */
  readonly slicePeriod: number;
  readonly host: boolean;

  readonly memory: ArrayBuffer;
  readonly mem8: Uint8Array;
  readonly mem32: Int32Array;
  /**
   * What each descheduled process waits on, one word per word of memory (and one more, for a Wptr at the very top),
   * indexed by the word index of its Wptr (for a PAR waiting in endp, of its join block): 0 when nothing is
   * recorded, else (channel word index << 4) | (priority << 3) | WAIT_*. Recording and clearing are one store each,
   * with nothing allocated; the table lives in the same kind of shared buffer as memory (CoreOptions.waits), so its
   * pages become resident only where processes wait. Read it through waitRecord/blockedProcesses.
   */
  readonly waits: Int32Array;
  /** The lowest and highest index ever recorded in `waits` (reports scan only between them); low > high if none. */
  waitLow: number;
  waitHigh = -1;
  /** The links, for channel instructions on mesh channel addresses (set by the Machine). */
  net: Network | null = null;
  /** Process events go here when someone listens (set by the Machine). */
  events: EventBus | null = null;

  // Registers. Iptr and Wptr are addresses; Oreg is always 0 between instructions (prefixes are never interrupted).
  A = 0;
  B = 0;
  C = 0;
  Oreg = 0;
  Wptr = 0;
  Iptr = 0;
  priority: 0 | 1 = 1;
  Error = false;
  HaltOnError = false;
  /** Whether a process is executing (Wptr/Iptr/priority describe it). */
  active = false;
  /** The heap (emulator/heap.ts): its first byte, the top of the used part, its end, the free list, bytes in use. */
  heapBase = 0;
  heapTop = 0;
  heapLimit = 0;
  heapFree = NOT_PROCESS;
  heapUsed = 0;
  heapPeak = 0;
  /** Semaphores of claimed SHARED channel ends (emulator/semaphores.ts). */
  readonly semaphores = new Map<number, number[]>();
  /** The T800 floating-point unit (emulator/fpu.ts). */
  readonly fpu = new Fpu();

  /** Run queues (front, back) and timer queues, indexed by priority; NotProcess when empty. */
  readonly fptr = Int32Array.of(NOT_PROCESS, NOT_PROCESS);
  readonly bptr = Int32Array.of(NOT_PROCESS, NOT_PROCESS);
  readonly tptr = Int32Array.of(NOT_PROCESS, NOT_PROCESS);

  /** The low-priority process interrupted by a high-priority one. */
  interrupted = false;
  intWptr = 0;
  intIptr = 0;
  intA = 0;
  intB = 0;
  intC = 0;
  intError = false;
  intHaltOnError = false;

  /** Cycle count of this core (idle time included). */
  cycles = 0;
  instructions = 0;
  /** Cycles spent executing instructions. */
  busyCycles = 0;
  /** TIMER value = timerBase + floor(cycles / cyclesPerMicrosecond), modulo 2^32. */
  timerBase = 0;
  /** Cycle at which the earliest timer-queue entry becomes due; Infinity when both timer queues are empty. */
  nextTimerCycle = Infinity;
  /** Cycle from which the running low-priority process may be timesliced at its next j or lend. */
  sliceDeadline = 0;

  state: CoreState = 'blocked';
  fault: CoreFault | null = null;
  /** The boot process has executed haltp. */
  finished = false;
  finishCycle = 0;
  hasBoot = false;
  codeLength = 0;
  /** Memory offset of the first byte of the instruction being executed. */
  instrStart = 0;

  /**
   * Debugger stops (tui/session.ts sets them; null and Infinity in a plain run). `breakMap[o]` non-zero stops
   * the core before it executes the instruction at memory offset o; `instructionStop` stops it once its instruction
   * count reaches that number. A stopped core has `paused` set; the next run resumes exactly where it left off, and
   * `breakSkip` lets the instruction it stopped before execute once.
   */
  breakMap: Uint8Array | null = null;
  instructionStop = Infinity;
  breakSkip = -1;
  paused = false;

  /**
   * Set by the machine while this core runs alone in a batch, which ends at the next network event: an event its
   * own channel operations create (a message sent, an acknowledgement of one taken) may wake another core, so the
   * core stops at the first such event (`horizon`) instead of running, or skipping idle time to a timer, past it.
   */
  alone = false;
  horizon = Infinity;

  /**
   * The key of this core's translated blocks (emulator/translate/cache.ts); null runs the interpreter only. Cores
   * with the same code share a key; a store into the code area gives the core a new one (codeStored).
   */
  jitKey: object | null = null;

  /**
   * With a seed (MachineOptions.seed): `fairMap[o]` is 1 where a plain ALT disables its guards (the image's
   * `fairAlts`), and such an ALT chooses among its ready guards with `altRandom`; `altSeen` counts, per priority,
   * the ready guards its disabling has met so far. Null without a seed: the first ready guard wins.
   */
  fairMap: Uint8Array | null = null;
  altRandom: Random | null = null;
  readonly altSeen = Int32Array.of(0, 0);

  private halted = false;
  private preemptPending = false;
  private inExec = false;

  private readonly stdin: Uint8Array | KeyboardSource;
  private stdinPos = 0;
  /** A process waiting for keyboard bytes that were not there yet (KEY_WAIT): its Wptr, where the rest goes, how many. */
  private keyWait: { w: number; dst: number; left: number } | null = null;
  private readonly screen = new ByteSink();
  private readonly errout = new ByteSink();
  private readonly screenLog: ByteSink | null;
  private readonly onScreen: ((bytes: Uint8Array) => void) | undefined;
  private readonly onError: ((bytes: Uint8Array) => void) | undefined;

  constructor(options: CoreOptions = {}) {
    this.x = options.x ?? 0;
    this.y = options.y ?? 0;
    const bytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    if (!Number.isInteger(bytes) || bytes % 4 !== 0 || bytes < 1024 || bytes > 1 << 30) {
      throw new RangeError(`memory size ${bytes} is invalid: it must be a multiple of 4 between 1024 and 2^30 bytes`);
    }
    this.memoryBytes = bytes;
    this.clockHz = options.clockHz ?? 20_000_000;
    if (!(this.clockHz >= 1_000_000)) throw new RangeError(`clock ${this.clockHz} Hz is invalid: at least 1 MHz`);
    this.cyclesPerMicrosecond = this.clockHz / 1_000_000;
    this.slicePeriod = Math.round(TIMESLICE_MICROSECONDS * this.cyclesPerMicrosecond);
    this.host = options.host ?? (this.x === 0 && this.y === 0);
    const offset = options.memory?.byteOffset ?? 0;
    this.memory = options.memory?.buffer ?? new ArrayBuffer(bytes);
    this.mem8 = new Uint8Array(this.memory, offset, bytes);
    this.mem32 = new Int32Array(this.memory, offset, bytes >> 2);
    const waitBytes = waitTableBytes(bytes);
    this.waits = new Int32Array(
      options.waits?.buffer ?? new ArrayBuffer(waitBytes),
      options.waits?.byteOffset ?? 0,
      waitBytes >> 2,
    );
    this.waitLow = waitBytes >> 2;
    this.stdin = options.stdin ?? new Uint8Array(0);
    this.onScreen = options.onScreen;
    this.onError = options.onError;
    this.screenLog = options.onScreen ? null : new ByteSink();
    if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) {
      throw new Error('occmesh needs a little-endian host (the Transputer is little-endian)');
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Loading and host-side access

  /**
   * Copy code to MemStart and make the boot process: low priority, Wptr just below the top of memory (leaving
   * BOOT_RESERVE_WORDS), Iptr = MemStart + entry, HaltOnError set.
   */
  load(code: Uint8Array, entry = 0, workspaceWords = 0): void {
    if (MEM_START_OFF + code.length > this.memoryBytes) throw new RangeError('code does not fit in memory');
    // The heap: from the end of the code to the bottom of the boot workspace and the words below it.
    heapInit(this, (MEM_START + code.length) | 0, (this.bootWptr - 4 * (workspaceWords + 5)) | 0);
    this.mem8.set(code, MEM_START_OFF);
    this.codeLength = code.length;
    this.Wptr = ((this.memoryBytes - BOOT_RESERVE_WORDS * 4) ^ MOST_NEG) & ~3;
    this.Iptr = (MEM_START + entry) | 0;
    this.priority = 1;
    this.active = true;
    this.hasBoot = true;
    this.HaltOnError = true;
    this.sliceDeadline = this.sliceDeadlineFrom(this.cycles);
    this.state = 'running';
  }

  /** The initial Wptr of the boot process. */
  get bootWptr(): number {
    return ((this.memoryBytes - BOOT_RESERVE_WORDS * 4) ^ MOST_NEG) & ~3;
  }

  readWord(addr: number): number {
    return this.mem32[this.hostOffset(addr, 4) >>> 2]!;
  }

  writeWord(addr: number, value: number): void {
    this.codeStored(this.hostOffset(addr, 4), 4);
    this.mem32[this.hostOffset(addr, 4) >>> 2] = value;
  }

  readByte(addr: number): number {
    return this.mem8[this.hostOffset(addr, 1)]!;
  }

  writeByte(addr: number, value: number): void {
    this.codeStored(this.hostOffset(addr, 1), 1);
    this.mem8[this.hostOffset(addr, 1)] = value;
  }

  private hostOffset(addr: number, n: number): number {
    const o = (addr ^ MOST_NEG) >>> 0;
    if (o + n > this.memoryBytes) throw new RangeError(`address #${hex8(addr)} is outside the core's memory`);
    return o;
  }

  /** The current TIMER value (both priorities: this emulator's low-priority clock also ticks every microsecond). */
  timer(): number {
    return (this.timerBase + Math.floor(this.cycles / this.cyclesPerMicrosecond)) | 0;
  }

  /** Bytes written to the screen so far (only kept when no onScreen callback was given). */
  screenOutput(): Uint8Array {
    return this.screenLog ? this.screenLog.peek() : new Uint8Array(0);
  }

  /** Hand buffered device output to the host callbacks. */
  flushOutput(): void {
    if (this.screen.length > 0) {
      const bytes = this.screen.take();
      if (this.onScreen) this.onScreen(bytes);
      else this.screenLog!.pushFrom(bytes, 0, bytes.length);
    }
    if (this.errout.length > 0) {
      const bytes = this.errout.take();
      if (this.onError) this.onError(bytes);
    }
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** A fault crashed this core (emulator/faults.ts): it halted with its processes where they were. */
  get isCrashed(): boolean {
    return this.state === 'crashed';
  }

  /** Crash the core (a `crash=` fault): nothing on it runs again; its memory and registers stay as they were. */
  crash(): void {
    if (this.halted) return;
    this.flushOutput();
    this.halted = true;
    this.state = 'crashed';
  }

  /** Cycle of the next event this core is waiting for (a timer); Infinity when there is none. */
  get nextEventCycle(): number {
    return this.nextTimerCycle;
  }

  /** Whether any process can run now (executing, queued, or interrupted). */
  get hasReadyProcess(): boolean {
    return this.active || this.interrupted || this.fptr[0] !== NOT_PROCESS || this.fptr[1] !== NOT_PROCESS;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Running

  /**
   * Run until the cycle count reaches `until`, or the core halts (finished or error), or nothing can run before
   * `until`. Idle time before a due timer is skipped (it counts as cycles but not as busy cycles).
   */
  run(until: number): CoreState {
    if (this.halted) return this.state;
    try {
      for (;;) {
        if (this.halted) break;
        if (this.cycles >= this.nextTimerCycle) this.wakeTimers();
        if (this.preemptPending) this.preempt();
        if (!this.active && !this.scheduleNext()) {
          const t = this.nextTimerCycle;
          if (t <= until && t <= this.horizon) {
            if (t > this.cycles) this.cycles = t;
            continue;
          }
          break;
        }
        if (this.cycles >= until || this.cycles >= this.horizon || this.paused) break;
        if (this.breakMap !== null || this.instructionStop !== Infinity) {
          // The debugger's stops: one instruction at a time, each looked at before it executes. The interpreter's
          // loop itself never tests for them, so a run without them pays nothing.
          if (this.debugStop()) {
            this.paused = true;
            break;
          }
          this.execute(this.cycles + 1);
        } else {
          // Without stops, nothing is skipped: a skip noted when the core stopped lapses once it runs on.
          this.breakSkip = -1;
          this.execute(until < this.horizon ? until : this.horizon);
        }
      }
    } catch (e) {
      this.unwound(e);
    }
    this.flushOutput();
    return this.updateState();
  }

  /**
   * Whether the debugger's stops halt the core before the instruction at Iptr: a breakpoint there (unless it is
   * the one the core stopped at, which executes once when it resumes), or the instruction count reached.
   */
  private debugStop(): boolean {
    const skip = this.breakSkip;
    this.breakSkip = -1;
    if (this.instructions >= this.instructionStop) {
      this.breakSkip = skip;
      return true;
    }
    const brk = this.breakMap;
    const ip = (this.Iptr ^ MOST_NEG) >>> 0;
    return brk !== null && ip < brk.length && brk[ip] !== 0 && ip !== skip;
  }

  /** Execute exactly one instruction (with its prefixes). Returns false if no process could run. */
  step(): boolean {
    if (this.halted) return false;
    try {
      if (this.cycles >= this.nextTimerCycle) this.wakeTimers();
      if (this.preemptPending) this.preempt();
      if (!this.active && !this.scheduleNext()) {
        this.updateState();
        return false;
      }
      // Every instruction costs at least one cycle, so a limit one cycle ahead executes exactly one.
      this.execute(this.cycles + 1);
    } catch (e) {
      this.unwound(e);
    }
    this.flushOutput();
    this.updateState();
    return true;
  }

  private unwound(e: unknown): void {
    if (e !== HALT) throw e;
    if (this.inExec) {
      this.inExec = false;
      this.busyCycles += this.cycles;
    }
  }

  private updateState(): CoreState {
    if (this.halted) return this.state;
    if (this.hasReadyProcess) this.state = 'running';
    else if (this.nextTimerCycle !== Infinity) this.state = 'idle';
    else this.state = 'blocked';
    return this.state;
  }

  /** The interpreter: runs processes until the cycle count reaches the limit or nothing can run. */
  private execute(until: number): void {
    const m8 = this.mem8;
    const m32 = this.mem32;
    const size = this.memoryBytes;
    const fnc = FN_CYCLES;
    const opc = OP_CYCLES;
    let a = this.A | 0;
    let b = this.B | 0;
    let c = this.C | 0;
    let w = this.Wptr | 0;
    let ip = (this.Iptr ^ MOST_NEG) >>> 0;
    let pri = this.priority;
    let slice = this.sliceDeadline;
    let cyc = this.cycles;
    let n = this.instructions;
    let limit = until < this.nextTimerCycle ? until : this.nextTimerCycle;
    let start = ip;
    const codeEnd = MEM_START_OFF + this.codeLength;
    // Translated blocks run only when no debugger stop is set (then the interpreter looks at every instruction).
    let jkey = this.jitKey;
    let jit =
      jkey !== null && this.breakMap === null && this.instructionStop === Infinity ? translationsOf(jkey) : null;
    // Its arrays, in locals: the loop looks them up at every dispatch.
    let jStart = jit !== null ? jit.codeStart : 0;
    let jLength = jit !== null ? jit.codeLength : 0;
    let jBlocks = jit !== null ? jit.blocks : [];
    let jBounds = jit !== null ? jit.bounds : new Float64Array(0);
    let jLabels = jit !== null ? jit.labels : new Int32Array(0);
    let inBlock = false;
    // For the channel and process instructions handled here (see `quiet` below): the queues, the wait table, and
    // whether anyone watches the process events (those instructions then take the general path, which emits them).
    const fptr = this.fptr;
    const bptr = this.bptr;
    const waits = this.waits;
    const period = this.slicePeriod;
    /** The start of the timeslice period the last switch in the loop fell in (computed at the first one). */
    let sliceBase = -Infinity;
    let quiet = this.events === null || !this.events.processes;
    /** Whether the general path (operate, the scheduler) is running, with the fields, not the locals, current. */
    let general = false;
    this.inExec = true;
    // Busy cycles: the start is taken off now and the end added when the interpreter stops (no field holds it).
    this.busyCycles -= cyc;

    // A run-time error unwinds from the middle of the loop: the instruction count, kept in a local, must not be lost.
    try {
      for (;;) {
        // One test on the common path: the debugger's stops are looked at only when it has set some.
        if (cyc >= limit) break;
        start = ip;
        if (jit !== null) {
          if (this.jitKey !== jkey) {
            jkey = this.jitKey;
            jit = translationsOf(jkey)!;
            jStart = jit.codeStart;
            jLength = jit.codeLength;
            jBlocks = jit.blocks;
            jBounds = jit.bounds;
            jLabels = jit.labels;
          }
          const k = ip - jStart;
          if (k >= 0 && k < jLength) {
            const f = jBlocks[k];
            if (f === undefined) {
              // Near the batch's limit the interpreter runs the instructions a block has no room for, at every
              // address of it in turn: those visits do not make an address hot.
              if (limit - cyc > NEAR_LIMIT && ++jit.heat[k]! >= HOT) jit.translate(m8, k);
            } else if (cyc + jBounds[k]! < limit) {
              inBlock = true;
              EXIT.cyc0 = cyc;
              EXIT.n0 = n;
              const room = limit - cyc;
              const toSlice = slice - cyc;
              f(
                this,
                m8,
                m32,
                EXIT,
                a,
                b,
                c,
                w,
                room < MAX_ROOM ? room : MAX_ROOM,
                pri,
                toSlice < MAX_ROOM ? (toSlice > -MAX_ROOM ? toSlice : -MAX_ROOM) : MAX_ROOM,
                codeEnd,
                quiet ? 1 : 0,
                jLabels[k]!,
              );
              inBlock = false;
              // A block that left before its first instruction made no progress: the interpreter executes it.
              if (EXIT.n !== 0) {
                a = EXIT.a;
                b = EXIT.b;
                c = EXIT.c;
                w = EXIT.w;
                ip = EXIT.ip;
                start = EXIT.s;
                cyc += EXIT.cyc;
                n += EXIT.n;
                // A block's channel instruction that switched processes set the new timeslice deadline.
                slice = this.sliceDeadline;
                continue;
              }
            }
          }
        }
        if (ip >= size) this.fetchFault(ip, start, w, cyc);
        let ib = m8[ip++]!;
        let fn = ib >> 4;
        let o = ib & 15;
        while ((fn & 0xb) === 2) {
          // pfix (2) or nfix (6): build the operand; the run is never interrupted.
          o = fn === 2 ? o << 4 : ~o << 4;
          cyc += fnc[fn]!;
          if (ip >= size) this.fetchFault(ip, start, w, cyc);
          ib = m8[ip++]!;
          fn = ib >> 4;
          o |= ib & 15;
        }
        n++;
        cyc += fnc[fn]!;
        let slow = -1;
        switch (fn) {
          case 0x0: // j
            ip = (ip + o) >>> 0;
            if (pri !== 0 && cyc >= slice) slow = TIMESLICE;
            break;
          case 0x1: // ldlp
            c = b;
            b = a;
            a = (w + (o << 2)) | 0;
            break;
          case 0x3: {
            // ldnl
            const x = ((a + (o << 2)) ^ MOST_NEG) >>> 0;
            if (x >= size) this.memFault(a + (o << 2), start, w, cyc);
            a = m32[x >>> 2]!;
            break;
          }
          case 0x4: // ldc
            c = b;
            b = a;
            a = o;
            break;
          case 0x5: // ldnlp
            a = (a + (o << 2)) | 0;
            break;
          case 0x7: {
            // ldl
            const x = ((w + (o << 2)) ^ MOST_NEG) >>> 0;
            if (x >= size) this.memFault(w + (o << 2), start, w, cyc);
            c = b;
            b = a;
            a = m32[x >>> 2]!;
            break;
          }
          case 0x8: {
            // adc
            const r = (a + o) | 0;
            if (((a ^ r) & (o ^ r)) < 0) this.raise('arithmetic overflow', start, w, cyc);
            a = r;
            break;
          }
          case 0x9: {
            // call: the new frame holds the return address and A, B, C; A = return address, B = old C
            const nw = (w - 16) | 0;
            const x = (nw ^ MOST_NEG) >>> 0;
            if (x + 16 > size) this.memFault(x >= size ? nw : w, start, w, cyc);
            const ret = (ip ^ MOST_NEG) | 0;
            if (x < codeEnd) this.codeStored(x, 16);
            const k = x >>> 2;
            m32[k] = ret;
            m32[k + 1] = a;
            m32[k + 2] = b;
            m32[k + 3] = c;
            w = nw;
            a = ret;
            b = c;
            ip = (ip + o) >>> 0;
            break;
          }
          case 0xa: // cj
            if (a === 0) {
              ip = (ip + o) >>> 0;
              cyc += CJ_TAKEN - fnc[0xa]!;
            } else {
              a = b;
              b = c;
            }
            break;
          case 0xb: // ajw
            w = (w + (o << 2)) | 0;
            break;
          case 0xc: // eqc
            a = a === o ? 1 : 0;
            break;
          case 0xd: {
            // stl
            const x = ((w + (o << 2)) ^ MOST_NEG) >>> 0;
            if (x >= size) this.memFault(w + (o << 2), start, w, cyc);
            if (x < codeEnd) this.codeStored(x, 4);
            m32[x >>> 2] = a;
            a = b;
            b = c;
            break;
          }
          case 0xe: {
            // stnl
            const x = ((a + (o << 2)) ^ MOST_NEG) >>> 0;
            if (x >= size) this.memFault(a + (o << 2), start, w, cyc);
            if (x < codeEnd) this.codeStored(x, 4);
            m32[x >>> 2] = b;
            a = c;
            b = c;
            break;
          }
          case 0xf:
            switch (o) {
              case 0x00: {
                // rev
                const t = a;
                a = b;
                b = t;
                cyc += opc[0x00]!;
                break;
              }
              case 0x01: {
                // lb
                const x = (a ^ MOST_NEG) >>> 0;
                if (x >= size) this.memFault(a, start, w, cyc);
                a = m8[x]!;
                cyc += opc[0x01]!;
                break;
              }
              case 0x02: // bsub
                a = (a + b) | 0;
                b = c;
                cyc += opc[0x02]!;
                break;
              case 0x04: // diff
                a = (b - a) | 0;
                b = c;
                cyc += opc[0x04]!;
                break;
              case 0x05: {
                // add
                const r = (b + a) | 0;
                if (((a ^ r) & (b ^ r)) < 0) this.raise('arithmetic overflow', start, w, cyc);
                a = r;
                b = c;
                cyc += opc[0x05]!;
                break;
              }
              case 0x06: {
                // gcall: swap A and Iptr
                const t = a;
                a = (ip ^ MOST_NEG) | 0;
                ip = (t ^ MOST_NEG) >>> 0;
                cyc += opc[0x06]!;
                break;
              }
              case 0x08: // prod: b + 4 cycles, b = number of the highest set bit of A
                cyc += opc[0x08]! + (a === 0 ? 0 : 31 - Math.clz32(a));
                a = Math.imul(b, a);
                b = c;
                break;
              case 0x09: // gt
                a = b > a ? 1 : 0;
                b = c;
                cyc += opc[0x09]!;
                break;
              case 0x0a: // wsub
                a = (a + (b << 2)) | 0;
                b = c;
                cyc += opc[0x0a]!;
                break;
              case 0x0c: {
                // sub
                const r = (b - a) | 0;
                if (((b ^ a) & (b ^ r)) < 0) this.raise('arithmetic overflow', start, w, cyc);
                a = r;
                b = c;
                cyc += opc[0x0c]!;
                break;
              }
              case 0x13: // csub0
                if (b >>> 0 >= a >>> 0) this.raise('subscript out of range', start, w, cyc);
                a = b;
                b = c;
                cyc += opc[0x13]!;
                break;
              case 0x1b: // ldpi
                a = (a + (ip ^ MOST_NEG)) | 0;
                cyc += opc[0x1b]!;
                break;
              case 0x1e: // ldpri
                c = b;
                b = a;
                a = pri;
                cyc += opc[0x1e]!;
                break;
              case 0x1f: // rem
                cyc += opc[0x1f]!;
                if (a === 0) {
                  this.raise('division by zero', start, w, cyc);
                } else if (a === -1) {
                  a = 0; // MinInt rem -1 is 0, with no Error, as on the T4
                } else {
                  a = (b % a) | 0;
                }
                b = c;
                break;
              case 0x20: {
                // ret
                const x = (w ^ MOST_NEG) >>> 0;
                if (x >= size) this.memFault(w, start, w, cyc);
                ip = (m32[x >>> 2]! ^ MOST_NEG) >>> 0;
                w = (w + 16) | 0;
                cyc += opc[0x20]!;
                break;
              }
              case 0x21: {
                // lend: B = control block (index, count), A = distance back
                const x = (b ^ MOST_NEG) >>> 0;
                if (x + 8 > size) this.memFault(x >= size ? b : b + 4, start, w, cyc);
                if (x < codeEnd) this.codeStored(x, 8);
                const k = x >>> 2;
                const count = (m32[k + 1]! - 1) | 0;
                m32[k + 1] = count;
                if (count > 0) {
                  m32[k] = (m32[k]! + 1) | 0;
                  ip = (ip - a) >>> 0;
                  cyc += opc[0x21]!;
                  if (pri !== 0 && cyc >= slice) slow = TIMESLICE;
                } else {
                  cyc += LEND_EXIT;
                }
                break;
              }
              case 0x2c: // div
                cyc += opc[0x2c]!;
                if (a === 0) {
                  this.raise('division by zero', start, w, cyc);
                } else if (a === -1 && b === MOST_NEG) {
                  this.raise('arithmetic overflow', start, w, cyc);
                } else {
                  a = (b / a) | 0;
                }
                b = c;
                break;
              case 0x32: // not
                a = ~a;
                cyc += opc[0x32]!;
                break;
              case 0x33: // xor
                a = b ^ a;
                b = c;
                cyc += opc[0x33]!;
                break;
              case 0x34: // bcnt
                a = a << 2;
                cyc += opc[0x34]!;
                break;
              case 0x3b: {
                // sb
                const x = (a ^ MOST_NEG) >>> 0;
                if (x >= size) this.memFault(a, start, w, cyc);
                if (x < codeEnd) this.codeStored(x, 1);
                m8[x] = b;
                a = c;
                b = c;
                cyc += opc[0x3b]!;
                break;
              }
              case 0x3f: // wcnt
                c = b;
                b = a & 3;
                a = a >> 2;
                cyc += opc[0x3f]!;
                break;
              case 0x40: {
                // shr: n + 2 cycles
                const s = a >>> 0;
                a = s < 32 ? (b >>> s) | 0 : 0;
                b = c;
                cyc += opc[0x40]! + (s < SHIFT_CAP ? s : SHIFT_CAP);
                break;
              }
              case 0x41: {
                // shl
                const s = a >>> 0;
                a = s < 32 ? b << s : 0;
                b = c;
                cyc += opc[0x41]! + (s < SHIFT_CAP ? s : SHIFT_CAP);
                break;
              }
              case 0x42: // mint
                c = b;
                b = a;
                a = MOST_NEG;
                cyc += opc[0x42]!;
                break;
              case 0x46: // and
                a = b & a;
                b = c;
                cyc += opc[0x46]!;
                break;
              case 0x4b: // or
                a = b | a;
                b = c;
                cyc += opc[0x4b]!;
                break;
              case 0x4d: // ccnt1
                if (b === 0 || b >>> 0 > a >>> 0) this.raise('count out of range', start, w, cyc);
                a = b;
                b = c;
                cyc += opc[0x4d]!;
                break;
              case 0x52: // sum
                a = (b + a) | 0;
                b = c;
                cyc += opc[0x52]!;
                break;
              case 0x53: {
                // mul: the double product is exact wherever the int32 range boundary matters
                const p = b * a;
                if (p > 2147483647 || p < -2147483648) this.raise('arithmetic overflow', start, w, cyc);
                a = Math.imul(b, a);
                b = c;
                cyc += opc[0x53]!;
                break;
              }
              case 0x5a: // dup
                c = b;
                b = a;
                cyc += opc[0x5a]!;
                break;
              // Channel communication and process start and end on this core's own memory, handled without
              // leaving the loop, a context switch included (the next process of the same priority is loaded into
              // the locals). They do exactly what `operate` does; every condition under which that would fault, emit
              // an event, change priority or involve a link, a device or an ALT is tested before anything changes,
              // and then the instruction takes the general path instead.
              case 0x07: // in: A = count, B = channel, C = destination
              case 0x0b: // out: A = count, B = channel, C = source
              case 0x0e: // outbyte: A = byte, B = channel
              case 0x0f: {
                // outword: A = word, B = channel
                const off = (b ^ MOST_NEG) >>> 0;
                const wx = (w ^ MOST_NEG) >>> 0;
                const word = o >= 0x0e;
                // The channel word, W[-3] and W[-1] (and W[0] for outword and outbyte) lie in memory.
                if (!quiet || off < MEM_START_OFF || off >= size || wx < 12 || wx - 4 >= size || (word && wx >= size)) {
                  slow = o;
                  break;
                }
                const n = o === 0x0f ? 4 : o === 0x0e ? 1 : a >>> 0;
                const buf = word ? w : c;
                const k = off >>> 2;
                const wd = m32[k]!;
                if (wd === NOT_PROCESS) {
                  // First at the channel: wait, and run the next process of this priority.
                  const q = this.nextInline(pri);
                  if (q === NOT_PROCESS) {
                    slow = o;
                    break;
                  }
                  if (word) m32[wx >>> 2] = a;
                  m32[k] = w | pri;
                  m32[(wx - 12) >>> 2] = buf;
                  m32[(wx - 4) >>> 2] = (ip ^ MOST_NEG) | 0;
                  this.recordWait(wx >>> 2, (k << 4) | (pri << 3) | (o === 0x07 ? WAIT_INPUT : WAIT_OUTPUT));
                  cyc += opc[o]!;
                  const qx = (q ^ MOST_NEG) >>> 0;
                  fptr[pri] = q === bptr[pri] ? NOT_PROCESS : m32[(qx - 8) >>> 2]!;
                  w = q;
                  ip = (m32[(qx - 4) >>> 2]! ^ MOST_NEG) >>> 0;
                  if (pri !== 0) {
                    // sliceDeadlineFrom(cyc), with the division only when a new period has begun.
                    if (cyc < sliceBase || cyc - sliceBase >= period) sliceBase = Math.floor(cyc / period) * period;
                    slice = this.sliceDeadline = sliceBase + 2 * period;
                  }
                  break;
                }
                // The partner waits: the message passes and the partner joins its run queue.
                const other = wd & ~3;
                const p = wd & 1;
                const ox = (other ^ MOST_NEG) >>> 0;
                if (p < pri || ox < 20 || ox > size) {
                  slow = o;
                  break;
                }
                const st = m32[(ox - 12) >>> 2]!;
                if (o !== 0x07 && (st & ~3) === MOST_NEG) {
                  // The partner is an ALT. Waiting at this priority, it is made ready and queued, and this process
                  // waits for it to select the channel and input; the next process runs (it may be the ALT).
                  const front = fptr[pri] !== NOT_PROCESS ? fptr[pri]! : other;
                  const fx = (front ^ MOST_NEG) >>> 0;
                  const bx = ((bptr[pri]! + S_LINK) ^ MOST_NEG) >>> 0;
                  if (
                    st !== WAITING ||
                    p !== pri ||
                    (fptr[pri] !== NOT_PROCESS && bx >= size) ||
                    (pri !== 0 && (fptr[0] !== NOT_PROCESS || this.interrupted)) ||
                    fx < 8 ||
                    fx - 4 >= size
                  ) {
                    slow = o;
                    break;
                  }
                  if (word) m32[wx >>> 2] = a;
                  m32[k] = w | pri;
                  m32[(wx - 12) >>> 2] = buf;
                  m32[(wx - 4) >>> 2] = (ip ^ MOST_NEG) | 0;
                  this.recordWait(wx >>> 2, (k << 4) | (pri << 3) | WAIT_OUTPUT);
                  cyc += opc[o]!;
                  m32[(ox - 12) >>> 2] = READY;
                  waits[ox >>> 2] = 0;
                  if (fptr[pri] === NOT_PROCESS) fptr[pri] = other;
                  else m32[bx >>> 2] = other;
                  bptr[pri] = other;
                  fptr[pri] = front === bptr[pri] ? NOT_PROCESS : m32[(fx - 8) >>> 2]!;
                  w = front;
                  ip = (m32[(fx - 4) >>> 2]! ^ MOST_NEG) >>> 0;
                  if (pri !== 0) {
                    if (cyc < sliceBase || cyc - sliceBase >= period) sliceBase = Math.floor(cyc / period) * period;
                    slice = this.sliceDeadline = sliceBase + 2 * period;
                  }
                  break;
                }
                const sx = ((o === 0x07 ? st : buf) ^ MOST_NEG) >>> 0;
                const dx = ((o === 0x07 ? buf : st) ^ MOST_NEG) >>> 0;
                if (n > 0 && (sx >= size || n > size - sx || dx >= size || n > size - dx)) {
                  slow = o;
                  break;
                }
                const back = bptr[p]!;
                const bx = ((back + S_LINK) ^ MOST_NEG) >>> 0;
                if (fptr[p] !== NOT_PROCESS && bx >= size) {
                  slow = o;
                  break;
                }
                if (word) m32[wx >>> 2] = a;
                // The message may land in the code area (a corrupted pointer): the translations of it are dropped.
                if (n > 0 && dx < codeEnd) this.codeStored(dx, n);
                if (n === 4 && ((sx | dx) & 3) === 0) m32[dx >>> 2] = m32[sx >>> 2]!;
                else if (n === 1) m8[dx] = m8[sx]!;
                else if (n > 0) m8.copyWithin(dx, sx, sx + n);
                m32[k] = NOT_PROCESS;
                waits[ox >>> 2] = 0;
                if (fptr[p] === NOT_PROCESS) fptr[p] = other;
                else m32[bx >>> 2] = other;
                bptr[p] = other;
                cyc += opc[o]! + (word ? 0 : 2 * ((n + 3) >>> 2));
                break;
              }
              case 0x43: {
                // alt
                const wx = (w ^ MOST_NEG) >>> 0;
                if (wx < 12 || wx - 12 >= size) {
                  slow = o;
                  break;
                }
                cyc += opc[0x43]!;
                m32[(wx - 12) >>> 2] = ENABLING;
                break;
              }
              case 0x48: {
                // enbc: B = channel, A = guard
                const off = (b ^ MOST_NEG) >>> 0;
                const wx = (w ^ MOST_NEG) >>> 0;
                if (off < MEM_START_OFF || off >= size || wx < 12 || wx - 12 >= size) {
                  slow = o;
                  break;
                }
                let cost = opc[0x48]!;
                if (a !== 0) {
                  const k = off >>> 2;
                  const wd = m32[k]!;
                  if (wd === NOT_PROCESS) m32[k] = w | pri;
                  else if (wd !== (w | pri)) {
                    m32[(wx - 12) >>> 2] = READY;
                    cost = ENBC_READY;
                  }
                }
                cyc += cost;
                b = c;
                break;
              }
              case 0x44: {
                // altwt
                const wx = (w ^ MOST_NEG) >>> 0;
                if (wx < 12 || wx - 4 >= size || wx >= size) {
                  slow = o;
                  break;
                }
                if (m32[(wx - 12) >>> 2] === READY) {
                  m32[wx >>> 2] = NONE_SELECTED;
                  cyc += opc[0x44]!;
                  break;
                }
                // Nothing is ready yet: wait, and run the next process of this priority.
                const q = quiet ? this.nextInline(pri) : NOT_PROCESS;
                if (q === NOT_PROCESS) {
                  slow = o;
                  break;
                }
                m32[wx >>> 2] = NONE_SELECTED;
                cyc += ALTWT_WAITS;
                m32[(wx - 12) >>> 2] = WAITING;
                m32[(wx - 4) >>> 2] = (ip ^ MOST_NEG) | 0;
                this.recordWait(wx >>> 2, (pri << 3) | WAIT_ALT);
                const qx = (q ^ MOST_NEG) >>> 0;
                fptr[pri] = q === bptr[pri] ? NOT_PROCESS : m32[(qx - 8) >>> 2]!;
                w = q;
                ip = (m32[(qx - 4) >>> 2]! ^ MOST_NEG) >>> 0;
                if (pri !== 0) {
                  if (cyc < sliceBase || cyc - sliceBase >= period) sliceBase = Math.floor(cyc / period) * period;
                  slice = this.sliceDeadline = sliceBase + 2 * period;
                }
                break;
              }
              case 0x2f: {
                // disc: C = channel, B = guard, A = offset
                const off = (c ^ MOST_NEG) >>> 0;
                const wx = (w ^ MOST_NEG) >>> 0;
                if (off < MEM_START_OFF || off >= size || wx >= size || this.fairMap !== null) {
                  slow = o;
                  break;
                }
                cyc += opc[0x2f]!;
                // A channel this process enabled is reset, whatever the guard.
                const k = off >>> 2;
                const wd = m32[k]!;
                let ready = false;
                if (wd === (w | pri)) m32[k] = NOT_PROCESS;
                else ready = wd !== NOT_PROCESS;
                if (b !== 0 && ready && m32[wx >>> 2] === NONE_SELECTED) {
                  m32[wx >>> 2] = a;
                  a = 1;
                } else a = 0;
                break;
              }
              case 0x45: {
                // altend: jump to the selected branch
                const wx = (w ^ MOST_NEG) >>> 0;
                if (wx >= size) {
                  slow = o;
                  break;
                }
                cyc += opc[0x45]!;
                ip = (ip + m32[wx >>> 2]!) >>> 0;
                break;
              }
              case 0x0d: {
                // startp: A = new workspace, B = offset of its code from the next instruction
                const nw = a & ~3;
                const nx = (nw ^ MOST_NEG) >>> 0;
                const bx = ((bptr[pri]! + S_LINK) ^ MOST_NEG) >>> 0;
                if (!quiet || nx < 20 || nx > size || (fptr[pri] !== NOT_PROCESS && bx >= size)) {
                  slow = o;
                  break;
                }
                cyc += opc[0x0d]!;
                m32[(nx - 4) >>> 2] = ((ip ^ MOST_NEG) + b) | 0;
                waits[nx >>> 2] = 0;
                if (fptr[pri] === NOT_PROCESS) fptr[pri] = nw;
                else m32[bx >>> 2] = nw;
                bptr[pri] = nw;
                break;
              }
              case 0x03: {
                // endp: A = join block (successor Iptr, count)
                const jx = (a ^ MOST_NEG) >>> 0;
                if (!quiet || jx + 4 >= size) {
                  slow = o;
                  break;
                }
                const count = m32[(jx + 4) >>> 2]!;
                if (count === 1) {
                  // The last branch to finish becomes the parent.
                  cyc += opc[0x03]!;
                  m32[(jx + 4) >>> 2] = 0;
                  waits[jx >>> 2] = 0;
                  w = a;
                  ip = (m32[jx >>> 2]! ^ MOST_NEG) >>> 0;
                  break;
                }
                const q = this.nextInline(pri);
                if (q === NOT_PROCESS) {
                  slow = o;
                  break;
                }
                cyc += opc[0x03]!;
                m32[(jx + 4) >>> 2] = (count - 1) | 0;
                this.recordWait(jx >>> 2, (pri << 3) | WAIT_ENDP);
                const qx = (q ^ MOST_NEG) >>> 0;
                fptr[pri] = q === bptr[pri] ? NOT_PROCESS : m32[(qx - 8) >>> 2]!;
                w = q;
                ip = (m32[(qx - 4) >>> 2]! ^ MOST_NEG) >>> 0;
                if (pri !== 0) {
                  // sliceDeadlineFrom(cyc), with the division only when a new period has begun.
                  if (cyc < sliceBase || cyc - sliceBase >= period) sliceBase = Math.floor(cyc / period) * period;
                  slice = this.sliceDeadline = sliceBase + 2 * period;
                }
                break;
              }
              default:
                slow = o;
            }
            break;
          default:
            // pfix and nfix never reach here
            break;
        }
        if (slow >= 0) {
          this.A = a;
          this.B = b;
          this.C = c;
          this.Wptr = w;
          this.Iptr = (ip ^ MOST_NEG) | 0;
          this.cycles = cyc;
          this.instructions = n;
          this.instrStart = start;
          general = true;
          if (slow === TIMESLICE) this.timeslice();
          else this.operate(slow);
          if (this.preemptPending && !this.halted) this.preempt();
          if (this.halted || (!this.active && !this.scheduleNext())) {
            this.inExec = false;
            this.busyCycles += this.cycles;
            return;
          }
          a = this.A;
          b = this.B;
          c = this.C;
          w = this.Wptr;
          ip = (this.Iptr ^ MOST_NEG) >>> 0;
          pri = this.priority;
          slice = this.sliceDeadline;
          cyc = this.cycles;
          quiet = this.events === null || !this.events.processes;
          if (this.horizon < until) until = this.horizon;
          limit = until < this.nextTimerCycle ? until : this.nextTimerCycle;
          // An event listener may have asked for a stop (the debugger pausing when a process blocks): leave, and
          // let run() step from here.
          if (this.breakMap !== null || this.instructionStop !== Infinity) limit = cyc;
          general = false;
        }
      }
    } catch (e) {
      // A translated block that raised has stored its own count and registers (jitRaise, jitFault).
      if (!inBlock) {
        this.instructions = n;
        if (!general) {
          // A fault in the loop itself: the registers are those of the failing instruction, whichever instructions
          // took the general path before it.
          this.A = a;
          this.B = b;
          this.C = c;
          this.Iptr = (ip ^ MOST_NEG) | 0;
        }
      }
      throw e;
    }
    this.A = a;
    this.B = b;
    this.C = c;
    this.Wptr = w;
    this.Iptr = (ip ^ MOST_NEG) | 0;
    this.cycles = cyc;
    this.instructions = n;
    this.instrStart = start;
    this.inExec = false;
    this.busyCycles += cyc;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Errors

  /** Set the Error flag; with HaltOnError set, halt the core with a run-time error. */
  private raise(reason: string, start: number, w: number, cyc: number): void {
    this.Error = true;
    if (this.HaltOnError) this.fail(reason, start, w, cyc);
  }

  /**
   * A run-time error in a translated block: as `raise`, with the block's cycles and instructions (counted from the
   * block's call, EXIT.cyc0 and EXIT.n0).
   */
  jitRaise(
    reason: string,
    start: number,
    w: number,
    cyc: number,
    n: number,
    a: number,
    b: number,
    c: number,
    next: number,
  ): void {
    this.Error = true;
    if (this.HaltOnError) {
      this.jitHalted(n, a, b, c, next);
      this.fail(reason, start, w, EXIT.cyc0 + cyc);
    }
  }

  /** A memory error in a translated block, as `memFault`. */
  jitFault(
    addr: number,
    start: number,
    w: number,
    cyc: number,
    n: number,
    a: number,
    b: number,
    c: number,
    next: number,
  ): never {
    this.jitHalted(n, a, b, c, next);
    return this.memFault(addr, start, w, EXIT.cyc0 + cyc);
  }

  /** What the interpreter leaves when an instruction halts the core: the count and the registers at that point. */
  private jitHalted(n: number, a: number, b: number, c: number, next: number): void {
    this.instructions = EXIT.n0 + n;
    this.A = a;
    this.B = b;
    this.C = c;
    this.Iptr = (next ^ MOST_NEG) | 0;
  }

  /**
   * Memory at [x, x + len) (memory offsets) is about to be written. If that is inside the code area, this core's
   * code no longer matches the translations it shares: it gets a new, empty set of its own.
   */
  codeStored(x: number, len: number): void {
    if (this.jitKey === null) return;
    if (x + len <= MEM_START_OFF || x >= MEM_START_OFF + this.codeLength) return;
    this.jitKey = newTranslationKey(MEM_START_OFF, this.codeLength, this.memoryBytes);
  }

  /** Run translated blocks with a new set of translations of this core's own (MachineOptions.jit). */
  useTranslations(key: object | null = newTranslationKey(MEM_START_OFF, this.codeLength, this.memoryBytes)): void {
    this.jitKey = key;
  }

  private raiseHere(reason: string): void {
    this.raise(reason, this.instrStart, this.Wptr, this.cycles);
  }

  private memFault(addr: number, start: number, w: number, cyc: number): never {
    return this.fail(`memory access outside the core's memory (address #${hex8(addr)})`, start, w, cyc);
  }

  private fetchFault(ip: number, start: number, w: number, cyc: number): never {
    return this.memFault((ip ^ MOST_NEG) | 0, start, w, cyc);
  }

  private faultHere(reason: string): never {
    return this.fail(reason, this.instrStart, this.Wptr, this.cycles);
  }

  private fail(reason: string, start: number, w: number, cyc: number): never {
    this.cycles = cyc;
    this.Wptr = w;
    this.instrStart = start;
    const name = start < this.memoryBytes ? decode(this.mem8, start).name : '(outside memory)';
    this.fault = { offset: start - MEM_START_OFF, instruction: name, reason, wptr: w, cycle: cyc };
    this.state = 'error';
    this.halted = true;
    this.active = false;
    throw HALT;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Checked memory access for the slower instructions

  private rd(addr: number): number {
    const x = (addr ^ MOST_NEG) >>> 0;
    if (x >= this.memoryBytes) this.faultAddr(addr);
    return this.mem32[x >>> 2]!;
  }

  private wr(addr: number, v: number): void {
    const x = (addr ^ MOST_NEG) >>> 0;
    if (x >= this.memoryBytes) this.faultAddr(addr);
    if (x < MEM_START_OFF + this.codeLength) this.codeStored(x, 4);
    this.mem32[x >>> 2] = v;
  }

  private faultAddr(addr: number): never {
    return this.memFault(addr, this.instrStart, this.Wptr, this.cycles);
  }

  /** Memory offset of the byte range [addr, addr + n), which must lie inside memory. */
  private range(addr: number, n: number): number {
    const x = (addr ^ MOST_NEG) >>> 0;
    if (x >= this.memoryBytes) this.faultAddr(addr);
    if (n > this.memoryBytes - x) this.faultAddr((addr + (this.memoryBytes - x)) | 0);
    return x;
  }

  private copy(src: number, dst: number, n: number): void {
    if (n === 0) return;
    const s = this.range(src, n);
    const d = this.range(dst, n);
    if (d < MEM_START_OFF + this.codeLength) this.codeStored(d, n);
    this.mem8.copyWithin(d, s, s + n);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Scheduler

  private sliceDeadlineFrom(cycle: number): number {
    // The timeslice clock ticks every period; a process may be switched out once two ticks have passed since it
    // started (so it runs for between one and two periods).
    return (Math.floor(cycle / this.slicePeriod) + 2) * this.slicePeriod;
  }

  /** Append the process with workspace `w` to the back of run queue `p`. */
  private enqueue(w: number, p: number): void {
    const x = (w ^ MOST_NEG) >>> 0;
    if (x > this.memoryBytes || x < 20) this.faultAddr((w - 20) | 0);
    this.waits[x >>> 2] = 0;
    if (this.fptr[p] === NOT_PROCESS) this.fptr[p] = w;
    else this.wr(this.bptr[p]! + S_LINK, w);
    this.bptr[p] = w;
    if (this.events?.processes)
      this.events.emit({ kind: 'ready', cycle: this.cycles, core: { x: this.x, y: this.y }, wptr: w });
    if (p === 0 && this.active && this.priority === 1) this.preemptPending = true;
  }

  /**
   * Deschedule the current process without queueing it, recording what it waits on. `channel` is the channel's
   * address, for the event stream only (a mesh channel has no channel word, so `channelOffset` is 0 for it).
   */
  private block(kind: number, channelOffset: number, channel?: number): void {
    const w = this.Wptr;
    this.wr(w + S_IPTR, this.Iptr);
    this.recordWait(((w ^ MOST_NEG) >>> 0) >>> 2, ((channelOffset >>> 2) << 4) | (this.priority << 3) | kind);
    this.active = false;
    if (this.events?.processes) {
      const chan = channel ?? (channelOffset !== 0 ? (channelOffset ^ MOST_NEG) | 0 : undefined);
      // `in` and `out` are charged after they block; the others before.
      const ins = decode(this.mem8, this.instrStart);
      const after = ins.fn === 0xf && (ins.operand === 0x07 || ins.operand === 0x0b) ? OP_CYCLES[ins.operand]! : 0;
      this.events.emit({
        kind: 'blocked',
        cycle: this.cycles,
        done: this.cycles + after,
        core: { x: this.x, y: this.y },
        wptr: w,
        waiting: WAIT_NAMES[kind]!,
        iptr: this.codeOffset(this.Iptr),
        ...(chan !== undefined ? { channel: chan } : {}),
      });
    }
  }

  /**
   * The process the interpreter's loop switches to, itself, when the running process of priority `pri` waits: the
   * front of that priority's run queue, if it is what scheduleNext would choose and its words (W[-1], W[-2]) lie in
   * memory. NotProcess otherwise (the general path then deschedules and chooses).
   */
  private nextInline(pri: number): number {
    const q = this.fptr[pri]!;
    if (q === NOT_PROCESS) return NOT_PROCESS;
    if (pri !== 0 && (this.fptr[0] !== NOT_PROCESS || this.interrupted)) return NOT_PROCESS;
    const qx = (q ^ MOST_NEG) >>> 0;
    return qx >= 8 && qx - 4 < this.memoryBytes ? q : NOT_PROCESS;
  }

  /** Record what the process whose Wptr (or join block) has word index `k` waits on. */
  private recordWait(k: number, v: number): void {
    this.waits[k] = v;
    if (k < this.waitLow) this.waitLow = k;
    if (k > this.waitHigh) this.waitHigh = k;
  }

  /** What the process with workspace `w` (or the PAR with join block `w`) waits on: a wait record, 0 if none. */
  waitRecord(w: number): number {
    const x = (w ^ MOST_NEG) >>> 0;
    return x <= this.memoryBytes ? this.waits[x >>> 2]! : 0;
  }

  /** Code offset of an address, -1 if it is not inside the loaded code. */
  private codeOffset(addr: number): number {
    const rel = ((addr ^ MOST_NEG) >>> 0) - MEM_START_OFF;
    return rel >= 0 && rel <= this.codeLength ? rel : -1;
  }

  /** A high-priority process became ready while a low-priority one runs: interrupt it. */
  private preempt(): void {
    this.preemptPending = false;
    if (!this.active || this.priority !== 1) return;
    if (this.events?.processes) {
      this.events.emit({
        kind: 'descheduled',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        wptr: this.Wptr,
        reason: 'interrupted',
      });
    }
    this.interrupted = true;
    this.intWptr = this.Wptr;
    this.intIptr = this.Iptr;
    this.intA = this.A;
    this.intB = this.B;
    this.intC = this.C;
    this.intError = this.Error;
    this.intHaltOnError = this.HaltOnError;
    this.fpu.save();
    // The high-priority side starts with a clear Error flag; the low-priority one gets its own back on resumption.
    this.Error = false;
    this.active = false;
  }

  /** Run next: the high queue, else the interrupted process, else the low queue. */
  private scheduleNext(): boolean {
    let w = this.fptr[0]!;
    if (w !== NOT_PROCESS) {
      this.fptr[0] = w === this.bptr[0] ? NOT_PROCESS : this.rd(w + S_LINK);
      this.start(w, 0);
      return true;
    }
    if (this.interrupted) {
      this.interrupted = false;
      this.Wptr = this.intWptr;
      this.Iptr = this.intIptr;
      this.A = this.intA;
      this.B = this.intB;
      this.C = this.intC;
      this.Error = this.intError;
      this.HaltOnError = this.intHaltOnError;
      this.fpu.restore();
      this.priority = 1;
      this.active = true;
      if (this.events?.processes) {
        this.events.emit({
          kind: 'scheduled',
          cycle: this.cycles,
          core: { x: this.x, y: this.y },
          wptr: this.Wptr,
          iptr: this.codeOffset(this.Iptr),
          resumed: true,
        });
      }
      return true;
    }
    w = this.fptr[1]!;
    if (w !== NOT_PROCESS) {
      this.fptr[1] = w === this.bptr[1] ? NOT_PROCESS : this.rd(w + S_LINK);
      this.start(w, 1);
      this.sliceDeadline = this.sliceDeadlineFrom(this.cycles);
      return true;
    }
    return false;
  }

  private start(w: number, p: 0 | 1): void {
    this.Wptr = w;
    this.Iptr = this.rd(w + S_IPTR);
    this.priority = p;
    this.active = true;
    if (this.events?.processes)
      this.events.emit({
        kind: 'scheduled',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        wptr: w,
        iptr: this.codeOffset(this.Iptr),
      });
  }

  /**
   * The network makes a process waiting on a mesh channel ready at `cycle`. A core with nothing to run waits
   * until then (idle time); a core that is already past it queues the process now.
   */
  wake(wdesc: number, cycle: number): void {
    if (this.halted) return;
    if (!this.hasReadyProcess && this.cycles < cycle) this.cycles = cycle;
    this.enqueue(wdesc & ~3, wdesc & 1);
    this.updateState();
  }

  /** A message has arrived on a mesh channel an ALT of this core has enabled: the ALT becomes ready. */
  altReady(wdesc: number, cycle: number): void {
    if (this.halted) return;
    const w = wdesc & ~3;
    const st = this.rd(w + S_STATE);
    if (st === WAITING) {
      if (!this.hasReadyProcess && this.cycles < cycle) this.cycles = cycle;
      this.wr(w + S_STATE, READY);
      this.enqueue(w, wdesc & 1);
      this.updateState();
    } else if (st === ENABLING) this.wr(w + S_STATE, READY);
  }

  /** Output on a mesh channel: the message goes to the network and the process waits for the acknowledgement. */
  private meshOut(n: number, chan: number, src: number): number {
    if (!this.net) return this.faultHere('channel is not connected');
    if (n > 0) this.range(src, n);
    const k = (((chan ^ MOST_NEG) >>> 0) - MESH_OFF) >>> 2;
    const err = this.net.output(this, k, this.Wptr | this.priority, src, n, this.cycles);
    if (err !== null) return this.faultHere(err);
    if (this.alone) this.horizon = Math.min(this.horizon, this.net.nextCycle());
    this.block(WAIT_OUTPUT, 0, chan);
    return -1;
  }

  /** Input from a mesh channel: take the message if it has arrived, else wait for it. */
  private meshIn(n: number, chan: number, dst: number): number {
    if (!this.net) return this.faultHere('channel is not connected');
    if (n > 0) this.range(dst, n);
    const k = (((chan ^ MOST_NEG) >>> 0) - MESH_OFF) >>> 2;
    const r = this.net.input(this, k, this.Wptr | this.priority, dst, n, this.cycles);
    if (typeof r === 'string') return this.faultHere(r);
    if (r && this.alone) this.horizon = Math.min(this.horizon, this.net.nextCycle());
    if (r) return (n + 3) >>> 2;
    this.block(WAIT_INPUT, 0, chan);
    return -1;
  }

  private timeslice(): void {
    if (this.fptr[1] === NOT_PROCESS) {
      // Nothing else to run at low priority: the process carries on with a fresh timeslice.
      this.sliceDeadline = this.sliceDeadlineFrom(this.cycles);
      return;
    }
    if (this.events?.processes) {
      this.events.emit({
        kind: 'descheduled',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        wptr: this.Wptr,
        reason: 'timeslice',
      });
    }
    this.wr(this.Wptr + S_IPTR, this.Iptr);
    this.enqueue(this.Wptr, 1);
    this.active = false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Timers

  private recomputeNextTimer(): void {
    let next = Infinity;
    const now = this.timer();
    for (let p = 0; p < 2; p++) {
      const head = this.tptr[p]!;
      if (head === NOT_PROCESS) continue;
      const delta = (this.rd(head + S_TIME) - now) | 0;
      let at: number;
      if (delta <= 0) at = this.cycles;
      else {
        const tick = Math.floor(this.cycles / this.cyclesPerMicrosecond) + delta;
        at = Math.ceil(tick * this.cyclesPerMicrosecond);
      }
      if (at < next) next = at;
    }
    this.nextTimerCycle = next;
  }

  /** Insert the current process into its priority's timer queue, to wake when the clock reaches `time`. */
  private timerInsert(time: number): void {
    const w = this.Wptr;
    const p = this.priority;
    this.wr(w + S_TIME, time);
    let prev = NOT_PROCESS;
    let cur = this.tptr[p]!;
    // After every entry that is not later than this one, so equal times wake in arrival order.
    while (cur !== NOT_PROCESS && ((this.rd(cur + S_TIME) - time) | 0) <= 0) {
      prev = cur;
      cur = this.rd(cur + S_TLINK);
    }
    this.wr(w + S_TLINK, cur);
    if (prev === NOT_PROCESS) this.tptr[p] = w;
    else this.wr(prev + S_TLINK, w);
    this.recomputeNextTimer();
  }

  /** Remove the current process from its timer queue if it is still there. */
  private timerRemove(): void {
    const w = this.Wptr;
    const tl = this.rd(w + S_TLINK);
    if (tl === TIME_SET || tl === TIME_NOT_SET) return;
    const p = this.priority;
    let prev = NOT_PROCESS;
    let cur = this.tptr[p]!;
    while (cur !== NOT_PROCESS && cur !== w) {
      prev = cur;
      cur = this.rd(cur + S_TLINK);
    }
    if (cur === w) {
      if (prev === NOT_PROCESS) this.tptr[p] = tl;
      else this.wr(prev + S_TLINK, tl);
      this.recomputeNextTimer();
    }
    this.wr(w + S_TLINK, TIME_SET);
  }

  /** Move every due timer-queue entry to its run queue. */
  private wakeTimers(): void {
    const now = this.timer();
    for (let p = 0; p < 2; p++) {
      let head = this.tptr[p]!;
      while (head !== NOT_PROCESS && ((now - this.rd(head + S_TIME)) | 0) >= 0) {
        const next = this.rd(head + S_TLINK);
        this.tptr[p] = next;
        this.wr(head + S_TLINK, TIME_SET);
        const st = this.rd(head + S_STATE);
        if (st !== READY) {
          // A waiting ALT becomes ready; a process in tin simply resumes. An ALT already made ready by a channel
          // is on a run queue and is not queued twice.
          if (st === WAITING) this.wr(head + S_STATE, READY);
          this.enqueue(head, p);
        }
        head = next;
      }
    }
    this.recomputeNextTimer();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Channels

  private deviceCheck(off: number): void {
    if (!this.host || off < DEVICE_OFF) this.faultHere('channel is not connected');
  }

  /** The next keyboard byte; 255 (END.OF.FILE) once input has ended. */
  private nextKey(): number {
    const src = this.stdin;
    if (typeof src === 'function') {
      // Someone may be waiting at a terminal: whatever the program has written so far (a prompt) must be seen first.
      this.flushOutput();
      const b = src();
      if (b === KEY_WAIT) return KEY_WAIT;
      return b < 0 ? 255 : b & 0xff;
    }
    return this.stdinPos < src.length ? src[this.stdinPos++]! : 255;
  }

  /** Input n bytes from a channel into dst. Returns the words moved, or -1 if the process blocked. */
  private chanIn(n: number, chan: number, dst: number): number {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) {
      this.deviceCheck(off);
      if (chan === HOST_KEYBOARD) {
        if (n > 0) {
          const d = this.range(dst, n);
          const m8 = this.mem8;
          for (let i = 0; i < n; i++) {
            const k = this.nextKey();
            if (k === KEY_WAIT) {
              this.keyWait = { w: this.Wptr, dst: d + i, left: n - i };
              this.block(WAIT_INPUT, off);
              return -1;
            }
            m8[d + i] = k;
          }
        }
        return (n + 3) >>> 2;
      }
      if (chan === HOST_SCREEN || chan === HOST_ERROR) this.faultHere('input from an output-only host channel');
      return this.faultHere('channel is not connected');
    }
    if (off >= MESH_OFF) return this.meshIn(n, chan, dst);
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const k = off >>> 2;
    const wd = this.mem32[k]!;
    if (wd === NOT_PROCESS) {
      this.mem32[k] = this.Wptr | this.priority;
      this.wr(this.Wptr + S_STATE, dst);
      this.block(WAIT_INPUT, off);
      return -1;
    }
    const other = wd & ~3;
    this.copy(this.rd(other + S_STATE), dst, n);
    this.mem32[k] = NOT_PROCESS;
    if (this.events?.processes) {
      this.events.emit({
        kind: 'message',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        channel: chan,
        sender: other,
        receiver: this.Wptr,
        bytes: n,
      });
    }
    this.enqueue(other, wd & 1);
    return (n + 3) >>> 2;
  }

  /** Output n bytes at src to a channel. Returns the words moved, or -1 if the process blocked. */
  private chanOut(n: number, chan: number, src: number): number {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) {
      this.deviceCheck(off);
      if (chan === HOST_SCREEN || chan === HOST_ERROR) {
        if (n > 0) {
          const s = this.range(src, n);
          (chan === HOST_SCREEN ? this.screen : this.errout).pushFrom(this.mem8, s, n);
          if (this.screen.length + this.errout.length >= 1 << 16) this.flushOutput();
        }
        return (n + 3) >>> 2;
      }
      if (chan === HOST_KEYBOARD) this.faultHere('output to the input-only keyboard channel');
      return this.faultHere('channel is not connected');
    }
    if (off >= MESH_OFF) return this.meshOut(n, chan, src);
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const k = off >>> 2;
    const wd = this.mem32[k]!;
    if (wd === NOT_PROCESS) {
      this.mem32[k] = this.Wptr | this.priority;
      this.wr(this.Wptr + S_STATE, src);
      this.block(WAIT_OUTPUT, off);
      return -1;
    }
    const other = wd & ~3;
    const st = this.rd(other + S_STATE);
    if ((st & ~3) === MOST_NEG) {
      // The partner is an ALT: wait for it to select this channel and input.
      this.mem32[k] = this.Wptr | this.priority;
      this.wr(this.Wptr + S_STATE, src);
      this.block(WAIT_OUTPUT, off);
      if (st === WAITING) {
        this.wr(other + S_STATE, READY);
        this.enqueue(other, wd & 1);
      } else if (st === ENABLING) {
        // Still enabling (running, or interrupted): it will see Ready and not wait; never queue it.
        this.wr(other + S_STATE, READY);
      }
      return -1;
    }
    this.copy(src, st, n);
    this.mem32[k] = NOT_PROCESS;
    if (this.events?.processes) {
      this.events.emit({
        kind: 'message',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        channel: chan,
        sender: this.Wptr,
        receiver: other,
        bytes: n,
      });
    }
    this.enqueue(other, wd & 1);
    return (n + 3) >>> 2;
  }

  // Extended input (occam-π `c ?? x`, docs/isa.md): `xable` waits until an outputter is at the channel, `xin`
  // takes its message and leaves it waiting, and `xend` releases it once the during-process has run. On a memory
  // channel the waiting inputter marks itself as an ALT that is waiting (W[-3] = Waiting), so an outputter that
  // arrives takes the ALT's path: it puts itself in the channel word, waits, and makes the inputter ready.

  /** `xable`: continue if an outputter waits on the channel; otherwise wait for one. */
  private xable(chan: number): void {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) {
      // The keyboard is not a process that could be held: `xin` inputs from it as `in` does.
      this.deviceCheck(off);
      if (chan === HOST_KEYBOARD) return;
      if (chan === HOST_SCREEN || chan === HOST_ERROR) this.faultHere('input from an output-only host channel');
      this.faultHere('channel is not connected');
    }
    if (off >= MESH_OFF) {
      if (!this.net) this.faultHere('channel is not connected');
      const self = this.Wptr | this.priority;
      this.wr(this.Wptr + S_STATE, WAITING);
      const r = this.net.altGuard(this, (off - MESH_OFF) >>> 2, self, true);
      if (typeof r === 'string') this.faultHere(r);
      if (r) return;
      this.cycles += XABLE_WAITS;
      this.block(WAIT_INPUT, 0, chan);
      return;
    }
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const k = off >>> 2;
    if (this.mem32[k] !== NOT_PROCESS) return;
    this.mem32[k] = this.Wptr | this.priority;
    this.wr(this.Wptr + S_STATE, WAITING);
    this.cycles += XABLE_WAITS;
    this.block(WAIT_INPUT, off);
  }

  /** `xin`: copy the waiting outputter's message, leaving it in the channel word. Returns the words moved. */
  private xin(n: number, chan: number, dst: number): number {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) return this.chanIn(n, chan, dst);
    if (off >= MESH_OFF) {
      if (!this.net) return this.faultHere('channel is not connected');
      if (n > 0) this.range(dst, n);
      const r = this.net.inputHeld(this, (off - MESH_OFF) >>> 2, this.Wptr | this.priority, dst, n, this.cycles);
      if (r !== null) this.faultHere(r);
      return (n + 3) >>> 2;
    }
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const wd = this.mem32[off >>> 2]!;
    if (wd === NOT_PROCESS) this.faultHere('extended input with no outputter waiting (xin before xable)');
    const other = wd & ~3;
    this.copy(this.rd(other + S_STATE), dst, n);
    if (this.events?.processes) {
      this.events.emit({
        kind: 'message',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        channel: chan,
        sender: other,
        receiver: this.Wptr,
        bytes: n,
      });
    }
    return (n + 3) >>> 2;
  }

  /** `xend`: the extended rendezvous is over; the outputter in the channel word runs again. */
  private xend(chan: number): void {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) return;
    if (off >= MESH_OFF) {
      if (!this.net) this.faultHere('channel is not connected');
      const r = this.net.releaseHeld(this, (off - MESH_OFF) >>> 2, this.cycles);
      if (r !== null) this.faultHere(r);
      if (this.alone) this.horizon = Math.min(this.horizon, this.net.nextCycle());
      return;
    }
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const k = off >>> 2;
    const wd = this.mem32[k]!;
    if (wd === NOT_PROCESS) this.faultHere('extended input with no outputter waiting (xend before xin)');
    this.mem32[k] = NOT_PROCESS;
    this.enqueue(wd & ~3, wd & 1);
  }

  /** Whether an input channel is ready, for enbc/disc. Also undoes this process's own enable (disc). */
  private guardChannelReady(chan: number, guard: boolean, enabling: boolean): boolean {
    const off = (chan ^ MOST_NEG) >>> 0;
    if (off < MEM_START_OFF) {
      if (!guard) return false;
      this.deviceCheck(off);
      if (chan === HOST_KEYBOARD) return true;
      if (chan === HOST_SCREEN || chan === HOST_ERROR) this.faultHere('input from an output-only host channel');
      return this.faultHere('channel is not connected');
    }
    if (off >= MESH_OFF) {
      if (!this.net) return this.faultHere('channel is not connected');
      if (enabling && !guard) return false;
      const r = this.net.altGuard(this, (off - MESH_OFF) >>> 2, this.Wptr | this.priority, enabling);
      if (typeof r === 'string') return this.faultHere(r);
      return r;
    }
    if (off >= this.memoryBytes) this.faultAddr(chan);
    const k = off >>> 2;
    const wd = this.mem32[k]!;
    const self = this.Wptr | this.priority;
    if (enabling) {
      if (!guard) return false;
      if (wd === NOT_PROCESS) {
        this.mem32[k] = self;
        return false;
      }
      return wd !== self;
    }
    if (wd === self) {
      this.mem32[k] = NOT_PROCESS;
      return false;
    }
    return wd !== NOT_PROCESS;
  }

  /** Select an ALT branch in a disable instruction: W[0] := offset if the guard is ready and nothing is selected. */
  private select(ready: boolean, offset: number): number {
    if (ready && this.fairMap !== null && this.fairMap[this.instrStart] === 1) return this.selectFair(offset);
    if (ready && this.rd(this.Wptr) === NONE_SELECTED) {
      this.wr(this.Wptr, offset);
      return 1;
    }
    return 0;
  }

  /**
   * A ready guard of a plain ALT run with a seed: the k-th ready guard met replaces the choice so far with chance
   * 1/k, so each ready guard is chosen with equal chance (its disable leaves TRUE in A when it takes the choice).
   */
  private selectFair(offset: number): number {
    const pri = this.priority;
    if (this.rd(this.Wptr) === NONE_SELECTED) this.altSeen[pri] = 0;
    const k = ++this.altSeen[pri]!;
    if (k > 1 && this.altRandom!.below(k) !== 0) return 0;
    this.wr(this.Wptr, offset);
    return 1;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The less frequent operations

  private operate(op: number): void {
    const opc = OP_CYCLES;
    const a = this.A;
    const b = this.B;
    const c = this.C;
    switch (op) {
      case 0x03: {
        // endp: A = join block (successor Iptr, count)
        this.cycles += opc[0x03]!;
        const count = this.rd(a + 4);
        this.wr(a + 4, (count - 1) | 0);
        const k = ((a ^ MOST_NEG) >>> 0) >>> 2;
        if (this.events?.processes) {
          this.events.emit({
            kind: 'ended',
            cycle: this.cycles,
            core: { x: this.x, y: this.y },
            wptr: this.Wptr,
            join: a,
            last: count === 1,
          });
        }
        if (count === 1) {
          // The last branch to finish becomes the parent.
          this.waits[k] = 0;
          this.Wptr = a;
          this.Iptr = this.rd(a);
        } else {
          this.recordWait(k, (this.priority << 3) | WAIT_ENDP);
          this.active = false;
        }
        return;
      }
      case 0x07: {
        // in: A = count, B = channel, C = destination
        const moved = this.chanIn(a >>> 0, b, c);
        this.cycles += opc[0x07]! + (moved > 0 ? PER_WORD * moved : 0);
        return;
      }
      case 0x0b: {
        // out: A = count, B = channel, C = source
        const moved = this.chanOut(a >>> 0, b, c);
        this.cycles += opc[0x0b]! + (moved > 0 ? PER_WORD * moved : 0);
        return;
      }
      case 0x0d: {
        // startp: A = new workspace, B = offset of its code from the next instruction
        this.cycles += opc[0x0d]!;
        const nw = a & ~3;
        this.wr(nw + S_IPTR, (this.Iptr + b) | 0);
        this.enqueue(nw, this.priority);
        return;
      }
      case 0x0e: // outbyte: the byte travels from W[0]
        this.cycles += opc[0x0e]!;
        this.wr(this.Wptr, a);
        this.chanOut(1, b, this.Wptr);
        return;
      case 0x0f: // outword
        this.cycles += opc[0x0f]!;
        this.wr(this.Wptr, a);
        this.chanOut(4, b, this.Wptr);
        return;
      case 0x10: // seterr
        this.cycles += opc[0x10]!;
        this.raiseHere('Error flag set');
        return;
      case 0x12: {
        // resetch: A = channel; returns the old channel word
        this.cycles += opc[0x12]!;
        const off = (a ^ MOST_NEG) >>> 0;
        if (off < MEM_START_OFF) {
          // Resetting a link or host device channel: there is no transfer in progress to abandon.
          this.A = NOT_PROCESS;
        } else {
          this.A = this.rd(a);
          this.wr(a, NOT_PROCESS);
        }
        return;
      }
      case 0x15: // stopp
        this.cycles += opc[0x15]!;
        this.block(WAIT_STOPPED, 0);
        return;
      case 0x16: {
        // ladd: A = B + A + carry, checked
        this.cycles += opc[0x16]!;
        const r = b + a + (c & 1);
        if (r > 2147483647 || r < -2147483648) this.raiseHere('arithmetic overflow');
        this.A = r | 0;
        return;
      }
      case 0x17: // stlb
        this.cycles += opc[0x17]!;
        this.bptr[1] = a;
        this.pop1();
        return;
      case 0x18: // sthf
        this.cycles += opc[0x18]!;
        this.fptr[0] = a;
        this.pop1();
        return;
      case 0x19: {
        // norm: shift the double word B:A (B most significant) left until its top bit is set; C = places shifted
        let hi = b;
        let lo = a;
        let places = 0;
        if (hi === 0 && lo === 0) places = 64;
        else {
          if (hi === 0) {
            hi = lo;
            lo = 0;
            places = 32;
          }
          const s = Math.clz32(hi);
          if (s > 0) {
            hi = (hi << s) | (lo >>> (32 - s));
            lo = lo << s;
          }
          places += s;
        }
        this.A = lo;
        this.B = hi;
        this.C = places;
        this.cycles += opc[0x19]! + places;
        return;
      }
      case 0x1a: {
        // ldiv: C:B / A unsigned; A = quotient, B = remainder
        this.cycles += opc[0x1a]!;
        const d = a >>> 0;
        if (c >>> 0 >= d) {
          this.raiseHere(d === 0 ? 'division by zero' : 'arithmetic overflow');
          return;
        }
        let rem = c >>> 0;
        let q = 0;
        const lo = b >>> 0;
        for (let i = 31; i >= 0; i--) {
          rem = rem * 2 + ((lo >>> i) & 1);
          q = q << 1;
          if (rem >= d) {
            rem -= d;
            q |= 1;
          }
        }
        this.A = q | 0;
        this.B = rem | 0;
        this.C = rem | 0;
        return;
      }
      case 0x1c: // stlf
        this.cycles += opc[0x1c]!;
        this.fptr[1] = a;
        this.pop1();
        return;
      case 0x1d: // xdble
        this.cycles += opc[0x1d]!;
        this.C = b;
        this.B = a < 0 ? -1 : 0;
        return;
      case 0x22: // ldtimer
        this.push(this.timer());
        this.cycles += opc[0x22]!;
        return;
      case 0x29: // testerr: push NOT Error, clear Error
        this.cycles += this.Error ? TESTERR_SET : opc[0x29]!;
        this.push(this.Error ? 0 : 1);
        this.Error = false;
        return;
      case 0x2a: // testpranal: never analysing
        this.cycles += opc[0x2a]!;
        this.push(0);
        return;
      case 0x2b: {
        // tin: wait until the clock is AFTER A
        if (((this.timer() - a) | 0) > 0) {
          this.cycles += TIN_PAST;
          return;
        }
        this.cycles += opc[0x2b]!;
        this.wr(this.Wptr + S_STATE, ENABLING);
        this.timerInsert((a + 1) | 0);
        this.block(WAIT_TIMER, 0);
        return;
      }
      case 0x2e: {
        // dist: C = time, B = guard, A = offset
        const ready = b !== 0 && ((this.timer() - c) | 0) > 0;
        this.cycles += opc[0x2e]!;
        this.timerRemove();
        this.A = this.select(ready, a);
        return;
      }
      case 0x2f: {
        // disc: C = channel, B = guard, A = offset
        this.cycles += opc[0x2f]!;
        // Evaluated even for a FALSE guard, so that a channel this process enabled is always reset.
        const ready = this.guardChannelReady(c, b !== 0, false);
        this.A = this.select(b !== 0 && ready, a);
        return;
      }
      case 0x30: // diss: B = guard, A = offset
        this.cycles += opc[0x30]!;
        this.A = this.select(b !== 0, a);
        this.B = c;
        return;
      case 0x31: {
        // lmul: B:A = B * A + C, unsigned, in 16-bit pieces so every step is exact
        this.cycles += opc[0x31]!;
        const x = a >>> 0;
        const y = b >>> 0;
        const z = c >>> 0;
        const xl = x & 0xffff;
        const xh = x >>> 16;
        const yl = y & 0xffff;
        const yh = y >>> 16;
        const p0 = xl * yl + (z & 0xffff);
        const p1 = xh * yl + xl * yh + (z >>> 16) + Math.floor(p0 / 65536);
        const p2 = xh * yh + Math.floor(p1 / 65536);
        this.A = (p0 & 0xffff) | ((p1 % 65536) << 16);
        this.B = p2 | 0;
        this.C = this.B;
        return;
      }
      case 0x35: {
        // lshr: C:B >> A; A = low, B = high
        const s = a >>> 0;
        let lo: number;
        let hi: number;
        if (s >= 64) {
          lo = 0;
          hi = 0;
        } else if (s >= 32) {
          lo = s === 32 ? c : c >>> (s - 32);
          hi = 0;
        } else if (s === 0) {
          lo = b;
          hi = c;
        } else {
          lo = (b >>> s) | (c << (32 - s));
          hi = c >>> s;
        }
        this.A = lo | 0;
        this.B = hi | 0;
        this.C = this.B;
        this.cycles += opc[0x35]! + (s < LONG_SHIFT_CAP ? s : LONG_SHIFT_CAP);
        return;
      }
      case 0x36: {
        // lshl: C:B << A; A = low, B = high
        const s = a >>> 0;
        let lo: number;
        let hi: number;
        if (s >= 64) {
          lo = 0;
          hi = 0;
        } else if (s >= 32) {
          hi = s === 32 ? b : b << (s - 32);
          lo = 0;
        } else if (s === 0) {
          lo = b;
          hi = c;
        } else {
          hi = (c << s) | (b >>> (32 - s));
          lo = b << s;
        }
        this.A = lo | 0;
        this.B = hi | 0;
        this.C = this.B;
        this.cycles += opc[0x36]! + (s < LONG_SHIFT_CAP ? s : LONG_SHIFT_CAP);
        return;
      }
      case 0x37: {
        // lsum: A = B + A + carry, B = carry out (unsigned, unchecked)
        this.cycles += opc[0x37]!;
        const r = (b >>> 0) + (a >>> 0) + (c & 1);
        this.A = r | 0;
        this.B = r > 0xffffffff ? 1 : 0;
        return;
      }
      case 0x38: {
        // lsub: A = B - A - borrow, checked
        this.cycles += opc[0x38]!;
        const r = b - a - (c & 1);
        if (r > 2147483647 || r < -2147483648) this.raiseHere('arithmetic overflow');
        this.A = r | 0;
        return;
      }
      case 0x39: // runp: A = Wdesc
        this.cycles += opc[0x39]!;
        this.enqueue(a & ~3, a & 1);
        return;
      case 0x3a: {
        // xword: sign-extend the field of B whose sign bit is A
        this.cycles += opc[0x3a]!;
        const mask = a | (a - 1);
        this.A = (((b & mask) ^ a) - a) | 0;
        this.B = c;
        return;
      }
      case 0x3c: {
        // gajw: swap A and Wptr
        this.cycles += opc[0x3c]!;
        this.A = this.Wptr;
        this.Wptr = a & ~3;
        return;
      }
      case 0x3d: // savel
        this.cycles += opc[0x3d]!;
        this.wr(a, this.fptr[1]!);
        this.wr(a + 4, this.bptr[1]!);
        this.pop1();
        return;
      case 0x3e: // saveh
        this.cycles += opc[0x3e]!;
        this.wr(a, this.fptr[0]!);
        this.wr(a + 4, this.bptr[0]!);
        this.pop1();
        return;
      case 0x43: // alt
        this.cycles += opc[0x43]!;
        this.wr(this.Wptr + S_STATE, ENABLING);
        return;
      case 0x44: // altwt
        this.wr(this.Wptr, NONE_SELECTED);
        if (this.rd(this.Wptr + S_STATE) === READY) {
          this.cycles += opc[0x44]!;
          return;
        }
        this.cycles += ALTWT_WAITS;
        this.wr(this.Wptr + S_STATE, WAITING);
        this.block(WAIT_ALT, 0);
        return;
      case 0x45: // altend: jump to the selected branch
        this.cycles += opc[0x45]!;
        this.Iptr = (this.Iptr + this.rd(this.Wptr)) | 0;
        return;
      case 0x47: {
        // enbt: B = time, A = guard
        this.cycles += opc[0x47]!;
        if (a !== 0) {
          const w = this.Wptr;
          const tl = this.rd(w + S_TLINK);
          if (tl === TIME_NOT_SET) {
            this.wr(w + S_TLINK, TIME_SET);
            this.wr(w + S_TIME, b);
          } else if (((this.rd(w + S_TIME) - b) | 0) > 0) {
            this.wr(w + S_TIME, b);
          }
        }
        this.B = c;
        return;
      }
      case 0x48: {
        // enbc: B = channel, A = guard
        let cost = opc[0x48]!;
        if (a !== 0 && this.guardChannelReady(b, true, true)) {
          this.wr(this.Wptr + S_STATE, READY);
          cost = ENBC_READY;
        }
        this.cycles += cost;
        this.B = c;
        return;
      }
      case 0x49: // enbs: A = guard
        this.cycles += opc[0x49]!;
        if (a !== 0) this.wr(this.Wptr + S_STATE, READY);
        return;
      case 0x4a: {
        // move: A bytes from C to B
        const count = a >>> 0;
        this.copy(c, b, count);
        this.cycles += opc[0x4a]! + PER_WORD * ((count + 3) >>> 2);
        return;
      }
      case 0x4c: // csngl: Error unless B:A is a sign-extended single word
        this.cycles += opc[0x4c]!;
        if (b !== (a < 0 ? -1 : 0)) this.raiseHere('arithmetic overflow');
        this.B = c;
        return;
      case 0x4e: // talt
        this.cycles += opc[0x4e]!;
        this.wr(this.Wptr + S_STATE, ENABLING);
        this.wr(this.Wptr + S_TLINK, TIME_NOT_SET);
        return;
      case 0x4f: {
        // ldiff: A = B - A - borrow, B = borrow out (unsigned, unchecked)
        this.cycles += opc[0x4f]!;
        const r = (b >>> 0) - (a >>> 0) - (c & 1);
        this.A = r | 0;
        this.B = r < 0 ? 1 : 0;
        return;
      }
      case 0x50: // sthb
        this.cycles += opc[0x50]!;
        this.bptr[0] = a;
        this.pop1();
        return;
      case 0x51: {
        // taltwt
        const w = this.Wptr;
        const now = this.timer();
        this.wr(w, NONE_SELECTED);
        if (this.rd(w + S_STATE) === READY) {
          this.cycles += opc[0x51]!;
          return;
        }
        if (this.rd(w + S_TLINK) === TIME_SET) {
          const t = this.rd(w + S_TIME);
          if (((now - t) | 0) > 0) {
            this.cycles += opc[0x51]!;
            this.wr(w + S_STATE, READY);
            return;
          }
          this.cycles += TALTWT_WAITS;
          this.wr(w + S_STATE, WAITING);
          this.timerInsert((t + 1) | 0);
        } else {
          this.cycles += TALTWT_WAITS;
          this.wr(w + S_STATE, WAITING);
        }
        this.block(WAIT_ALT, 0);
        return;
      }
      case 0x54: // sttimer: set both clocks
        this.timerBase = (a - Math.floor(this.cycles / this.cyclesPerMicrosecond)) | 0;
        this.cycles += opc[0x54]!;
        this.pop1();
        this.recomputeNextTimer();
        return;
      case 0x55: // stoperr
        this.cycles += opc[0x55]!;
        if (this.Error) this.block(WAIT_STOPPED, 0);
        return;
      case 0x56: // cword: Error unless B fits a signed field whose sign bit is A
        this.cycles += opc[0x56]!;
        if (a !== MOST_NEG && (b >= a || b < -a)) this.raiseHere('arithmetic overflow');
        this.A = b;
        this.B = c;
        return;
      case 0x57: // clrhalterr
        this.cycles += opc[0x57]!;
        this.HaltOnError = false;
        return;
      case 0x58: // sethalterr
        this.cycles += opc[0x58]!;
        this.HaltOnError = true;
        return;
      case 0x59: // testhalterr
        this.cycles += opc[0x59]!;
        this.push(this.HaltOnError ? 1 : 0);
        return;
      case 0xe8: // xable: A = channel
        this.cycles += opc[0xe8]!;
        this.pop1();
        this.xable(a);
        return;
      case 0xe9: {
        // xin: A = count, B = channel, C = destination
        const moved = this.xin(a >>> 0, b, c);
        this.cycles += opc[0xe9]! + (moved > 0 ? PER_WORD * moved : 0);
        return;
      }
      case 0xec: // xend: A = channel
        this.cycles += opc[0xec]!;
        this.pop1();
        this.xend(a);
        return;
      case 0xf0: // haltp: the boot process has finished
        this.cycles += opc[0xf0]!;
        this.finished = true;
        this.finishCycle = this.cycles;
        if (this.events?.processes)
          this.events.emit({ kind: 'ended', cycle: this.cycles, core: { x: this.x, y: this.y }, wptr: this.Wptr });
        this.state = 'finished';
        this.halted = true;
        this.active = false;
        // No unwinding: the interpreter's loop sees `halted` after the general path and stops (a throw through its
        // frames costs tens of microseconds, once per core of a big mesh).
        return;
      default:
        if (op >= 0x80 && op < 0xb0 && this.fpu.execute(this, op)) return;
        if (heapOperation(this, op) || semaphoreOperation(this, op) || schedulingOperation(this, op)) return;
        this.faultHere(`invalid instruction (operation #${(op >>> 0).toString(16).toUpperCase()})`);
    }
  }

  // Memory and errors for the instructions kept in their own files (emulator/heap.ts), with the same checks as the
  // core's own instructions.
  extRead(addr: number): number {
    return this.rd(addr);
  }

  extWrite(addr: number, value: number): void {
    this.wr(addr, value);
  }

  extFault(reason: string): never {
    return this.faultHere(reason);
  }

  extBlockClaim(channel: number): void {
    this.block(WAIT_CLAIM, (channel ^ MOST_NEG) >>> 0, channel);
  }

  extEnqueue(w: number, p: number): void {
    this.enqueue(w, p);
  }

  extBlockSync(barrier: number): void {
    this.block(WAIT_SYNC, (barrier ^ MOST_NEG) >>> 0, barrier);
  }

  extReschedule(): void {
    if (this.events?.processes) {
      this.events.emit({
        kind: 'descheduled',
        cycle: this.cycles,
        core: { x: this.x, y: this.y },
        wptr: this.Wptr,
        reason: 'timeslice',
      });
    }
    this.wr(this.Wptr + S_IPTR, this.Iptr);
    this.enqueue(this.Wptr, this.priority);
    this.active = false;
  }

  // Memory and errors for the FPU (emulator/fpu.ts), with the same checks as the core's own instructions.
  fpRead32(addr: number): number {
    return this.rd(addr);
  }

  fpWrite32(addr: number, value: number): void {
    this.wr(addr, value);
  }

  fpSetError(reason: string): void {
    this.raiseHere(reason);
  }

  fpFault(reason: string): never {
    return this.faultHere(reason);
  }

  private push(v: number): void {
    this.C = this.B;
    this.B = this.A;
    this.A = v | 0;
  }

  private pop1(): void {
    this.A = this.B;
    this.B = this.C;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reports

  /** Whether a process waits for keyboard bytes that have not been typed yet. */
  get waitingForKeyboard(): boolean {
    return this.keyWait !== null;
  }

  /**
   * Keyboard bytes may have arrived: the process waiting for them takes what there is and, once it has all it asked
   * for, is ready to run again. Returns true if it became ready.
   */
  keyboardReady(): boolean {
    const kw = this.keyWait;
    if (!kw || this.halted) return false;
    while (kw.left > 0) {
      const k = this.nextKey();
      if (k === KEY_WAIT) return false;
      this.mem8[kw.dst++] = k;
      kw.left--;
    }
    this.keyWait = null;
    this.enqueue(kw.w, (this.waitRecord(kw.w) >>> 3) & 1);
    this.updateState();
    return true;
  }

  /** Every process of the core: the running one, the interrupted one, the run queues, and every waiting one. */
  processes(): CoreProcess[] {
    const out: CoreProcess[] = [];
    const rel = (addr: number): number => {
      const r = ((addr ^ MOST_NEG) >>> 0) - MEM_START_OFF;
      return r >= 0 && r <= this.codeLength ? r : -1;
    };
    const word = (addr: number): number => {
      const o = (addr ^ MOST_NEG) >>> 0;
      return o + 4 <= this.memoryBytes ? this.mem32[o >>> 2]! : 0;
    };
    if (this.halted && this.state !== 'error') return out;
    if (this.active) out.push({ wptr: this.Wptr, iptr: rel(this.Iptr), priority: this.priority, state: 'running' });
    if (this.interrupted) out.push({ wptr: this.intWptr, iptr: rel(this.intIptr), priority: 1, state: 'interrupted' });
    for (let p = 0; p < 2; p++) {
      let w = this.fptr[p]!;
      for (let guard = 0; w !== NOT_PROCESS && guard < 1 << 20; guard++) {
        out.push({ wptr: w, iptr: rel(word(w + S_IPTR)), priority: p as 0 | 1, state: 'ready' });
        if (w === this.bptr[p]) break;
        w = word(w + S_LINK);
      }
    }
    for (const b of this.blockedProcesses()) {
      out.push({
        wptr: b.wptr,
        iptr: b.iptr,
        priority: b.priority,
        state: b.kind,
        ...(b.channel !== undefined ? { channel: b.channel } : {}),
      });
    }
    for (let p = 0; p < 2; p++) {
      let w = this.tptr[p]!;
      for (let guard = 0; w !== NOT_PROCESS && guard < 1 << 20; guard++) {
        const v = this.waitRecord(w);
        const kind = (v & 7) === WAIT_ALT ? 'alt' : 'timer';
        out.push({ wptr: w, iptr: rel(word(w + S_IPTR)), priority: p as 0 | 1, state: kind, until: word(w + S_TIME) });
        w = word(w + S_TLINK);
      }
    }
    return out;
  }

  /** Every descheduled process that is not on a run queue or timer queue: what it waits on and where it resumes. */
  blockedProcesses(): CoreBlocked[] {
    const out: CoreBlocked[] = [];
    const waits = this.waits;
    for (let k = this.waitLow; k <= this.waitHigh; k++) {
      const v = waits[k]!;
      if (v === 0) continue;
      const kind = v & 7;
      const wptr = ((k << 2) ^ MOST_NEG) | 0;
      const resume = kind === WAIT_ENDP ? this.mem32[k]! : k > 0 ? this.mem32[k - 1]! : 0;
      const rel = ((resume ^ MOST_NEG) >>> 0) - MEM_START_OFF;
      const entry: CoreBlocked = {
        wptr,
        resume,
        iptr: rel >= 0 && rel <= this.codeLength ? rel : -1,
        priority: ((v >>> 3) & 1) as 0 | 1,
        kind: WAIT_NAMES[kind]!,
        ...(kind === WAIT_INPUT || kind === WAIT_OUTPUT || kind === WAIT_CLAIM || kind === WAIT_SYNC
          ? { channel: (((v >>> 4) << 2) ^ MOST_NEG) | 0 }
          : {}),
      };
      if (kind === WAIT_TIMER || kind === WAIT_ALT) {
        // A process on a timer queue is not stuck; an ALT waiting with a timer guard is on one too.
        if (this.onTimerQueue(wptr)) continue;
      }
      out.push(entry);
    }
    return out;
  }

  private onTimerQueue(w: number): boolean {
    for (let p = 0; p < 2; p++) {
      let cur = this.tptr[p]!;
      while (cur !== NOT_PROCESS) {
        if (cur === w) return true;
        const x = ((cur + S_TLINK) ^ MOST_NEG) >>> 0;
        if (x >= this.memoryBytes) break;
        cur = this.mem32[x >>> 2]!;
      }
    }
    return false;
  }
}
