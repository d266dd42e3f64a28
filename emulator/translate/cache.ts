// The translation cache: per core image, the translated blocks by code offset, how often each untranslated start was
// reached, and each block's cycle bound. A core holds only a key (a frozen empty object, so snapshots share it and
// digests see no translation state); the translations live here, in a WeakMap from the key. Cores loaded with the
// same code and memory size share one key, and so one set of translations, in one machine and across the machines
// of one process (the most recent SHARED_IMAGES images are remembered). A core that stores into its own code area
// gets a new, private key (Core.codeStored), dropping every block it had.

import { translateBlock, type BlockFn } from './block.js';

/** How many times an address is reached by the interpreter before a block is translated there. */
export const HOT = 64;

/** Where a translated block leaves the interpreter's locals (one object for all cores: nothing runs concurrently). */
export class BlockExit {
  a = 0;
  b = 0;
  c = 0;
  w = 0;
  /** Memory offset where execution continues. */
  ip = 0;
  /** Memory offset of the last instruction the block executed (the interpreter's instrStart). */
  s = 0;
  /** Cycles and instructions the block executed. */
  cyc = 0;
  n = 0;
  /** The caller's cycle and instruction counts when it called the block (to which an error's figures are added). */
  cyc0 = 0;
  n0 = 0;
  /**
   * The start of the timeslice period of `period` cycles that a block's last context switch fell in, so the next
   * switch divides only when a new period has begun (a cache of a pure function of the cycle: no core's state).
   */
  sliceBase = 0;
  period = 0;
}

/** The most room a block is given (a small integer): a loop that used it all leaves, and is called again. */
export const MAX_ROOM = 1 << 30;

export const EXIT = new BlockExit();

/** A start where no block can be made (its first instruction is the interpreter's): never fits. */
const NONE: BlockFn = () => 0;

export class Translations {
  /** The block starting at each code offset, NONE where there is none, undefined where none was tried yet. */
  readonly blocks: (BlockFn | undefined)[];
  /** Cycles a block needs before its last instruction: it runs only when cycles + bound < the batch's limit. */
  readonly bounds: Float64Array;
  readonly heat: Uint8Array;
  /** The run of its block each start enters (the block's argument L). */
  readonly labels: Int32Array;
  /** Blocks made (for tests and measurements). */
  made = 0;

  constructor(
    /** Memory offset of the code's first byte, and the code's length. */
    readonly codeStart: number,
    readonly codeLength: number,
    readonly memoryBytes: number,
    /** Code offsets whose byte differs between the cores sharing these translations (non-zero): never translated. */
    readonly varies: Uint8Array | null = null,
  ) {
    this.blocks = new Array<BlockFn | undefined>(codeLength).fill(undefined);
    this.bounds = new Float64Array(codeLength);
    this.heat = new Uint8Array(codeLength);
    this.labels = new Int32Array(codeLength);
  }

  /** Translate the block starting at code offset k, reading the code from this core's memory. */
  translate(mem8: Uint8Array, k: number): void {
    const start = this.codeStart;
    const t = translateBlock(mem8, start + k, start + this.codeLength, this.memoryBytes, this.varies, start);
    if (t === null) {
      this.blocks[k] = NONE;
      this.bounds[k] = Infinity;
    } else {
      // The block serves every start of its runs that has none yet: the interpreter enters it there too.
      for (const e of t.entries) {
        const j = e.offset - start;
        if (j !== k && this.blocks[j] !== undefined) continue;
        this.blocks[j] = t.fn;
        this.bounds[j] = e.bound;
        this.labels[j] = e.label;
      }
      this.made++;
    }
  }
}

const TABLE = new WeakMap<object, Translations>();

/** A new key with its own, empty translations. */
export function newTranslationKey(
  codeStart: number,
  codeLength: number,
  memoryBytes: number,
  varies: Uint8Array | null = null,
): object {
  const key = Object.freeze({});
  TABLE.set(key, new Translations(codeStart, codeLength, memoryBytes, varies));
  return key;
}

/** How many distinct images keep their shared translations. */
const SHARED_IMAGES = 32;
const shared = new Map<string, object>();

/**
 * The keys of the translations of these cores' codes, loaded at codeStart into memories of memoryBytes. Codes of one
 * length share a key: the bytes where they differ (a mesh's cores, each compiled for its place, differ in a few
 * constants) are never translated, so a block translated from one of them is the block of all of them.
 */
export function sharedTranslationKeys(codes: readonly Uint8Array[], codeStart: number, memoryBytes: number): object[] {
  const byLength = new Map<number, Uint8Array[]>();
  for (const c of codes) {
    const group = byLength.get(c.length);
    if (group === undefined) byLength.set(c.length, [c]);
    else group.push(c);
  }
  const keys = new Map<number, object>();
  for (const [length, group] of byLength) {
    const first = group[0]!;
    let varies: Uint8Array | null = null;
    for (const c of group) {
      if (c === first) continue;
      for (let i = 0; i < length; i++) {
        if (c[i] !== first[i]) (varies ??= new Uint8Array(length))[i] = 1;
      }
    }
    keys.set(length, sharedKey(first, varies, codeStart, memoryBytes));
  }
  return codes.map((c) => keys.get(c.length)!);
}

function sharedKey(code: Uint8Array, varies: Uint8Array | null, codeStart: number, memoryBytes: number): object {
  let text = `${codeStart}:${memoryBytes}:`;
  const chars: number[] = [];
  for (let i = 0; i < code.length; i++) {
    // A byte that varies is character 256, which no byte is.
    chars.push(varies !== null && varies[i] !== 0 ? 256 : code[i]!);
    if (chars.length === 8192 || i === code.length - 1) {
      text += String.fromCharCode(...chars);
      chars.length = 0;
    }
  }
  let key = shared.get(text);
  if (key === undefined) {
    key = newTranslationKey(codeStart, code.length, memoryBytes, varies);
    if (shared.size >= SHARED_IMAGES) shared.delete(shared.keys().next().value!);
  } else shared.delete(text);
  shared.set(text, key);
  return key;
}

export function translationsOf(key: object | null): Translations | null {
  return key === null ? null : (TABLE.get(key) ?? null);
}
