// A debugging session: the machine being debugged and everything done to it. Run control (run, one batch, one
// instruction, to the next source line or communication of a process, to the next message on a channel),
// breakpoints (source lines and communication conditions), stepping backwards (periodic snapshots plus exact
// re-execution), the program's console (output, and keys typed for it). No terminal code: the UI (tui/app.ts) drives
// a Session and draws what it reports; the tests drive it directly.
//
// Positions on the run's timeline: the clock is paused either between batches (Machine.batches says how many have
// run) or just before a core executes its next instruction (the core's instruction count says how many it has
// executed). Because a paused and resumed run does what an uninterrupted one does (test/emulator/stepping.test.ts),
// re-executing from a snapshot to such a position lands on exactly the state that was there before.

import type { FaultSpec } from '../emulator/faults.js';
import { KEY_WAIT } from '../emulator/core.js';
import type { MachineEvent } from '../emulator/events.js';
import {
  entryAt,
  HOST_ERROR,
  HOST_KEYBOARD,
  MESH_CHANNEL_BASE,
  type Image,
  type LineEntry,
} from '../emulator/image.js';
import { decode, MOST_NEG } from '../emulator/isa.js';
import { Machine, type RunResult } from '../emulator/machine.js';
import type { Profile } from '../emulator/profiles.js';
import { restoreSnapshot, snapshotBytes, takeSnapshot, type Snapshot } from '../emulator/snapshot.js';
import { coreIndex, lineAt, processesOf, type ProcessView, shownOffset } from './inspect.js';

export type SessionStatus = 'paused' | 'running' | 'finished' | 'error' | 'deadlock' | 'keyboard';

export interface SessionOptions {
  readonly profile: Profile;
  readonly memoryBytes?: number;
  /** Faults to inject and the run's seed (emulator/faults.ts), as `occmesh run --faults --seed` takes them. */
  readonly faults?: FaultSpec;
  readonly seed?: number;
  /** False: interpret every instruction (MachineOptions.jit). */
  readonly jit?: boolean;
  /** Keyboard bytes there from the start (a recorded run's). */
  readonly keys?: Uint8Array;
  /** The keyboard input ends after `keys` (END.OF.FILE), as in the recorded run. */
  readonly keysEnd?: boolean;
  /** Instructions between snapshots (default 2,000,000). */
  readonly snapshotEvery?: number;
  /** Snapshot memory kept at most; older snapshots are thinned out beyond it (default 512 MiB). */
  readonly snapshotBudget?: number;
}

/** A communication breakpoint, set from the `:` command line. */
export type CommBreak =
  | { readonly kind: 'channel'; readonly name: string; readonly value?: number }
  | { readonly kind: 'stall'; readonly cycles: number }
  | { readonly kind: 'alt'; readonly file: number; readonly line: number }
  | { readonly kind: 'block' };

export interface ConsoleChunk {
  readonly device: 'screen' | 'error' | 'keys';
  readonly text: string;
}

/** A point on the timeline that can be returned to: a snapshot and what the session knew then. */
interface Mark {
  readonly snap: Snapshot;
  readonly batches: number;
  readonly cycle: number;
  readonly counts: readonly number[];
  readonly keysUsed: number;
  readonly keysGiven: number;
  readonly consoleLength: number;
  /** The views' own state at this point (onMark). */
  readonly views: unknown;
}

/** Following one process through its instructions on one core (for `n` and `r`). */
interface Tracker {
  readonly core: number;
  /** The process's Wptr as last seen; it moves with ajw, call and ret. */
  w: number;
  /** Whether it was the one about to execute at the previous stop, and that instruction's name. */
  wasActive: boolean;
  lastOp: string;
  /** Instructions of it seen since the task began (the first is the one it was at). */
  executed: number;
  ended: boolean;
}

type Task =
  | { readonly kind: 'run' }
  | { readonly kind: 'batch' }
  | { readonly kind: 'instruction'; readonly core: number; readonly target: number }
  | { readonly kind: 'line'; readonly track: Tracker; readonly from: LineEntry | undefined }
  | { readonly kind: 'comm'; readonly track: Tracker }
  | { readonly kind: 'count'; readonly core: number; readonly target: number }
  | { readonly kind: 'batches'; readonly target: number }
  | { readonly kind: 'message'; readonly channel: number }
  | { readonly kind: 'local'; readonly core: number; readonly address: number; readonly name: string };

/** Instructions that move a process's own workspace pointer (it is still the same process after them). */
const WPTR_OPS = new Set(['ajw', 'call', 'ret', 'gajw']);
/** Instructions that communicate (the stops of `r`). */
const COMM_OPS = new Set(['in', 'out', 'outword', 'outbyte', 'alt', 'talt', 'altwt', 'taltwt']);

const MEM_START_OFF = 0x80;

