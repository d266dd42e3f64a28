// The loadable image: what `occmesh compile` writes and the machine loads. The compiler builds it; the emulator,
// the disassembler and the debugger read it. It is plain JSON (code as base64) so that it can be inspected, and it
// is validated before anything runs (validateImage), because an image file is untrusted input.

import { MOST_NEG } from './isa.js';

export const IMAGE_FORMAT = 'occmesh-image';
export const IMAGE_VERSION = 1;

/**
 * Memory map of every core (addresses are signed 32-bit, memory starts at MostNeg as on the Transputer):
 *   MostNeg + 0x00 .. 0x6F   reserved, as on the T800 (hard link channels, scheduler words)
 *   MostNeg + 0x70 .. 0x7F   host device channels (core (0, 0) only): screen, error, keyboard
 *   MostNeg + 0x80           MemStart: code, then constants
 *   end of code ..           the heap (emulator/heap.ts), up to the bottom of the boot process's workspace
 *   top of memory            the boot process's workspace grows down from here
 *   MostNeg + 0x40000000 ..  mesh channel endpoints: channel k of the image's `channels` table is the address
 *                            MESH_CHANNEL_BASE + 4k on both of its cores. No memory backs these addresses (memory
 *                            is at most 1 GiB), so a program may have any number of mesh channels, an array of
 *                            them can be indexed at run time, and a channel instruction on one is handed to the
 *                            link engine (emulator/network.ts) instead of touching memory.
 */
export const DEVICE_BASE = (MOST_NEG + 0x70) | 0;
export const HOST_SCREEN = (MOST_NEG + 0x70) | 0;
export const HOST_ERROR = (MOST_NEG + 0x74) | 0;
export const HOST_KEYBOARD = (MOST_NEG + 0x78) | 0;
export const MEM_START = (MOST_NEG + 0x80) | 0;
export const MESH_CHANNEL_BASE = (MOST_NEG + 0x40000000) | 0;
export const MAX_MESH_CHANNELS = 1 << 24;
/** Words kept free above the boot process's Wptr (its caller frame: return address and parameters). */
export const BOOT_RESERVE_WORDS = 8;
export const DEFAULT_MEMORY_BYTES = 64 * 1024;
/**
 * A program that runs on one core gets more by default: room on its heap for thousands of processes or a deep
 * recursion, as KRoC gives a program whatever memory it asks for. The host maps in only the pages it touches.
 */
export const SINGLE_CORE_MEMORY_BYTES = 4 * 1024 * 1024;

/** The memory each core has when no size is given: more for a program of one core than for a mesh. */
export function defaultMemoryBytes(cores: number): number {
  return cores > 1 ? DEFAULT_MEMORY_BYTES : SINGLE_CORE_MEMORY_BYTES;
}

export interface CoreImage {
  readonly x: number;
  readonly y: number;
  /** Code and constants, loaded at MemStart. */
  readonly code: Uint8Array;
  /** Offset in `code` where the boot process starts. */
  readonly entry: number;
  /** Words of workspace the boot process needs below its initial Wptr (frames, PAR branches, calls). */
  readonly workspaceWords: number;
}

export interface LineEntry {
  /** Code offset of the first instruction generated for this source position. */
  readonly offset: number;
  readonly file: number;
  readonly line: number;
  readonly col: number;
}

/** An instruction that may raise a run-time error, and what the error means in source terms. */
export interface CheckEntry {
  readonly offset: number;
  readonly file: number;
  readonly line: number;
  readonly col: number;
  /** Characters of source the checked expression spans. */
  readonly length: number;
  readonly message: string;
}

export interface ProcEntry {
  readonly name: string;
  readonly offset: number;
  readonly end: number;
  readonly file: number;
  readonly line: number;
}

export interface CoreDebug {
  /** Sorted by offset. */
  readonly lines: readonly LineEntry[];
  /** Sorted by offset. */
  readonly checks: readonly CheckEntry[];
  readonly procs: readonly ProcEntry[];
  /** Byte ranges of `code` that hold constants, not instructions. */
  readonly data: readonly { readonly offset: number; readonly length: number }[];
  /** Sorted by offset: the channel each channel instruction uses (optional). */
  readonly channels?: readonly ChannelSite[];
  /** Variables and channels with their scopes and workspace offsets (optional). */
  readonly names?: readonly NameEntry[];
  /** Code ranges where a plain (not PRI) ALT disables its guards (optional): with a seed it chooses among the ready ones. */
  readonly fairAlts?: readonly CodeRange[];
  /** Source position of the process this core runs, for placed programs (optional). */
  readonly placedAt?: { readonly file: number; readonly line: number; readonly col: number };
}

