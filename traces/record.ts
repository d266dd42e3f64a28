// Run records (`occmesh run --record FILE.omrec`, `occmesh replay FILE.omrec`): everything that makes a run
// reproducible, so it can be run again bit for bit, traced later, or opened in the debugger.
//
// A record holds the image, the run options, the keyboard bytes exactly as the program read them, and what the
// run gave (status, cycles, a digest of the screen output) so a replay can prove it matched. The emulator is
// deterministic (ARCHITECTURE.md), so nothing else is needed. The options object is open-ended: options that
// change a run's course (a schedule seed, injected faults) go there when occmesh has them; a record naming an
// option this occmesh does not know, or made by another occmesh version, is refused rather than replayed wrongly.
//
// The file: a header line (JSON: format, version, the occmesh version, a SHA-256 of everything after the line),
// a line of JSON with the options, keyboard and result, then the image as `occmesh compile` writes it.

import type { FaultRule, FaultSpec, LinkRef } from '../emulator/faults.js';
import type { Coord } from '../emulator/events.js';
import { createHash } from 'node:crypto';
import { ImageError, parseImage, serializeImage, type Image } from '../emulator/image.js';
import type { KeyboardSource } from '../emulator/core.js';
import type { RunStatus } from '../emulator/machine.js';
import { OCCMESH_VERSION } from '../cli/version.js';

export const RECORD_FORMAT = 'occmesh-record';
export const RECORD_VERSION = 1;

/** The options a run was made with. New options that change a run are added here (see the header comment). */
export interface RecordOptions {
  /** Machine profile name (emulator/profiles.ts). */
  readonly profile: string;
  /** The cycle limit; absent: none (the default of `run`). */
  readonly maxCycles?: number;
  /** Memory per core in bytes; absent: the default. */
  readonly memoryBytes?: number;
  /** The faults injected (`--faults`, emulator/faults.ts); absent: none. */
  readonly faults?: FaultSpec;
  /** The seed of the faults and of the ALTs' choices (`--seed`); absent: none given. */
  readonly seed?: number;
}

const KNOWN_OPTIONS = new Set(['profile', 'maxCycles', 'memoryBytes', 'faults', 'seed']);

/** Whether a recorded fault specification has the shape emulator/faults.ts expects. */
function isFaultSpec(v: unknown): v is FaultSpec {
  const num = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  const coord = (c: unknown): boolean =>
    typeof c === 'object' && c !== null && num((c as Coord).x) && num((c as Coord).y);
  const link = (l: unknown): boolean =>
    typeof l === 'object' && l !== null && coord((l as LinkRef).from) && coord((l as LinkRef).to);
  return (
    Array.isArray(v) &&
    v.every((r: FaultRule) => {
      if (typeof r !== 'object' || r === null) return false;
      switch (r.kind) {
        case 'loss':
        case 'corrupt':
          return num(r.p) && (r.link === undefined || link(r.link));
        case 'down':
          return link(r.link) && num(r.cycle);
        case 'crash':
          return coord(r.core) && num(r.cycle);
        default:
          return false;
      }
    })
  );
}

/** What the recorded run gave, so a replay can check it gives the same. */
export interface RecordOutcome {
  readonly status: RunStatus;
  readonly cycles: number;
  readonly instructions: number;
  /** SHA-256 (hex) of the bytes written to the screen and error channels, in order, and how many there were. */
  readonly outputSha256: string;
  readonly outputBytes: number;
}

export interface RunRecord {
  /** The occmesh version that made it. */
  readonly occmesh: string;
  readonly image: Image;
  readonly options: RecordOptions;
  /** Keyboard bytes in the order the program read them. */
  readonly keyboard: Uint8Array;
  /** Whether the program read past them and was told the input had ended. */
  readonly keyboardEnded: boolean;
  readonly outcome: RecordOutcome;
}

export class RecordError extends Error {}

export function serializeRecord(r: RunRecord): string {
  const meta = JSON.stringify({
    options: r.options,
    keyboard: Buffer.from(r.keyboard).toString('base64'),
    keyboardEnded: r.keyboardEnded,
    outcome: r.outcome,
  });
  const body = `${meta}\n${serializeImage(r.image)}\n`;
  const header = JSON.stringify({
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    occmesh: r.occmesh,
    sha256: sha256(body),
  });
  return `${header}\n${body}`;
}