export class Session {
  machine: Machine;
  readonly image: Image;
  status: SessionStatus = 'paused';
  /** The outcome, once the run has ended (finished, error, deadlock). */
  ended: RunResult | null = null;
  /** Why the last task stopped, in words (for the status line). */
  stopReason = 'ready';
  /** The core whose instruction stop or breakpoint ended the last task (null: it ended between batches). */
  stoppedCore: number | null = null;
  /** Source-line breakpoints: `file:line`. */
  readonly breakpoints = new Set<string>();
  readonly commBreaks: CommBreak[] = [];
  readonly console: ConsoleChunk[] = [];
  /** Batch numbers at which each mesh channel delivered a message (for `[` and `]`). */
  readonly messageBatches = new Map<number, number[]>();
  /** Events as they happen, for the views (link traffic); reset when the session steps back. */
  onEvent: ((e: MachineEvent) => void) | null = null;
  /**
   * What the views accumulate from events (recent link traffic) is part of the timeline too: `onMark` hands a copy
   * to keep with each snapshot, and `onRestore` gets it back when the session returns to that snapshot; events
   * re-executed from there reach `onEvent` again.
   */
  onMark: (() => unknown) | null = null;
  onRestore: ((saved: unknown) => void) | null = null;

  private readonly options: SessionOptions;
  private task: Task | null = null;
  private marks: Mark[] = [];
  private typed: number[] = [];
  private keysGiven = 0;
  private keysUsed = 0;
  private inputEnded = false;
  private pendingKeys = false;
  /** Set by the event listener when a communication breakpoint's event happened. */
  private eventStop: string | null = null;
  private watchedChannel = -1;
  private consoleLength = 0;
  private sinceMark = 0;
  private replaying = false;

  constructor(image: Image, options: SessionOptions) {
    this.image = image;
    this.options = options;
    if (options.keys) {
      this.typed = [...options.keys];
      this.keysGiven = this.typed.length;
    }
    if (options.keysEnd) {
      this.inputEnded = true;
      this.endRequested = true;
      this.deliveries.push({ batches: 0, given: this.keysGiven, ended: true });
    }
    this.machine = this.newMachine();
    this.mark();
  }

  private newMachine(): Machine {
    const m = new Machine(this.image, {
      profile: this.options.profile,
      ...(this.options.memoryBytes !== undefined ? { memoryBytes: this.options.memoryBytes } : {}),
      ...(this.options.faults ? { faults: this.options.faults } : {}),
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      ...(this.options.jit === false ? { jit: false } : {}),
      stdin: () => this.nextKey(),
      onScreen: (b) => this.output('screen', b),
      onError: (b) => this.output('error', b),
    });
    this.listen(m);
    return m;
  }

  /**
   * Listen to the machine's events: the network's always (link traffic, messages); the processes' only while a
   * breakpoint needs them (`break block`), since building them costs the cores time on every switch.
   */
  private listen(m: Machine): void {
    this.unlisten?.();
    const processes = this.commBreaks.some((c) => c.kind === 'block');
    this.unlisten = m.subscribe((e) => this.event(e), { processes });
  }

  private unlisten: (() => void) | null = null;

  // ------------------------------------------------------------------------------------------------ the console

  private output(device: 'screen' | 'error', bytes: Uint8Array): void {
    // The course library's flush request (255) is never shown.
    const text = Buffer.from(bytes.filter((b) => b !== 255)).toString('latin1');
    if (text === '') return;
    this.console.push({ device, text });
    this.consoleLength++;
  }

  private nextKey(): number {
    if (this.keysUsed < this.keysGiven) return this.typed[this.keysUsed++]!;
    return this.inputEnded ? -1 : KEY_WAIT;
  }

  /** Keys typed in the console: they reach the program at the next batch boundary. */
  type(text: string): void {
    for (const ch of text) this.typed.push(ch.charCodeAt(0) & 0xff);
    this.pendingKeys = true;
    this.console.push({ device: 'keys', text });
    this.consoleLength++;
  }

  /** End of keyboard input (Ctrl-D in the console): reads after the typed keys get END.OF.FILE. */
  endInput(): void {
    this.endRequested = true;
    this.pendingKeys = true;
  }

  /** Keys typed that the program has not read yet. */
  get keysUnread(): number {
    return this.typed.length - this.keysUsed;
  }

  /** Whether the program waits for a key nobody has typed yet. */
  get waitingForKey(): boolean {
    return this.machine.cores.some((c) => c.waitingForKeyboard);
  }

  // ------------------------------------------------------------------------------------------------ events

