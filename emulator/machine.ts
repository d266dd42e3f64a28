// The machine: every core of an image on one global cycle clock. This is the API the CLI and the debugger use.
//
// The clock advances in batches. Cores affect each other only through the links (emulator/network.ts), so each
// core runs on its own up to the batch's end. With one core busy, that is the next network event (a packet, an
// arrival, an acknowledgement) — including one the core itself creates (Core.alone) —, the next wake-up of another
// core's timer, the cycle limit, or a quantum that keeps host output flowing; it runs alone. With several busy,
// it is the profile's window, after which the network handles the events in the window; a process it wakes runs
// from its event's cycle or, if its core was busy, when the core is free (docs/machine.md, "Time and cycles"). Cores with nothing to run cost
// nothing: a core whose processes all wait on channels leaves the batch list until the network wakes it, and one
// that waits for a timer skips straight to it. Faults (emulator/faults.ts) crash cores between batches.

import { Core, waitTableBytes, type KeyboardSource, type CoreBlocked, type CoreState } from './core.js';
import {
  defaultMemoryBytes,
  MEM_START,
  BOOT_RESERVE_WORDS,
  MESH_CHANNEL_BASE,
  validateImage,
  ImageError,
  type Image,
} from './image.js';
import { MOST_NEG } from './isa.js';
import { EventBus, type MachineEventListener } from './events.js';
import { Network, type LinkStats, type NetworkHost } from './network.js';
import { PROFILES, type Profile } from './profiles.js';
import { sharedTranslationKeys } from './translate/cache.js';
import { ByteSink } from './sink.js';
import { coreSeed, Faults, Random, type FaultRecord, type FaultSpec } from './faults.js';

export interface MachineOptions {
  /** Memory per core in bytes (default 4 MiB for an image of one core, 64 KiB per core of a mesh). */
  memoryBytes?: number;
  /** The machine modelled: clock, links, routers (default PROFILES.t800). */
  profile?: Profile;
  /** Processor clock (default: the profile's). */
  clockHz?: number;
  /** Keyboard bytes for core (0, 0), or a source asked for each byte as the program reads it. */
  stdin?: Uint8Array | KeyboardSource;
  /** Called as bytes are written to the screen channel (batched). */
  onScreen?: (bytes: Uint8Array) => void;
  /** Called as bytes are written to the error channel (batched). */
  onError?: (bytes: Uint8Array) => void;
  /** Faults to inject (emulator/faults.ts, docs/machine.md "Faults"); none by default. */
  faults?: FaultSpec;
  /**
   * The seed of everything random in the run: the faults (default 1) and, when a seed is given, the choice an ALT
   * makes among its ready guards (without one, the first ready guard in textual order, as PRI ALT).
   */
  seed?: number;
  /**
   * Translate hot bytecode to JavaScript (emulator/translate/; default true). Off, every instruction is
   * interpreted; on or off, a run has the same output, cycles, instruction counts and errors.
   */
  jit?: boolean;
}

export type RunStatus = 'finished' | 'error' | 'deadlock' | 'cycle-limit';

export interface Waiting {
  kind: 'input' | 'output' | 'alt' | 'timer' | 'stopped' | 'endp' | 'claim' | 'sync';
  /** Channel address, for input and output. */
  channel?: number;
  /** Index in the image's mesh channel table, when the channel is a mesh channel. */
  meshChannel?: number;
  /** For an output on a mesh channel: the message has reached the receiver, which has not taken it. */
  delivered?: boolean;
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
  state: 'finished' | 'blocked' | 'running' | 'error' | 'idle' | 'crashed';
}

export interface RunResult {
  status: RunStatus;
  cycles: number;
  instructions: number;
  error: RunError | null;
  blocked: BlockedProcess[];
  cores: CoreStats[];
  /** Every directed link that carried bytes. */
  links: LinkStats[];
  /** Processor clock of the run, to turn cycles into emulated time. */
  clockHz: number;
  /** Every fault injected, in cycle order: present when the run was given faults. */
  faults?: FaultRecord[];
}

/** A run the debugger paused: at a core's stop inside a batch (`core`), or between batches (`core` null). */
export interface PausedResult {
  status: 'paused';
  cycles: number;
  core: Core | null;
}

export class LoadError extends Error {}

/** Bytes below MemStart (links, scheduler words, host devices). */
const RESERVED_BYTES = (MEM_START ^ MOST_NEG) >>> 0;
/** Words below a Wptr that the scheduler and instructions use (W[-1] .. W[-5]). */
const BELOW_WORKSPACE_WORDS = 5;
/** Longest batch: bounds how long host output waits before it is handed over. */
const BATCH_CYCLES = 1 << 20;
/**
 * The cores of a mesh share buffers of about this size for their memories: a buffer this big is mapped fresh from
 * the operating system, so a core's memory costs resident pages only where it is used (a 64 KiB buffer each would be
 * zero-filled, and resident, whole).
 */
