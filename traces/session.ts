// What `occmesh run` and `occmesh replay` do around a run for --trace, --vcd and --record: open the files,
// follow the machine's events, keep the keyboard bytes and a digest of the output, and when the run is over
// write the files out and, on a replay, check that the run came out as recorded. The command line (cli/main.ts)
// makes one call here before the run and one after it.

import type { FaultSpec } from '../emulator/faults.js';
import { openSync, writeSync, closeSync } from 'node:fs';
import type { KeyboardSource } from '../emulator/core.js';
import type { Image } from '../emulator/image.js';
import type { Machine, RunResult } from '../emulator/machine.js';
import type { Profile } from '../emulator/profiles.js';
import { OCCMESH_VERSION } from '../cli/version.js';
import { ChunkedOutput, StringOutput, type TextOutput } from './output.js';
import { PerfettoWriter, type CycleWindow } from './perfetto.js';
import {
  KeyboardLog,
  OutputDigest,
  replayKeyboard,
  serializeRecord,
  type RecordOptions,
  type RunRecord,
} from './record.js';
import { Timeline, type TimelineSink } from './timeline.js';
import { VcdWriter } from './vcd.js';

export interface TraceOptions {
  /** --trace FILE.json */
  trace?: string;
  /** --trace-window A:B (cycles) */
  traceWindow?: CycleWindow;
  /** --vcd FILE.vcd */
  vcd?: string;
  /** --record FILE.omrec */
  record?: string;
}

/** The run options a record keeps. */
export interface RecordedRun {
  profile: Profile;
  maxCycles: number;
  mem?: number;
  faults?: FaultSpec;
  seed?: number;
}

/** File access as the command line has it (cli/main.ts CliIO). */
export interface TraceIO {
  writeFile(path: string, data: string): void;
  /** Open a file to write in pieces; when absent, the text is collected and written whole at the end. */
  openFile?(path: string): TextOutput;
}

/** Writes text to a file as it comes, in chunks: the default for the real command line. */
export function openFileOutput(path: string): TextOutput {
  const fd = openSync(path, 'w');
  return new ChunkedOutput(
    (chunk) => {
      writeSync(fd, chunk);
    },
    () => closeSync(fd),
  );
}

export class RunTraces {
  private timeline: Timeline | null = null;
  private keyboardLog: KeyboardLog | null = null;
  private readonly digest = new OutputDigest();

  private constructor(
    private readonly image: Image,
    private readonly opts: TraceOptions,
    private readonly run: RecordedRun,
    private readonly io: TraceIO,
    private readonly replaying: RunRecord | null,
  ) {}

  /** The traces of one run; `replaying` is the record being replayed, if it is one. */
  static create(
    image: Image,
    opts: TraceOptions,
    run: RecordedRun,
    io: TraceIO,
    replaying: RunRecord | null = null,
  ): RunTraces {
    return new RunTraces(image, opts, run, io, replaying);
  }

  /** The keyboard the machine reads: the record's bytes on a replay; otherwise `source`, kept when recording. */
  keyboard(source: KeyboardSource): KeyboardSource {
    if (this.replaying) return replayKeyboard(this.replaying.keyboard);
    if (!this.opts.record) return source;
    this.keyboardLog = new KeyboardLog(source);
    return this.keyboardLog.read;
  }

  /** Bytes the program wrote to its screen or error channel (flush bytes included). */
  output(bytes: Uint8Array): void {
    this.digest.add(bytes);
  }

  /**
   * Open the trace files and start following the machine. Returns the file that cannot be opened and why (the
   * caller words it), or null.
   */
  attach(machine: Machine): { path: string; error: unknown } | null {
    const sinks: TimelineSink[] = [];
    const window = this.opts.traceWindow;
    let path = '';
    try {
      // The record is written when the run is over; an empty file now finds out at once whether it can be.
      if (this.opts.record) this.io.writeFile((path = this.opts.record), '');
      if (this.opts.trace)
        sinks.push(new PerfettoWriter(this.open((path = this.opts.trace)), this.image, machine.clockHz, window));
      if (this.opts.vcd)
        sinks.push(
          new VcdWriter(this.open((path = this.opts.vcd)), this.image, this.run.profile.name, machine.clockHz, window),
        );
    } catch (error) {
      return { path, error };
    }
    if (sinks.length > 0) {
      this.timeline = new Timeline(this.image, machine, sinks);
      this.timeline.start();
    }
    return null;
  }

  /**
   * The run is over: finish the traces and write the record. On a replay, returns a message if the run did not
   * come out as recorded.
   */
  finish(result: RunResult): string | null {
    this.timeline?.finish(result);
    const outcome = {
      status: result.status,
      cycles: result.cycles,
      instructions: result.instructions,
      outputSha256: this.digest.hex(),
      outputBytes: this.digest.bytes,
    };
    if (this.opts.record) {
      const options: RecordOptions = {
        profile: this.run.profile.name,
        ...(Number.isFinite(this.run.maxCycles) ? { maxCycles: this.run.maxCycles } : {}),
        ...(this.run.mem !== undefined ? { memoryBytes: this.run.mem } : {}),
        ...(this.run.faults ? { faults: this.run.faults } : {}),
        ...(this.run.seed !== undefined ? { seed: this.run.seed } : {}),
      };
      const log = this.keyboardLog;
      const keyboard = this.replaying ? this.replaying.keyboard : (log?.bytes() ?? new Uint8Array(0));
      const ended = this.replaying ? this.replaying.keyboardEnded : (log?.ended ?? false);
      const rec: RunRecord = {
        occmesh: OCCMESH_VERSION,
        image: this.image,
        options,
        keyboard,
        keyboardEnded: ended,
        outcome,
      };
      this.io.writeFile(this.opts.record, serializeRecord(rec));
    }
    const want = this.replaying?.outcome;
    if (want) {
      const same =
        want.status === outcome.status &&
        want.cycles === outcome.cycles &&
        want.instructions === outcome.instructions &&
        want.outputSha256 === outcome.outputSha256;
      if (!same) {
        const say = (o: typeof outcome) =>
          `${o.status} after ${o.cycles} cycles, ${o.instructions} instructions, ${o.outputBytes} bytes of output`;
        return `occmesh: the replay did not come out as recorded (recorded: ${say({ ...want })}; replayed: ${say(outcome)})`;
      }
    }
    return null;
  }

  private open(path: string): TextOutput {
    if (this.io.openFile) return this.io.openFile(path);
    // Written whole at the end; an empty file now finds out at once whether it can be written at all.
    this.io.writeFile(path, '');
    return new StringOutputTo(path, this.io);
  }
}

/** Collects the text and writes the file at close, for a CliIO without openFile (the in-process tests). */
class StringOutputTo extends StringOutput {
  constructor(
    private readonly path: string,
    private readonly io: TraceIO,
  ) {
    super();
  }

  override close(): void {
    super.close();
    this.io.writeFile(this.path, this.text());
  }
}

/** Parse `A:B` (cycles, either side may be empty). */
export function parseTraceWindow(value: string): CycleWindow | null {
  const m = /^(\d*):(\d*)$/.exec(value);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const from = m[1] === '' ? 0 : Number(m[1]);
  const to = m[2] === '' ? Infinity : Number(m[2]);
  if (!Number.isSafeInteger(from) || (to !== Infinity && !Number.isSafeInteger(to)) || to < from) return null;
  return { from, to };
}