  private event(e: MachineEvent): void {
    if (e.kind === 'received') {
      let list = this.messageBatches.get(e.channel);
      if (!list) this.messageBatches.set(e.channel, (list = []));
      // The boundary after the batch it was delivered in.
      const b = this.machine.batches + 1;
      if (list.length === 0 || list[list.length - 1]! < b) list.push(b);
      if (e.channel === this.watchedChannel) this.eventStop ??= `message on \`${this.channelName(e.channel)}\``;
      for (const cb of this.commBreaks) {
        if (
          cb.kind === 'channel' &&
          this.channelName(e.channel) === cb.name &&
          (cb.value === undefined || e.value === cb.value)
        ) {
          this.eventStop ??= `\`${cb.name}\` carried a message${cb.value !== undefined ? ` of ${cb.value}` : ''}`;
        }
      }
    } else if (e.kind === 'blocked' && this.commBreaks.some((c) => c.kind === 'block')) {
      this.eventStop ??= `a process on core (${e.core.x}, ${e.core.y}) blocked (${e.waiting})`;
      // Stop the core before its next instruction, while the blocked process is fresh.
      const core = this.machine.cores.find((c) => c.x === e.core.x && c.y === e.core.y);
      if (core) core.instructionStop = core.instructions;
    }
    this.onEvent?.(e);
  }

  channelName(k: number): string {
    return this.image.channels?.[k]?.name ?? `#${k}`;
  }

  // ------------------------------------------------------------------------------------------------ commands

  /** Space: run until a breakpoint, the end, or `pause()`. */
  run(): void {
    this.begin({ kind: 'run' });
  }

  pause(): void {
    if (this.task) {
      this.task = null;
      this.disarm();
      this.stopReason = 'paused';
    }
    if (this.status === 'running') this.status = 'paused';
  }

  /** `s`: one batch of the clock. */
  stepBatch(): void {
    this.begin({ kind: 'batch' });
  }

  /** `i`: one instruction on core `k` (other cores run as the clock's order has them). */
  stepInstruction(k: number): void {
    const core = this.machine.cores[k]!;
    this.begin({ kind: 'instruction', core: k, target: core.instructions + 1 });
  }

  /** `n`: run process `p` to its next source line. */
  nextLine(p: ProcessView): void {
    const k = this.coreOf(p);
    const debug = this.image.debug[k]!;
    const from = lineAt(debug, shownOffset(p));
    this.begin({ kind: 'line', track: this.tracker(k, p), from });
  }

  /** `r`: run process `p` to its next communication. */
  nextComm(p: ProcessView): void {
    this.begin({ kind: 'comm', track: this.tracker(this.coreOf(p), p) });
  }

  /** `]`: run to the next message delivered on mesh channel `channel`. */
  nextMessage(channel: number): void {
    this.begin({ kind: 'message', channel });
  }

  /**
   * `]` on a channel inside a core: run until the channel next carries a message, stopping just before the
   * instruction of the second process to arrive (the one that completes the rendezvous).
   */
  nextLocalMessage(k: number, address: number, name: string): void {
    this.begin({ kind: 'local', core: k, address, name });
  }

  /** `[` on a channel inside a core: back to where it last carried a message (as `]` stops). */
  previousLocalMessage(k: number, address: number, name: string): boolean {
    const now = this.machine.cores[k]!.instructions;
    let upTo = now;
    for (;;) {
      const mk = this.latestMark((x) => x.counts[k]! < upTo);
      if (!mk) return this.cannot(`no earlier message on \`${name}\``);
      this.restore(mk);
      const found: number[] = [];
      const m = this.machine;
      const c = m.cores[k]!;
      const offsets = this.channelSites(k);
      this.replaying = true;
      try {
        for (const x of m.cores) {
          x.breakMap = null;
          x.instructionStop = Infinity;
        }
        const map = new Uint8Array(c.memoryBytes);
        for (const o of offsets) map[o + MEM_START_OFF] = 1;
        c.breakMap = map;
        c.instructionStop = upTo;
        for (;;) {
          const r = m.advance(Infinity, true);
          if (r.status !== 'paused') break;
          if (r.core !== c) continue;
          if (c.instructions >= upTo) break;
          if (this.completesMessage(c, address)) found.push(c.instructions);
          c.breakSkip = (c.Iptr ^ MOST_NEG) >>> 0;
        }
      } finally {
        this.replaying = false;
        c.breakMap = null;
        c.instructionStop = Infinity;
      }
      const target = found[found.length - 1];
      if (target !== undefined) return this.backTo(k, target, `message on \`${name}\``);
      if (mk.counts[k] === 0) return this.cannot(`no earlier message on \`${name}\``);
      upTo = mk.counts[k]!;
    }
  }

  /** Offsets of core k's channel instructions (the image's channel sites). */
  private channelSites(k: number): number[] {
    return (this.image.debug[k]!.channels ?? []).map((s) => s.offset);
  }

  /** Whether the instruction core `c` is about to execute communicates on `address` and completes a message. */
  private completesMessage(c: Machine['cores'][number], address: number): boolean {
    const op = decode(c.mem8, (c.Iptr ^ MOST_NEG) >>> 0).name;
    if (op !== 'in' && op !== 'out' && op !== 'outword' && op !== 'outbyte') return false;
    if (c.B !== address) return false;
    try {
      // The other end is already waiting: its process descriptor is in the channel word.
      return c.readWord(address) !== (MOST_NEG | 0);
    } catch {
      return false;
    }
  }