const ARENA_BYTES = 64 << 20;

export class Machine {
  readonly cores: Core[];
  readonly profile: Profile;
  readonly clockHz: number;
  /** The links and mesh channels; null when the image has no mesh channels. */
  readonly network: Network | null;
  /** The faults injected into this run; null without faults. */
  readonly faults: Faults | null;
  /** The event stream (process, message and link events); free when nobody subscribes. */
  readonly events = new EventBus();
  /** The global clock: every core has run up to here. */
  private now = 0;
  /** Batches completed so far: with the cores' instruction counts, a position on the run's timeline. */
  batches = 0;
  /** The batch in progress when a debugger stop paused the clock inside it; null between batches. */
  private batch: { end: number; many: boolean; cores: Core[]; next: number } | null = null;
  /** Cores that may have something to do: a ready process or a timer. Blocked cores wait for the network. */
  private readonly awake = new Set<Core>();
  private readonly onScreen: ((bytes: Uint8Array) => void) | undefined;
  private readonly onError: ((bytes: Uint8Array) => void) | undefined;
  /** Screen bytes that came over the mesh, kept when there is no onScreen callback. */
  private readonly screenLog = new ByteSink();

  constructor(image: Image, options: MachineOptions = {}) {
    try {
      validateImage(image);
    } catch (e) {
      if (e instanceof ImageError) throw new LoadError(e.message);
      throw e;
    }
    const memoryBytes = options.memoryBytes ?? defaultMemoryBytes(image.cores.length);
    if (!Number.isInteger(memoryBytes) || memoryBytes % 4 !== 0 || memoryBytes < 1024 || memoryBytes > 1 << 30) {
      throw new LoadError(
        `memory size ${memoryBytes} is invalid: it must be a multiple of 4 between 1024 and 2^30 bytes`,
      );
    }
    this.profile = options.profile ?? PROFILES.t800;
    const clockHz = options.clockHz ?? this.profile.clockHz;
    this.clockHz = clockHz;
    this.onScreen = options.onScreen;
    this.onError = options.onError;
    const waitBytes = waitTableBytes(memoryBytes);
    const perArena = image.cores.length > 1 ? Math.max(1, Math.floor(ARENA_BYTES / (memoryBytes + waitBytes))) : 1;
    let arena: ArrayBuffer | null = null;
    let inArena = 0;
    this.cores = image.cores.map((ci, index) => {
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
      const slot = index % perArena;
      // An arena holds its cores' memories, then their wait tables (Core.waits).
      if (perArena > 1 && slot === 0) {
        inArena = Math.min(perArena, image.cores.length - index);
        arena = new ArrayBuffer(inArena * (memoryBytes + waitBytes));
      }
      const core = new Core({
        x: ci.x,
        y: ci.y,
        memoryBytes,
        clockHz,
        host,
        ...(host && options.stdin ? { stdin: options.stdin } : {}),
        ...(host && options.onScreen ? { onScreen: options.onScreen } : {}),
        ...(host && options.onError ? { onError: options.onError } : {}),
        ...(perArena > 1
          ? {
              memory: { buffer: arena!, byteOffset: slot * memoryBytes },
              waits: { buffer: arena!, byteOffset: inArena * memoryBytes + slot * waitBytes },
            }
          : {}),
      });
      core.load(ci.code, ci.entry, ci.workspaceWords);
      core.events = this.events;
      this.awake.add(core);
      return core;
    });
    // Cores loaded with the same code, or with codes of one length differing in a few bytes, share their
    // translations (emulator/translate/cache.ts).
    if (options.jit !== false) {
      const keys = sharedTranslationKeys(
        image.cores.map((ci) => ci.code),
        RESERVED_BYTES,
        memoryBytes,
      );
      this.cores.forEach((core, i) => core.useTranslations(keys[i]!));
    }
    const channels = image.channels ?? [];
    if (channels.length > 0) {
      const byPos = new Map<number, Core>();
      for (const c of this.cores) byPos.set(c.y * image.mesh.width + c.x, c);
      this.network = new Network(
        image.mesh,
        channels,
        (x, y) => byPos.get(y * image.mesh.width + x) ?? null,
        this.profile,
        {
          // Methods that reach the machine through a field, not closures: a snapshot's copy calls its own machine.
          machine: this,
          write(device, bytes) {
            this.machine.hostWrite(device, bytes);
          },
          woke(core) {
            this.machine.awake.add(core);
          },
        } as NetworkHost & { machine: Machine },
        this.events,
      );
      for (const c of this.cores) c.net = this.network;
    } else this.network = null;
    if (options.seed !== undefined) {
      image.cores.forEach((ci, i) =>
        this.fairAlts(this.cores[i]!, image.debug[i]?.fairAlts ?? [], ci.code.length, options.seed!),
      );
    }
    this.faults =
      options.faults && options.faults.length > 0
        ? new Faults(options.faults, options.seed ?? 1, image.mesh.width)
        : null;
    if (this.network) this.network.faults = this.faults;
  }