/** Read a record file. Throws RecordError with a plain message if it is not one this occmesh can replay. */
export function parseRecord(data: Uint8Array | string, version: string = OCCMESH_VERSION): RunRecord {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  const nl = text.indexOf('\n');
  const header = parseJson(nl < 0 ? text : text.slice(0, nl));
  if (!isObject(header) || header.format !== RECORD_FORMAT) {
    if (text.startsWith(`{"format":"${RECORD_FORMAT}"`))
      throw new RecordError('the record is damaged: its header cannot be read');
    throw new RecordError('not an occmesh run record');
  }
  if (header.version !== RECORD_VERSION) {
    throw new RecordError(
      `record format version ${String(header.version)} is not supported (this occmesh reads version ${RECORD_VERSION})`,
    );
  }
  if (header.occmesh !== version) {
    throw new RecordError(
      `recorded by occmesh ${String(header.occmesh)}, but this is occmesh ${version}: a run is replayed only by the version that ` +
        'recorded it (record it again with this version)',
    );
  }
  const body = nl < 0 ? '' : text.slice(nl + 1);
  if (typeof header.sha256 !== 'string' || sha256(body) !== header.sha256) {
    throw new RecordError('the record is damaged: its contents do not match its checksum');
  }
  const nl2 = body.indexOf('\n');
  const meta = parseJson(body.slice(0, nl2 < 0 ? body.length : nl2));
  if (!isObject(meta) || !isObject(meta.options) || typeof meta.keyboard !== 'string' || !isObject(meta.outcome)) {
    throw new RecordError('the record is damaged: its options, keyboard or outcome are missing');
  }
  const options = meta.options;
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0)
    throw new RecordError(`the record uses options this occmesh does not know: ${unknown.join(', ')}`);
  if (
    typeof options.profile !== 'string' ||
    (options.maxCycles !== undefined && typeof options.maxCycles !== 'number')
  ) {
    throw new RecordError('the record is damaged: its profile or cycle limit is missing');
  }
  if (options.faults !== undefined && !isFaultSpec(options.faults))
    throw new RecordError('the record is damaged: its faults are not a fault specification');
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new RecordError('the record is damaged: its seed is not a whole number');
  if (options.memoryBytes !== undefined && typeof options.memoryBytes !== 'number') {
    throw new RecordError('the record is damaged: its memory size is not a number');
  }
  let image: Image;
  try {
    image = parseImage(body.slice(nl2 + 1));
  } catch (e) {
    if (e instanceof ImageError) throw new RecordError(`the record's image is not valid: ${e.message}`);
    throw e;
  }
  return {
    occmesh: version,
    image,
    options: options as unknown as RecordOptions,
    keyboard: new Uint8Array(Buffer.from(meta.keyboard, 'base64')),
    keyboardEnded: meta.keyboardEnded === true,
    outcome: meta.outcome as unknown as RecordOutcome,
  };
}

/**
 * What a debugger needs to rerun a record: the image, the options, and the keyboard as a source that gives the
 * recorded bytes in order and then end of input if the recorded run saw it.
 */
export function loadRecord(data: Uint8Array | string): {
  image: Image;
  options: RecordOptions;
  keyboard: Uint8Array;
  stdin: KeyboardSource;
} {
  const r = parseRecord(data);
  return { image: r.image, options: r.options, keyboard: r.keyboard, stdin: replayKeyboard(r.keyboard) };
}

/** A keyboard that gives the recorded bytes, then end of input (-1). */
export function replayKeyboard(bytes: Uint8Array): KeyboardSource {
  let next = 0;
  return () => (next < bytes.length ? bytes[next++]! : -1);
}

/** Wraps a keyboard source and keeps every byte it gives, for the record. */
export class KeyboardLog {
  private buf = new Uint8Array(256);
  private n = 0;
  ended = false;

  constructor(private readonly source: KeyboardSource) {}

  readonly read: KeyboardSource = () => {
    const b = this.source();
    if (b < 0) {
      this.ended = true;
      return b;
    }
    if (this.n === this.buf.length) {
      const grown = new Uint8Array(this.n * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.n++] = b & 0xff;
    return b;
  };

  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** Digests the program's output (screen and error) as it comes, for the record's outcome. */
export class OutputDigest {
  private readonly hash = createHash('sha256');
  bytes = 0;

  add(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