  /** `b`: toggle a breakpoint on a source line; false if no code comes from that line. */
  toggleBreakpoint(file: number, line: number): boolean {
    const key = `${file}:${line}`;
    if (this.breakpoints.has(key)) {
      this.breakpoints.delete(key);
      return true;
    }
    if (!this.image.debug.some((d) => d.lines.some((l) => l.file === file && l.line === line))) return false;
    this.breakpoints.add(key);
    return true;
  }

  addCommBreak(b: CommBreak): void {
    this.commBreaks.push(b);
    if (b.kind === 'block') this.listen(this.machine);
  }

  private begin(task: Task): void {
    this.stoppedCore = null;
    if (this.ended) {
      this.stopReason = `the run has ended (${this.ended.status}); step back with S, I or N`;
      return;
    }
    this.task = task;
    this.status = 'running';
    this.eventStop = null;
    this.watchedChannel = task.kind === 'message' ? task.channel : -1;
    this.arm();
  }

  get busy(): boolean {
    return this.task !== null;
  }

  /**
   * The cycle to show: where the run ended; else how far the cores and the network have got (the clock's batch may
   * reach beyond them when they wait).
   */
  get cycle(): number {
    if (this.ended) return this.ended.cycles;
    const m = this.machine;
    let c = m.network?.lastCycle ?? 0;
    for (const core of m.cores)
      if (!core.finished || core.finishCycle > c) c = Math.max(c, core.finished ? core.finishCycle : core.cycles);
    return Math.min(m.betweenBatches ? m.cycle : Infinity, c);
  }

  /** Whether the current task is a plain run (space), as opposed to a step that ends by itself. */
  get running(): boolean {
    return this.task?.kind === 'run';
  }

  // ------------------------------------------------------------------------------------------------ the loop

  /**
   * Carry on with the current task for about `budgetMs` of host time. Returns true if the task ended (the session
   * is paused or the run is over).
   */
  work(budgetMs: number, untilCycle = Infinity): boolean {
    const deadline = performance.now() + budgetMs;
    while (this.task) {
      if (this.step()) return true;
      if (performance.now() >= deadline || (this.machine.betweenBatches && this.machine.cycle >= untilCycle))
        return false;
    }
    return true;
  }

  /** One call into the clock loop; true when the task is over. */
  private step(): boolean {
    const task = this.task!;
    const m = this.machine;
    if (m.betweenBatches) this.atBoundary();
    const r = m.advance(Infinity, true);
    if (r.status !== 'paused') {
      this.finish(r);
      return true;
    }
    if (r.core) {
      const k = m.cores.indexOf(r.core);
      const stop = this.coreStopped(k);
      if (stop !== null) {
        this.stoppedCore = k;
        return this.done(stop);
      }
      return false;
    }
    // Between batches.
    if (this.eventStop !== null && task.kind !== 'batches' && task.kind !== 'count') return this.done(this.eventStop);
    if (task.kind === 'batch') return this.done('one batch');
    if (task.kind === 'batches' && m.batches >= task.target) return this.done(this.stopReason);
    if (this.stalled()) return true;
    return false;
  }

  /**
   * At a batch boundary: deliver typed keys, take a snapshot when it is time. Keys reach the program only at batch
   * boundaries, and each delivery is remembered (with a snapshot right after it), so that re-executing the run
   * delivers them at exactly the same points.
   */
  private atBoundary(): void {
    const m = this.machine;
    const b = m.batches;
    const recorded = this.deliveries.find((d) => d.batches === b);
    const last = this.deliveries[this.deliveries.length - 1];
    if (recorded && recorded.given > this.keysGiven) {
      this.keysGiven = recorded.given;
      this.inputEnded = recorded.ended;
      m.keyboardReady();
    } else if (this.pendingKeys && !this.replaying && (!last || b > last.batches)) {
      this.pendingKeys = false;
      this.keysGiven = this.typed.length;
      this.deliveries.push({ batches: b, given: this.keysGiven, ended: this.endRequested });
      this.inputEnded = this.endRequested;
      m.keyboardReady();
      this.mark(true);
      return;
    }
    if (this.replaying) return;
    const counts = m.cores.reduce((n, c) => n + c.instructions, 0);
    if (counts - this.sinceMark < (this.options.snapshotEvery ?? 2_000_000)) return;
    // By default snapshots take at most about a twentieth of the time: the next waits 19 times as long as this took.
    if (this.options.snapshotEvery === undefined && performance.now() - this.markedAt < 19 * this.markCost) return;
    this.mark();
  }

  /** When the last snapshot was taken (host ms) and how long it took. */
  private markedAt = 0;
  private markCost = 0;

  /** Where typed keys were handed to the program: at which batch boundary, and how many there were by then. */
  private readonly deliveries: { batches: number; given: number; ended: boolean }[] = [];
  private endRequested = false;