  /**
   * Subscribe to the event stream; returns the function that unsubscribes. With `processes: false`, only the
   * network's events (sent, received, link, lost) reach the listener, and the cores build none of theirs for it.
   */
  subscribe(fn: MachineEventListener, options: { processes?: boolean } = {}): () => void {
    return this.events.subscribe(fn, options);
  }

  /** Screen output that arrived over the mesh (when no onScreen callback was given). */
  meshScreenOutput(): Uint8Array {
    return this.screenLog.peek();
  }

  private hostWrite(device: 'screen' | 'error', bytes: Uint8Array): void {
    // Output of core (0, 0) itself goes first, so that the order of the two is the order of the clock.
    this.cores.find((c) => c.x === 0 && c.y === 0)?.flushOutput();
    if (device === 'screen') {
      if (this.onScreen) this.onScreen(bytes);
      else this.screenLog.pushFrom(bytes, 0, bytes.length);
    } else this.onError?.(bytes);
  }

  /**
   * Run for at most `maxCycles` more cycles (default: no limit). Returns when every core's boot process has
   * finished, a core has a run-time error, nothing can move (deadlock), or the limit is reached; after
   * 'cycle-limit' it may be called again to continue.
   */
  run(maxCycles = Infinity): RunResult {
    return this.advance(maxCycles, false) as RunResult;
  }

  /**
   * The clock loop, which the debugger (emulator/stepper.ts) also drives. It returns 'paused' when a core stops at a
   * debugger stop (a breakpoint or an instruction count, see Core.breakMap) in the middle of a batch, or, with
   * `oneBatch`, at the end of the next batch; calling it again resumes exactly where it stopped, so a run paused and
   * resumed any number of times does what one uninterrupted run does. A cycle limit, by contrast, cuts the batch
   * it falls in short.
   */
  advance(maxCycles = Infinity, oneBatch = false): RunResult | PausedResult {
    const stopAt = this.now + Math.max(0, maxCycles);
    const net = this.network;
    const awake = this.awake;
    const window = this.profile.windowCycles;
    for (;;) {
      if (this.batch === null) {
        // Where the earliest core is, and how many are busy.
        let low = Infinity;
        let running = 0;
        // The two earliest wake-ups of cores waiting for a timer.
        let wake1 = Infinity;
        let wake2 = Infinity;
        for (const core of awake) {
          if (core.isHalted) continue;
          if (core.state === 'running') {
            running++;
            if (core.cycles < low) low = core.cycles;
          } else if (core.state === 'idle') {
            const at = Math.max(core.cycles, core.nextEventCycle);
            if (at < wake1) {
              wake2 = wake1;
              wake1 = at;
            } else if (at < wake2) wake2 = at;
            if (at < low) low = at;
          }
        }
        const netNext = net ? net.nextCycle() : Infinity;
        const start = Math.min(low, netNext);
        const crashAt = this.faults === null ? Infinity : this.faults.nextCrash;
        if (crashAt <= start && crashAt < stopAt) {
          this.crashCores(crashAt);
          continue;
        }
        if (start === Infinity) break;
        if (start >= stopAt) {
          this.now = stopAt;
          return this.result('cycle-limit', stopAt);
        }
        if (netNext <= start) {
          net!.advance(netNext);
          this.batches++;
          if (oneBatch) return { status: 'paused', cycles: this.now, core: null };
          continue;
        }
        // One busy core runs up to the next network event. Several run for a window; the network events that fall
        // in it are handled afterwards, waking each process at its event's cycle or, if its core was busy with
        // another process by then, as soon as that core is free (docs/machine.md, "Time and cycles").
        const many = running > 1;
        let end = many ? Math.min(stopAt, start + window) : Math.min(stopAt, netNext, start + BATCH_CYCLES);
        // The batch of a core running alone ends where another core's timer wakes (it could then send).
        if (!many) end = Math.min(end, running === 1 ? wake1 : wake2);
        if (crashAt < end) end = crashAt;
        if (end <= start) end = start + 1;
        // Alone means alone: the other cores waiting for a timer wake later than the batch ends, and run then.
        const cores = many
          ? [...awake]
          : [...awake].filter(
              (c) => c.state === 'running' || (c.state === 'idle' && Math.max(c.cycles, c.nextEventCycle) <= start),
            );
        this.batch = { end, many, cores, next: 0 };
        for (const core of this.batch.cores) this.setAlone(core, !many && net !== null);
      }
      const batch = this.batch;
      // Cores run in the awake set's order; the list is refreshed if the set grew meanwhile.
      for (;;) {
        if (batch.next >= batch.cores.length) {
          if (!batch.many || awake.size === batch.cores.length) break;
          const before = batch.cores.length;
          batch.cores = [...awake];
          for (let i = before; i < batch.cores.length; i++) this.setAlone(batch.cores[i]!, !batch.many && net !== null);
          if (batch.next >= batch.cores.length) break;
        }
        const core = batch.cores[batch.next]!;
        if (!core.isHalted) {
          core.paused = false;
          core.run(batch.end);
          if (core.paused) return { status: 'paused', cycles: core.cycles, core };
        }
        batch.next++;
      }
      this.batch = null;
      const end = batch.end;
      this.now = Math.max(this.now, end);
      let failed: Core | undefined;
      for (const core of awake) {
        if (core.state === 'error') {
          failed = core;
          break;
        }
        if (core.isHalted || core.state === 'blocked') awake.delete(core);
      }
      if (failed) {
        this.batches++;
        return this.result('error', failed.cycles, failed);
      }
      if (batch.many && net) net.advance(end);
      // Counted once the batch's network events are handled too, so every event of batch b sees `batches` = b.
      this.batches++;
      if (oneBatch) return { status: 'paused', cycles: this.now, core: null };
    }
    return this.final();
  }