/** Code offsets [offset, end). */
export interface CodeRange {
  readonly offset: number;
  readonly end: number;
}

/** A name the debugger and the reports can show for a channel instruction: the channel it uses, in source terms. */
export interface ChannelSite {
  /** Code offset of the channel instruction (`in`, `out`, `outword`, `outbyte`). */
  readonly offset: number;
  /** The channel expression as written, e.g. `left` or `c[i]`. */
  readonly name: string;
}

/** A variable or channel in scope, for the debugger: where it lives while the code in [offset, end) runs. */
export interface NameEntry {
  readonly offset: number;
  readonly end: number;
  readonly name: string;
  readonly kind: 'variable' | 'channel' | 'timer';
  /** Word offset from the workspace pointer of the process that declares it (W[wordOffset]). */
  readonly wordOffset: number;
}

/**
 * A channel between two cores, carried by the mesh (emulator/network.ts). An element of an array of mesh channels
 * may connect two processes on one core: it is marked `local`, `from` = `to`, and its messages stay in that core's
 * router. Any other channel from a core to itself is an invalid image.
 */
export interface MeshChannelInfo {
  readonly name: string;
  /** The core whose process outputs. */
  readonly from: { readonly x: number; readonly y: number };
  /** The core whose process inputs. */
  readonly to: { readonly x: number; readonly y: number };
  /** Set when the receiving end is a host device on core (0, 0) rather than a process. */
  readonly host?: 'screen' | 'error';
  /** Set for an element of a channel array whose ends are both on one core (`from` = `to`). */
  readonly local?: true;
}

export interface SourceFileInfo {
  readonly path: string;
  /** The source text, so errors and the debugger can show lines without the original files. */
  readonly text: string;
}

export interface Image {
  readonly format: typeof IMAGE_FORMAT;
  readonly version: number;
  readonly mesh: { readonly width: number; readonly height: number };
  readonly cores: readonly CoreImage[];
  readonly files: readonly SourceFileInfo[];
  /** Debug information per core, in the same order as `cores`. */
  readonly debug: readonly CoreDebug[];
  /** Channels between cores; channel k has the address MESH_CHANNEL_BASE + 4k (absent: none). */
  readonly channels?: readonly MeshChannelInfo[];
}

export class ImageError extends Error {}

export function serializeImage(image: Image): string {
  return JSON.stringify({
    ...image,
    cores: image.cores.map((c) => ({ ...c, code: Buffer.from(c.code).toString('base64') })),
  });
}

/** Parse and validate an image file's text. Throws ImageError with a plain message when it is not a valid image. */
export function parseImage(text: string): Image {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ImageError('not an occmesh image (not JSON)');
  }
  if (!isObject(raw) || raw.format !== IMAGE_FORMAT) throw new ImageError('not an occmesh image');
  if (raw.version !== IMAGE_VERSION) {
    throw new ImageError(`image version ${String(raw.version)} is not supported (expected ${IMAGE_VERSION})`);
  }
  const cores = raw.cores;
  if (!Array.isArray(cores)) throw new ImageError('image has no core list');
  const decoded = cores.map((c: unknown, i: number) => {
    if (!isObject(c) || typeof c.code !== 'string') throw new ImageError(`core ${i}: missing code`);
    // Buffer.from skips characters that are not base64, so check first.
    if (c.code.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(c.code))
      throw new ImageError(`core ${i}: code is not valid base64`);
    return { ...c, code: new Uint8Array(Buffer.from(c.code, 'base64')) };
  });
  const image = { ...raw, cores: decoded } as unknown as Image;
  validateImage(image);
  return image;
}