  /** A communication breakpoint on a link stall, checked between batches. */
  private stalled(): boolean {
    const stall = this.commBreaks.find((c): c is Extract<CommBreak, { kind: 'stall' }> => c.kind === 'stall');
    const net = this.machine.network;
    if (!stall || !net) return false;
    const now = this.machine.cycle;
    for (const s of net.stalls()) {
      if (now - s.since > stall.cycles) {
        return this.done(
          `link (${s.from.x}, ${s.from.y}) -> (${s.to.x}, ${s.to.y}) stalled for ${now - s.since} cycles`,
        );
      }
    }
    return false;
  }

  private done(reason: string): boolean {
    this.task = null;
    this.disarm();
    this.stopReason = reason;
    this.status = 'paused';
    return true;
  }

  private finish(r: RunResult): void {
    this.task = null;
    this.disarm();
    if (r.status === 'deadlock' && this.waitingForKey) {
      this.status = 'keyboard';
      this.stopReason = 'waiting for a key: Tab to the console and type';
      return;
    }
    this.ended = r;
    this.status = r.status === 'cycle-limit' ? 'paused' : r.status;
    this.stopReason =
      r.status === 'finished'
        ? 'the program finished'
        : r.status === 'error'
          ? 'run-time error'
          : r.status === 'deadlock'
            ? 'deadlock'
            : 'paused';
  }

  /**
   * Core k stopped before its next instruction (a breakpoint or an instruction count). Returns the reason to stop
   * the task, or null to carry on.
   */
  private coreStopped(k: number): string | null {
    const task = this.task!;
    const core = this.machine.cores[k]!;
    const off = ((core.Iptr ^ MOST_NEG) >>> 0) - MEM_START_OFF;
    const debug = this.image.debug[k]!;
    // Whatever happens next, this instruction executes when the core resumes, and its stops are the task's.
    core.breakSkip = off + MEM_START_OFF;
    core.instructionStop = this.stopFor(k);
    const atBreak = core.breakMap !== null && core.breakMap[off + MEM_START_OFF] !== 0;
    if (atBreak) {
      const line = lineAt(debug, off);
      if (line && line.offset === off && this.breakpoints.has(`${line.file}:${line.line}`))
        return `breakpoint at ${this.where(line)}`;
      const site = debug.channels ? entryAt(debug.channels, off) : undefined;
      for (const cb of this.commBreaks) {
        // A mesh channel stops when its receiver takes the message (the 'received' event), not at its sites.
        const onMesh = (core.B ^ MOST_NEG) >>> 0 >= (MESH_CHANNEL_BASE ^ MOST_NEG) >>> 0;
        if (
          cb.kind === 'channel' &&
          !onMesh &&
          site &&
          site.offset === off &&
          site.name === cb.name &&
          this.valueMatches(core, off, cb.value)
        ) {
          return `\`${cb.name}\` is about to communicate on core (${core.x}, ${core.y})`;
        }
      }
      if (this.commBreaks.some((c) => c.kind === 'alt') && decode(core.mem8, off + MEM_START_OFF).name === 'altend') {
        // Let the ALT choose, then look where it went.
        this.altPending = k;
        core.instructionStop = Math.min(core.instructionStop, core.instructions + 1);
      }
    }
    if (this.altPending === k && decode(core.mem8, off + MEM_START_OFF).name !== 'altend') {
      this.altPending = -1;
      const line = lineAt(debug, off);
      for (const cb of this.commBreaks) {
        if (cb.kind === 'alt' && line && line.file === cb.file && line.line === cb.line)
          return `an ALT chose the branch at ${this.where(line)}`;
      }
    }
    if (this.eventStop !== null && task.kind !== 'count' && task.kind !== 'batches') return this.eventStop;
    switch (task.kind) {
      case 'local':
        if (task.core === k && this.completesMessage(core, task.address)) return `message on \`${task.name}\``;
        return null;
      case 'instruction':
        if (task.core === k && core.instructions >= task.target)
          return `one instruction on core (${core.x}, ${core.y})`;
        return null;
      case 'count':
        if (task.core === k && core.instructions >= task.target) return this.stopReason;
        return null;
      case 'line':
      case 'comm': {
        const tr = task.track;
        if (tr.core !== k) return null;
        const mine = this.follow(tr, core, off);
        if (!mine) return tr.ended ? 'the process ended' : null;
        if (task.kind === 'line') {
          const here = lineAt(debug, off);
          const moved =
            !task.from || here?.line !== task.from.line || here.file !== task.from.file || off <= task.from.offset;
          if (tr.executed > 1 && here && here.offset === off && moved) return `next line: ${this.where(here)}`;
        } else if (tr.executed > 1 && COMM_OPS.has(tr.lastOp)) return this.commWords(k, tr.lastOp);
        return null;
      }
      default:
        return null;
    }
  }

