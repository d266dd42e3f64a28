// The machine: every core of an image on one global cycle clock. This is the API the CLI and the debugger use.
//
// The clock advances in batches. In each batch every core runs up to the batch's end cycle on its own; a batch end
// is the earliest point at which something on one core could affect another (for now cores share nothing, so a
// batch is bounded only by the cycle limit and by a fixed quantum that keeps host output flowing). Cores with
// nothing to run cost nothing: a core whose processes all wait on timers skips straight to its next timer.

import { Core, type CoreBlocked, type CoreState } from './core.js';
import { DEFAULT_MEMORY_BYTES, MEM_START, BOOT_RESERVE_WORDS, validateImage, ImageError, type Image } from './image.js';
import { MOST_NEG } from './isa.js';

export interface MachineOptions {
  /** Memory per core in bytes (default DEFAULT_MEMORY_BYTES, 64 KiB). */
  memoryBytes?: number;
  /** Processor clock (default 20 MHz, the T800 profile). */
  clockHz?: number;
  /** Keyboard bytes for core (0, 0), or a function called on the first keyboard input to supply them. */
  stdin?: Uint8Array | (() => Uint8Array);
  /** Called as bytes are written to the screen channel (batched). */
  onScreen?: (bytes: Uint8Array) => void;
  /** Called as bytes are written to the error channel (batched). */
  onError?: (bytes: Uint8Array) => void;
}

export type RunStatus = 'finished' | 'error' | 'deadlock' | 'cycle-limit';

export interface Waiting {
  kind: 'input' | 'output' | 'alt' | 'timer' | 'stopped' | 'endp';
  /** Channel address, for input and output. */
  channel?: number;
}

export interface BlockedProcess {
  core: { x: number; y: number };
  wptr: number;
  /** Code offset of the resume point, -1 if unknown. */
  iptr: number;
  priority: 0 | 1;
  waiting: Waiting;
}

export interface RunError {
  core: { x: number; y: number };
  /** Code offset of the failing instruction's first byte. */
  offset: number;
  /** Mnemonic of the failing instruction. */
  instruction: string;
  /** Plain English, e.g. 'arithmetic overflow', 'division by zero', 'Error flag set'. */
  reason: string;
  wptr: number;
}

export interface CoreStats {
  x: number;
  y: number;
  instructions: number;
  busyCycles: number;
  state: 'finished' | 'blocked' | 'running' | 'error' | 'idle';
}

export interface RunResult {
  status: RunStatus;
  cycles: number;
  instructions: number;
  error: RunError | null;
  blocked: BlockedProcess[];
  cores: CoreStats[];
}

export class LoadError extends Error {}

/** Bytes below MemStart (links, scheduler words, host devices). */
const RESERVED_BYTES = (MEM_START ^ MOST_NEG) >>> 0;
/** Words below a Wptr that the scheduler and instructions use (W[-1] .. W[-5]). */
const BELOW_WORKSPACE_WORDS = 5;
/** Longest batch: bounds how long host output waits before it is handed over. */
const BATCH_CYCLES = 1 << 20;

export class Machine {
  readonly cores: Core[];
  /** The global clock: every core has run up to here. */
  private now = 0;