/** Check every field the emulator relies on. Throws ImageError naming the first problem. */
export function validateImage(image: Image): void {
  const fail = (msg: string): never => {
    throw new ImageError(msg);
  };
  if (!isObject(image.mesh) || !isCount(image.mesh.width, 1, 1024) || !isCount(image.mesh.height, 1, 1024)) {
    fail('image mesh size is invalid');
  }
  if (
    !Array.isArray(image.files) ||
    !image.files.every((f) => isObject(f) && typeof f.path === 'string' && typeof f.text === 'string')
  ) {
    fail('image file table is invalid');
  }
  if (image.cores.length === 0) fail('image has no cores');
  const seen = new Set<string>();
  image.cores.forEach((c, i) => {
    if (!isObject(c) || !isCount(c.x, 0, image.mesh.width - 1) || !isCount(c.y, 0, image.mesh.height - 1)) {
      fail(`core ${i}: position outside the mesh`);
    }
    const key = `${c.x}, ${c.y}`;
    if (seen.has(key)) fail(`core (${key}) appears twice`);
    seen.add(key);
  });
  if (!Array.isArray(image.debug) || image.debug.length !== image.cores.length) fail('image debug table is invalid');
  image.cores.forEach((c, i) => {
    if (!(c.code instanceof Uint8Array)) fail(`core ${i}: code is not bytes`);
    if (!isCount(c.entry, 0, Math.max(0, c.code.length - 1))) fail(`core ${i}: entry point outside the code`);
    if (!isCount(c.workspaceWords, 0, 1 << 28)) fail(`core ${i}: workspace size is invalid`);
    const dbg = image.debug[i]!;
    if (
      !isObject(dbg) ||
      !Array.isArray(dbg.lines) ||
      !Array.isArray(dbg.checks) ||
      !Array.isArray(dbg.procs) ||
      !Array.isArray(dbg.data)
    ) {
      fail(`core ${i}: debug information is invalid`);
    }
    for (const e of [...dbg.lines, ...dbg.checks]) {
      if (!isObject(e) || !isCount(e.offset, 0, c.code.length) || !isCount(e.file, 0, image.files.length - 1)) {
        fail(`core ${i}: debug entry is invalid`);
      }
    }
    if (dbg.channels !== undefined) {
      if (!Array.isArray(dbg.channels)) fail(`core ${i}: channel names are invalid`);
      for (const e of dbg.channels!) {
        if (!isObject(e) || !isCount(e.offset, 0, c.code.length) || typeof e.name !== 'string')
          fail(`core ${i}: channel name entry is invalid`);
      }
    }
    if (dbg.names !== undefined) {
      if (!Array.isArray(dbg.names)) fail(`core ${i}: name table is invalid`);
      for (const e of dbg.names!) {
        if (
          !isObject(e) ||
          !isCount(e.offset, 0, c.code.length) ||
          !isCount(e.end, 0, c.code.length) ||
          typeof e.name !== 'string' ||
          !isCount(e.wordOffset, 0, 1 << 28)
        ) {
          fail(`core ${i}: name entry is invalid`);
        }
      }
    }
    if (dbg.fairAlts !== undefined) {
      if (!Array.isArray(dbg.fairAlts)) fail(`core ${i}: ALT table is invalid`);
      for (const e of dbg.fairAlts!) {
        if (!isObject(e) || !isCount(e.offset, 0, c.code.length) || !isCount(e.end, 0, c.code.length))
          fail(`core ${i}: ALT entry is invalid`);
      }
    }
    if (
      dbg.placedAt !== undefined &&
      (!isObject(dbg.placedAt) || !isCount(dbg.placedAt.file, 0, image.files.length - 1))
    ) {
      fail(`core ${i}: placement position is invalid`);
    }
  });
  if (image.channels !== undefined) {
    if (!Array.isArray(image.channels) || image.channels.length > MAX_MESH_CHANNELS)
      fail('image channel table is invalid');
    const inMesh = (p: unknown): boolean =>
      isObject(p) && isCount(p.x, 0, image.mesh.width - 1) && isCount(p.y, 0, image.mesh.height - 1);
    image.channels!.forEach((ch, k) => {
      if (!isObject(ch) || typeof ch.name !== 'string' || !inMesh(ch.from) || !inMesh(ch.to))
        fail(`mesh channel ${k} is invalid`);
      if (ch.host !== undefined && (!(ch.host === 'screen' || ch.host === 'error') || ch.to.x !== 0 || ch.to.y !== 0)) {
        fail(`mesh channel ${k}: only core (0, 0) has host devices`);
      }
      const self = ch.from.x === ch.to.x && ch.from.y === ch.to.y;
      if (ch.local !== undefined && (ch.local !== true || !self || ch.host !== undefined)) {
        fail(`mesh channel ${k} ("${ch.name}") is marked local but does not stay on one core`);
      }
      if (self && ch.local !== true) {
        fail(`mesh channel ${k} ("${ch.name}") goes from core (${ch.from.x}, ${ch.from.y}) to itself`);
      }
    });
  }
}

// The image is untrusted JSON: its fields are looked at one by one before anything relies on them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

/** Binary search: the last entry whose offset is <= `offset`. */
export function entryAt<T extends { readonly offset: number }>(entries: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.offset <= offset) {
      found = entries[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