  /** `r` stopped before a communication on core k: the channel, and the process at the other end if it is there. */
  private commWords(k: number, op: string): string {
    const core = this.machine.cores[k]!;
    if (op !== 'in' && op !== 'out' && op !== 'outword' && op !== 'outbyte') return `about to communicate (${op})`;
    const debug = this.image.debug[k]!;
    const off = ((core.Iptr ^ MOST_NEG) >>> 0) - MEM_START_OFF;
    const site = debug.channels ? entryAt(debug.channels, off) : undefined;
    const name = site && site.offset === off ? `\`${site.name}\`` : 'a channel';
    const verb = op === 'in' ? 'input from' : 'output on';
    const chan = core.B;
    if ((chan ^ MOST_NEG) >>> 0 >= (MESH_CHANNEL_BASE ^ MOST_NEG) >>> 0) {
      const info = this.image.channels?.[(((chan ^ MOST_NEG) >>> 0) - ((MESH_CHANNEL_BASE ^ MOST_NEG) >>> 0)) >>> 2];
      const other = info ? (op === 'in' ? info.from : info.to) : null;
      return `about to ${verb} ${name}${other ? `, with core (${other.x}, ${other.y}) at the other end` : ''}`;
    }
    if ((chan ^ MOST_NEG) >>> 0 < MEM_START_OFF) {
      const device = chan === HOST_KEYBOARD ? 'keyboard' : chan === HOST_ERROR ? 'error channel' : 'screen';
      return `about to ${verb} ${name}, the host's ${device}`;
    }
    let word = MOST_NEG | 0;
    try {
      word = core.readWord(chan);
    } catch {
      // not a channel in memory: the instruction will say so
    }
    if (word === (MOST_NEG | 0)) return `about to ${verb} ${name}; no process is at the other end yet`;
    const other = this.processes(k).find((p) => p.wptr === (word & ~3));
    const where = other?.at ? `${other.proc ?? 'main'} at ${this.where(other.at)}` : 'a process';
    return `about to ${verb} ${name}, with ${where} waiting at the other end`;
  }

  /** The instruction stop core k needs for the current task. */
  private stopFor(k: number): number {
    const t = this.task;
    const core = this.machine.cores[k]!;
    if (!t) return Infinity;
    if ((t.kind === 'instruction' || t.kind === 'count') && t.core === k) return t.target;
    // Following a process: stop before every instruction of its core.
    if ((t.kind === 'line' || t.kind === 'comm') && t.track.core === k) return core.instructions + 1;
    return Infinity;
  }

  private altPending = -1;

  /** Whether the instruction core k is about to execute belongs to the tracked process (and follow it). */
  private follow(tr: Tracker, core: Machine['cores'][number], off: number): boolean {
    if (tr.wasActive) {
      if (core.active && (core.Wptr === tr.w || WPTR_OPS.has(tr.lastOp))) tr.w = core.Wptr;
      else {
        tr.wasActive = false;
        // A branch that executed endp is gone (the PAR's last branch continues as its parent).
        if (tr.lastOp === 'endp' || tr.lastOp === 'stopp') tr.ended = true;
      }
    }
    const mine = core.active && core.Wptr === tr.w;
    if (mine) {
      tr.lastOp = decode(core.mem8, off + MEM_START_OFF).name;
      tr.executed++;
      tr.wasActive = true;
    }
    return mine;
  }

  private valueMatches(core: Machine['cores'][number], off: number, value: number | undefined): boolean {
    if (value === undefined) return true;
    const op = decode(core.mem8, off + MEM_START_OFF).name;
    if (op === 'outword' || op === 'outbyte') return (op === 'outbyte' ? core.A & 0xff : core.A) === value;
    if (op === 'out') {
      try {
        return core.readWord(core.C) === value;
      } catch {
        return false;
      }
    }
    return false;
  }

  private tracker(k: number, p: ProcessView): Tracker {
    return { core: k, w: p.wptr, wasActive: false, lastOp: '', executed: 0, ended: false };
  }

  coreOf(p: ProcessView): number {
    return coreIndex(this.image, p.core.x, p.core.y);
  }

  where(line: { file: number; line: number }): string {
    return `${this.image.files[line.file]?.path ?? '?'}:${line.line}`;
  }

  // ------------------------------------------------------------------------------------------------ stops

  /** Install the breakpoint maps and instruction stops the current task needs. */
  private arm(): void {
    const cores = this.machine.cores;
    for (let k = 0; k < cores.length; k++) {
      this.buildMap(k);
      cores[k]!.instructionStop = this.stopFor(k);
    }
    // Following a process starts with a stop before the next instruction of its core.
    const t = this.task;
    if (t && (t.kind === 'line' || t.kind === 'comm'))
      cores[t.track.core]!.instructionStop = cores[t.track.core]!.instructions;
  }