  constructor(image: Image, options: MachineOptions = {}) {
    try {
      validateImage(image);
    } catch (e) {
      if (e instanceof ImageError) throw new LoadError(e.message);
      throw e;
    }
    const memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    if (!Number.isInteger(memoryBytes) || memoryBytes % 4 !== 0 || memoryBytes < 1024 || memoryBytes > 1 << 30) {
      throw new LoadError(`memory size ${memoryBytes} is invalid: it must be a multiple of 4 between 1024 and 2^30 bytes`);
    }
    const clockHz = options.clockHz ?? 20_000_000;
    this.cores = image.cores.map((ci) => {
      // Room needed: the reserved words and code at the bottom; the boot workspace, the slots below it and the boot
      // frame above it at the top.
      const workspace = 4 * (ci.workspaceWords + BELOW_WORKSPACE_WORDS + BOOT_RESERVE_WORDS);
      const needed = RESERVED_BYTES + ci.code.length + workspace;
      if (needed > memoryBytes) {
        throw new LoadError(
          `core (${ci.x}, ${ci.y}) needs ${needed} bytes of memory (code ${ci.code.length}, workspace ${workspace}, ` +
            `reserved ${RESERVED_BYTES}) but has ${memoryBytes}`,
        );
      }
      const host = ci.x === 0 && ci.y === 0;
      const core = new Core({
        x: ci.x,
        y: ci.y,
        memoryBytes,
        clockHz,
        host,
        ...(host && options.stdin ? { stdin: options.stdin } : {}),
        ...(host && options.onScreen ? { onScreen: options.onScreen } : {}),
        ...(host && options.onError ? { onError: options.onError } : {}),
      });
      core.load(ci.code, ci.entry);
      return core;
    });
  }

  /**
   * Run for at most `maxCycles` more cycles (default: no limit). Returns when every core's boot process has
   * finished, a core has a run-time error, nothing can move (deadlock), or the limit is reached; after
   * 'cycle-limit' it may be called again to continue.
   */
  run(maxCycles = Infinity): RunResult {
    const stopAt = this.now + Math.max(0, maxCycles);
    const cores = this.cores;
    for (;;) {
      const end = Math.min(stopAt, this.now + BATCH_CYCLES);
      for (const core of cores) {
        if (!core.isHalted) core.run(end);
      }
      const failed = cores.find((c) => c.state === 'error');
      if (failed) return this.result('error', failed.cycles, failed);
      if (cores.every((c) => c.finished || !c.hasBoot)) {
        return this.result('finished', Math.max(0, ...cores.map((c) => c.finishCycle)));
      }
      let runnable = false;
      let next = Infinity;
      for (const core of cores) {
        if (core.isHalted) continue;
        if (core.state === 'running') runnable = true;
        else if (core.state === 'idle' && core.nextEventCycle < next) next = core.nextEventCycle;
      }
      if (!runnable && next === Infinity) {
        return this.result('deadlock', Math.max(0, ...cores.map((c) => c.cycles)));
      }
      // When every core waits for a timer, the clock jumps to the earliest one.
      this.now = runnable ? end : Math.max(end, Math.min(next, stopAt));
      if (this.now >= stopAt) {
        this.now = stopAt;
        return this.result('cycle-limit', stopAt);
      }
    }
  }

  private result(status: RunStatus, cycles: number, failed?: Core): RunResult {
    const cores = this.cores;
    const f = failed?.fault;
    const error: RunError | null =
      failed && f
        ? {
            core: { x: failed.x, y: failed.y },
            offset: f.offset,
            instruction: f.instruction,
            reason: f.reason,
            wptr: f.wptr,
          }
        : null;
    const blocked: BlockedProcess[] = [];
    if (status === 'deadlock') {
      for (const core of cores) {
        if (core.isHalted) continue;
        for (const b of core.blockedProcesses()) blocked.push(toBlocked(core, b));
      }
    }
    return {
      status,
      cycles,
      instructions: cores.reduce((n, c) => n + c.instructions, 0),
      error,
      blocked,
      cores: cores.map((c) => ({
        x: c.x,
        y: c.y,
        instructions: c.instructions,
        busyCycles: c.busyCycles,
        state: statsState(c.state),
      })),
    };
  }
}

function statsState(s: CoreState): CoreStats['state'] {
  return s;
}

function toBlocked(core: Core, b: CoreBlocked): BlockedProcess {
  const waiting: Waiting = b.channel !== undefined ? { kind: b.kind, channel: b.channel } : { kind: b.kind };
  return { core: { x: core.x, y: core.y }, wptr: b.wptr, iptr: b.iptr, priority: b.priority, waiting };
}