  /** With a seed, a core's plain ALTs choose among their ready guards at random (Core.fairMap). */
  private fairAlts(
    core: Core,
    ranges: readonly { offset: number; end: number }[],
    codeLength: number,
    seed: number,
  ): void {
    const base = (MEM_START ^ MOST_NEG) >>> 0;
    const map = new Uint8Array(base + codeLength);
    for (const r of ranges) map.fill(1, base + r.offset, base + r.end);
    core.fairMap = map;
    core.altRandom = new Random(coreSeed(seed, core.x, core.y));
  }

  /** A core running alone in a batch stops at the first network event it creates (Core.alone). */
  private setAlone(core: Core, alone: boolean): void {
    core.alone = alone;
    core.horizon = Infinity;
  }

  /** Crash the cores a `crash=` fault names for this cycle. */
  private crashCores(cycle: number): void {
    for (const c of this.faults!.takeCrashes(cycle)) {
      const core = this.cores.find((k) => k.x === c.core.x && k.y === c.core.y);
      if (!core) continue;
      core.crash();
      this.awake.delete(core);
      this.network?.crashed(core, cycle);
    }
  }

  /** The outcome once nothing more can run: finished, or deadlocked. A crashed core has nothing left to finish. */
  private final(): RunResult {
    const cores = this.cores;
    if (cores.every((c) => c.finished || !c.hasBoot || c.isCrashed)) {
      return this.result('finished', Math.max(0, ...cores.map((c) => c.finishCycle)));
    }
    return this.result('deadlock', Math.max(0, this.network?.lastCycle ?? 0, ...cores.map((c) => c.cycles)));
  }

  /**
   * Keyboard bytes have arrived (the debugger's console): a process on core (0, 0) waiting for them (KEY_WAIT)
   * takes them and runs again. Call between batches. Returns true if one became ready.
   */
  keyboardReady(): boolean {
    const host = this.cores.find((c) => c.host);
    if (!host || !host.keyboardReady()) return false;
    this.awake.add(host);
    return true;
  }

  /** Whether the clock stands between batches (where snapshots are taken), not inside one. */
  get betweenBatches(): boolean {
    return this.batch === null;
  }

  /** The global clock: every core has run up to here (inside a batch, cores may be ahead). */
  get cycle(): number {
    return this.now;
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
        for (const b of core.blockedProcesses()) {
          const p = toBlocked(core, b);
          const w = this.network?.waitOf(core, b.wptr);
          if (w) {
            p.waiting.channel = (MESH_CHANNEL_BASE + 4 * w.channel) | 0;
            p.waiting.meshChannel = w.channel;
            if (w.direction === 'output') p.waiting.delivered = w.arrived;
          }
          blocked.push(p);
        }
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
      links: this.network ? this.network.linkStats() : [],
      clockHz: this.clockHz,
      ...(this.faults ? { faults: this.faults.report(cycles) } : {}),
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