  /** Core k's breakpoint map: source-line breakpoints, channel sites, ALT ends (none while replaying). */
  private buildMap(k: number): void {
    const core = this.machine.cores[k]!;
    const debug = this.image.debug[k]!;
    const offsets: number[] = [];
    if (this.breakpoints.size > 0) {
      for (const l of debug.lines) if (this.breakpoints.has(`${l.file}:${l.line}`)) offsets.push(l.offset);
    }
    for (const cb of this.commBreaks) {
      if (cb.kind === 'channel' && debug.channels) {
        for (const s of debug.channels) if (s.name === cb.name) offsets.push(s.offset);
      }
      if (cb.kind === 'alt') offsets.push(...this.altEnds(k));
    }
    const t = this.task;
    if (t?.kind === 'local' && t.core === k) offsets.push(...this.channelSites(k));
    if (offsets.length === 0 || this.replaying) {
      core.breakMap = null;
      return;
    }
    const map =
      core.breakMap && core.breakMap.length === core.memoryBytes
        ? core.breakMap.fill(0)
        : new Uint8Array(core.memoryBytes);
    for (const o of offsets) map[o + MEM_START_OFF] = 1;
    core.breakMap = map;
  }

  private readonly altEndCache = new Map<number, number[]>();

  /** Offsets of the `altend` instructions of core k's code. */
  private altEnds(k: number): number[] {
    let found = this.altEndCache.get(k);
    if (found) return found;
    found = [];
    const code = this.image.cores[k]!.code;
    const data = this.image.debug[k]!.data;
    let o = 0;
    while (o < code.length) {
      const d = data.find((x) => x.offset === o);
      if (d) {
        o += d.length;
        continue;
      }
      const ins = decode(code, o);
      if (ins.name === 'altend') found.push(o);
      o += Math.max(1, ins.length);
    }
    this.altEndCache.set(k, found);
    return found;
  }

  private disarm(): void {
    this.watchedChannel = -1;
    for (let k = 0; k < this.machine.cores.length; k++) {
      this.buildMap(k);
      this.machine.cores[k]!.instructionStop = Infinity;
    }
    // Whatever stopped a core before its next instruction, it may execute it when the run resumes.
    for (const core of this.machine.cores) {
      if (core.paused) core.breakSkip = (core.Iptr ^ MOST_NEG) >>> 0;
    }
  }

  // ------------------------------------------------------------------------------------------------ history

  /** Take a snapshot here (between batches) unless one at this position exists. */
  private mark(force = false): void {
    const m = this.machine;
    if (!m.betweenBatches) return;
    const last = this.marks[this.marks.length - 1];
    if (last && last.batches >= m.batches && !force) return;
    if (last && last.batches === m.batches) this.marks.pop();
    const counts = m.cores.map((c) => c.instructions);
    const t0 = performance.now();
    this.marks.push({
      snap: takeSnapshot(m, this.marks[this.marks.length - 1]?.snap),
      batches: m.batches,
      cycle: m.cycle,
      counts,
      keysUsed: this.keysUsed,
      keysGiven: this.keysGiven,
      consoleLength: this.consoleLength,
      views: this.onMark?.(),
    });
    this.sinceMark = counts.reduce((a, b) => a + b, 0);
    this.markedAt = performance.now();
    this.markCost = this.markedAt - t0;
    this.thin();
  }

  /** Keep snapshot memory within the budget: drop every other snapshot, oldest first, keeping the first. */
  private thin(): void {
    const budget = this.options.snapshotBudget ?? 512 * 1024 * 1024;
    while (this.snapshotMemory() > budget && this.marks.length > 2) {
      this.marks = this.marks.filter((_, i) => i === 0 || i === this.marks.length - 1 || i % 2 === 1);
    }
  }

  /** Bytes the snapshots hold. */
  snapshotMemory(): number {
    let total = 0;
    for (const mk of this.marks) total += snapshotBytes(mk.snap).own;
    return total;
  }

  get snapshotCount(): number {
    return this.marks.length;
  }

  /** Make the machine the one at mark `mk`. */
  private restore(mk: Mark): void {
    this.machine = restoreSnapshot(mk.snap);
    this.keysUsed = mk.keysUsed;
    this.keysGiven = mk.keysGiven;
    this.inputEnded = this.deliveries.some((d) => d.batches <= mk.batches && d.ended);
    this.pendingKeys =
      this.typed.length > (this.deliveries[this.deliveries.length - 1]?.given ?? 0) ||
      (this.endRequested && !this.deliveries.some((d) => d.ended));
    // The console as it was then; keys typed later stay typed (they reach the program again as it re-runs).
    this.console.length = mk.consoleLength;
    this.consoleLength = mk.consoleLength;
    this.ended = null;
    this.eventStop = null;
    this.altPending = -1;
    this.onRestore?.(mk.views);
  }

  /** Run from a restored mark to a position, synchronously, without new snapshots. */
  private replayTo(task: Task, reason: string): void {
    this.replaying = true;
    this.task = task;
    this.stopReason = reason;
    this.arm();
    try {
      while (this.task) this.step();
    } finally {
      this.replaying = false;
    }
    this.stopReason = reason;
    if (this.status === 'running') this.status = 'paused';
  }

  private latestMark(ok: (mk: Mark) => boolean): Mark | null {
    for (let i = this.marks.length - 1; i >= 0; i--) if (ok(this.marks[i]!)) return this.marks[i]!;
    return null;
  }

  /** `S`: back one batch. */
  backBatch(): boolean {
    const m = this.machine;
    const target = m.betweenBatches ? m.batches - 1 : m.batches;
    if (target < 0) return this.cannot('at the start of the run');
    const mk = this.latestMark((x) => x.batches <= target)!;
    this.restore(mk);
    if (this.machine.batches < target) this.replayTo({ kind: 'batches', target }, `back one batch`);
    else this.settle('back one batch');
    return true;
  }

  /** `I`: back one instruction on core k. */
  backInstruction(k: number): boolean {
    const c = this.machine.cores[k]!.instructions;
    if (c === 0) return this.cannot('core has executed no instruction yet');
    return this.backTo(
      k,
      c - 1,
      `back one instruction on core (${this.machine.cores[k]!.x}, ${this.machine.cores[k]!.y})`,
    );
  }

  /** `N`: back to the start of the source line core k ran before the one it is on. */
  backLine(k: number): boolean {
    const current = this.lineOfCore(k);
    let upTo = this.machine.cores[k]!.instructions;
    for (;;) {
      const mk = this.latestMark((x) => x.counts[k]! < upTo);
      if (!mk) return this.cannot('no earlier line on this core');
      // Re-execute from the mark, stopping before every instruction of core k, and note where each line begins.
      this.restore(mk);
      const runs = this.lineRuns(k, upTo);
      while (runs.length > 0 && runs[runs.length - 1]!.key === current) runs.pop();
      const target = runs[runs.length - 1];
      // The earliest run may have begun before the mark: look further back unless the run starts the program.
      if (target && (runs.length > 1 || mk.counts[k] === 0)) {
        return this.backTo(
          k,
          target.start,
          `back one line on core (${this.machine.cores[k]!.x}, ${this.machine.cores[k]!.y})`,
        );
      }
      if (mk.counts[k] === 0) return this.cannot('no earlier line on this core');
      upTo = mk.counts[k]!;
    }
  }

  /** From here to core k's instruction count `upTo`: the runs of consecutive instructions from one source line. */
  private lineRuns(k: number, upTo: number): { start: number; key: string }[] {
    const runs: { start: number; key: string }[] = [];
    const m = this.machine;
    const c = m.cores[k]!;
    for (const x of m.cores) {
      x.breakMap = null;
      x.instructionStop = Infinity;
    }
    this.replaying = true;
    try {
      c.instructionStop = c.instructions;
      for (;;) {
        const r = m.advance(Infinity, true);
        if (r.status !== 'paused') break;
        if (r.core !== c) continue;
        if (c.instructions >= upTo) break;
        const key = this.lineOfCore(k);
        if (runs.length === 0 || runs[runs.length - 1]!.key !== key) runs.push({ start: c.instructions, key });
        c.instructionStop = c.instructions + 1;
      }
    } finally {
      this.replaying = false;
      c.instructionStop = Infinity;
    }
    return runs;
  }

  /** `[`: back to the previous message delivered on mesh channel `channel`. */
  previousMessage(channel: number): boolean {
    const list = this.messageBatches.get(channel) ?? [];
    const b = this.machine.batches;
    const before = list.filter((x) => (this.machine.betweenBatches ? x < b : x <= b));
    if (before.length === 0) return this.cannot(`no earlier message on \`${this.channelName(channel)}\``);
    const target = before[before.length - 1]!;
    const mk = this.latestMark((x) => x.batches <= target)!;
    this.restore(mk);
    if (this.machine.batches < target)
      this.replayTo({ kind: 'batches', target }, `message on \`${this.channelName(channel)}\``);
    else this.settle(`message on \`${this.channelName(channel)}\``);
    return true;
  }

  /** Back to the position where core k is about to execute its instruction number `count` + 1. */
  private backTo(k: number, count: number, reason: string): boolean {
    const mk = this.latestMark((x) => x.counts[k]! <= count && x.batches <= this.machine.batches);
    if (!mk) return this.cannot('no snapshot that early');
    this.restore(mk);
    this.replayTo({ kind: 'count', core: k, target: count }, reason);
    return true;
  }

  private settle(reason: string): void {
    this.task = null;
    this.status = 'paused';
    this.stopReason = reason;
    this.disarm();
  }

  private cannot(why: string): boolean {
    this.stopReason = `cannot step back: ${why}`;
    return false;
  }

  /** The source line core k is at (its running process, or the last it ran), as `file:line`. */
  private lineOfCore(k: number): string {
    const core = this.machine.cores[k]!;
    const off = ((core.Iptr ^ MOST_NEG) >>> 0) - MEM_START_OFF;
    const line = lineAt(this.image.debug[k]!, off);
    return line ? `${line.file}:${line.line}` : '';
  }

  // ------------------------------------------------------------------------------------------------ views

  processes(k: number): ProcessView[] {
    return processesOf(this.machine, this.image, k);
  }
}
