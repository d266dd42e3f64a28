// Snapshots of a whole machine, the basis of the debugger's stepping backwards: take one every so often, and to go
// back, restore the last one before the target and re-execute from it (the emulator is deterministic).
//
// A snapshot is a deep copy of the machine's object graph made by a generic walker, not by code that knows each
// field: whatever a Core, the Network or the Machine holds (private fields included) is copied, so a field added
// later is captured without touching this file. The walker keeps prototypes, object identity and sharing (the same
// Core reached from `cores`, from the network and from the `awake` set is one copy; mem8 and mem32 stay views on one
// buffer), Maps and Sets in insertion order, arrays and typed arrays. It keeps by reference what is not machine
// state: functions (host callbacks), the EventBus (the debugger's subscription), frozen objects and the profiles.
//
// Buffers (every ArrayBuffer behind a typed array, above all the 64 KiB memory of each core) are stored in pages
// of PAGE_BYTES. A page equal to the same page of the predecessor snapshot is shared with it, an all-zero page is
// one shared constant, and equal pages within one snapshot are stored once. An object whose copy turns out equal to
// the predecessor's copy of it (the same values, and the very same stored objects) is shared too, so a run of
// snapshots costs what changed between them. docs/machine.md ("Snapshots") describes the design and its costs.
//
// `machineDigest` is a canonical fingerprint of the same graph, for tests and checks that two machines are in the
// same state. Nothing here needs Node.js APIs.

import type { Machine } from './machine.js';
import { EventBus } from './events.js';
import { PROFILES } from './profiles.js';
import { KeyboardTape } from './keyboard-tape.js';

/** Size of a stored memory page. */
export const PAGE_BYTES = 1024;

/** What a snapshot costs, in bytes. A chain of snapshots, each the `previous` of the next, holds about Σ own. */
export interface SnapshotBytes {
  /** Bytes this snapshot holds that its predecessor does not share: new pages plus its object graph. */
  readonly own: number;
  /** Bytes this snapshot holds in all, shared parts included (each distinct page once; zero pages are free). */
  readonly total: number;
  /** Of `own`, bytes of pages not shared with the predecessor. */
  readonly ownPages: number;
  /** Of `total`, bytes of pages. */
  readonly totalPages: number;
  /** Of `own`, an estimate of the copied object graph (registers, queues, maps, packets, page lists). */
  readonly graph: number;
}

/** A stored ArrayBuffer: its length and its pages. Pages are never handed to a live machine, only copied out. */
class StoredBuffer {
  constructor(
    readonly byteLength: number,
    readonly pages: readonly Uint8Array[],
  ) {}
}

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

/** A stored typed array or DataView: which kind, on which stored buffer, where. */
class StoredView {
  constructor(
    readonly kind: ViewConstructor,
    readonly buffer: StoredBuffer,
    readonly byteOffset: number,
    /** Elements (bytes for a DataView). */
    readonly length: number,
  ) {}
}

/** The whole state of a machine at one moment. Opaque: restore it to look inside. */
export class Snapshot {
  /** @internal The copied machine: never run, only copied from. */
  readonly root: object;
  /** @internal The stored copy of each object, buffer and view of the snapshotted machine, for its successor to share. */
  readonly byLive: WeakMap<object, object>;
  /** @internal Keyboard tapes the machine reads, and their positions. */
  readonly tapes: readonly (readonly [KeyboardTape, number])[];
  /** @internal */
  readonly bytes: SnapshotBytes;
  /** @internal */
  readonly id: number;

  /** @internal Made by takeSnapshot. */
  constructor(
    id: number,
    root: object,
    byLive: WeakMap<object, object>,
    tapes: readonly (readonly [KeyboardTape, number])[],
    bytes: SnapshotBytes,
  ) {
    this.id = id;
    this.root = root;
    this.byLive = byLive;
    this.tapes = tapes;
    this.bytes = bytes;
  }
}

let nextId = 1;

type Stored = StoredBuffer | StoredView;

/** For a buffer or view of a restored machine, what it was restored from (so that its next snapshot can share). */
const ORIGIN = new WeakMap<object, { readonly stored: Stored; readonly snapshot: number }>();

/** Shared all-zero pages, by length. */
const ZERO_PAGES = new Map<number, Uint8Array>();

function zeroPage(length: number): Uint8Array {
  let p = ZERO_PAGES.get(length);
  if (!p) {
    p = new Uint8Array(length);
    ZERO_PAGES.set(length, p);
  }
  return p;
}

/** Objects shared by every machine, never copied. */
const KEPT = new Set<object>(Object.values(PROFILES));

function isKept(o: object): boolean {
  return o instanceof EventBus || KEPT.has(o) || Object.isFrozen(o);
}

/** Built-in objects with hidden state the walker cannot copy: finding one in a machine is a bug to fix here. */
function unsupported(o: object): string | null {
  if (
    o instanceof WeakMap ||
    o instanceof WeakSet ||
    o instanceof Promise ||
    o instanceof Date ||
    o instanceof RegExp
  ) {
    return Object.prototype.toString.call(o);
  }
  if (typeof WeakRef !== 'undefined' && o instanceof WeakRef) return '[object WeakRef]';
  return null;
}

// -----------------------------------------------------------------------------------------------------------------
// The walker

/** A property that is an accessor: copied as its getter and setter (functions, kept). */
const ACCESSOR = Symbol('accessor');

interface Shape {
  readonly keys: readonly PropertyKey[];
  /** Descriptors for Object.create: every data property writable (filled in afterwards), accessors as they are. */
  readonly template: PropertyDescriptorMap;
  /** Per key: null for a plain data property, the attributes to give it otherwise, or ACCESSOR. */
  readonly attributes: readonly (PropertyDescriptor | null | typeof ACCESSOR)[];
  /** Every property is a plain data property (writable, enumerable, configurable). */
  readonly plain: boolean;
}

function sameKeys(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Memoised deep copy of an object graph; subclasses say how buffers and views are copied. */
abstract class GraphCopier {
  private readonly memo = new Map<object, unknown>();
  /** Object shapes met in this walk, by prototype. */
  private readonly shapes = new Map<object | null, Shape[]>();
  /** Where the walk is (property names from the root), for error messages. */
  private readonly path: string[] = [];

  copy(v: unknown): unknown {
    if (typeof v === 'function') return this.fn(v);
    if (typeof v !== 'object' || v === null) return v;
    const done = this.memo.get(v);
    if (done !== undefined) return done;
    return this.object(v);
  }

  protected fn(f: unknown): unknown {
    return f;
  }

  /** Copy the value found under `key`. */
  private at(key: PropertyKey | number, v: unknown): unknown {
    if (typeof v !== 'object' && typeof v !== 'function') return v;
    this.path.push(String(key));
    const out = this.copy(v);
    this.path.pop();
    return out;
  }

  /** A copy of a buffer or view, or undefined if `o` is neither. */
  protected abstract special(o: object): object | undefined;

  private object(o: object): unknown {
    if (isKept(o)) {
      this.memo.set(o, o);
      return o;
    }
    const s = this.special(o);
    if (s !== undefined) {
      this.memo.set(o, s);
      return s;
    }
    const bad = unsupported(o);
    if (bad) throw new Error(`a machine snapshot cannot copy a ${bad} (at ${this.path.join('.') || 'the root'})`);
    const copy = this.made(o, Object.getPrototypeOf(o) as object | null);
    const settled = this.settle(o, copy);
    if (settled !== copy) this.memo.set(o, settled);
    return settled;
  }

  /**
   * What becomes of a finished copy: the copy itself, or an equal object to use instead (which nothing can yet
   * refer to the copy: anything that does is itself new, and so is every object between it and the copy).
   */
  protected settle(_o: object, copy: object): object {
    return copy;
  }

  private made(o: object, proto: object | null): object {
    if (Array.isArray(o)) {
      const out: unknown[] = new Array(o.length);
      if (proto !== Array.prototype) Object.setPrototypeOf(out, proto);
      this.memo.set(o, out);
      let present = 0;
      for (let i = 0; i < o.length; i++) {
        if (i in o) {
          out[i] = this.at(i, o[i]);
          present++;
        }
      }
      // Properties other than the elements and length (rare): copy them too.
      if (Reflect.ownKeys(o).length !== present + 1) this.properties(o, out, true);
      this.finish(o, out);
      return out;
    }
    if (o instanceof Map) {
      const out = new Map();
      if (proto !== Map.prototype) Object.setPrototypeOf(out, proto);
      this.memo.set(o, out);
      for (const [k, v] of o) out.set(this.at('key', k), this.at('value', v));
      this.properties(o, out, false);
      this.finish(o, out);
      return out;
    }
    if (o instanceof Set) {
      const out = new Set();
      if (proto !== Set.prototype) Object.setPrototypeOf(out, proto);
      this.memo.set(o, out);
      for (const v of o) out.add(this.at('member', v));
      this.properties(o, out, false);
      this.finish(o, out);
      return out;
    }
    const shape = this.shapeOf(o, proto);
    const { keys, attributes } = shape;
    if (shape.plain) {
      // The common case (class instances, literals): a native shallow copy given the prototype, registered before
      // the values that are objects are copied (they may lead back here). V8 keeps such copies in fast mode, one
      // hidden class for all copies of a class.
      const out = { ...o } as Record<PropertyKey, unknown>;
      if (proto !== Object.prototype) Object.setPrototypeOf(out, proto);
      this.memo.set(o, out);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const v = (o as Record<PropertyKey, unknown>)[key];
        if ((typeof v === 'object' && v !== null) || typeof v === 'function') out[key] = this.at(key, v);
      }
      this.finish(o, out);
      return out;
    }
    // Accessors or read-only properties: made with every property in place, registered, then filled in.
    const out = Object.create(proto, shape.template) as Record<PropertyKey, unknown>;
    this.memo.set(o, out);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const a = attributes[i];
      if (a === ACCESSOR) continue;
      const value = this.at(key, (o as Record<PropertyKey, unknown>)[key]);
      if (a === null) out[key] = value;
      else Object.defineProperty(out, key, { ...a, value });
    }
    this.finish(o, out);
    return out;
  }

  /**
   * The keys of `o` and what Object.create needs to make its copy. Objects of one class have the same keys with the
   * same attributes, so the attributes are read from the first of each shape met in a walk and reused.
   */
  private shapeOf(o: object, proto: object | null): Shape {
    const keys = Reflect.ownKeys(o);
    let list = this.shapes.get(proto);
    if (list) {
      for (const shape of list) if (sameKeys(shape.keys, keys)) return shape;
    } else {
      list = [];
      this.shapes.set(proto, list);
    }
    const template: PropertyDescriptorMap = {};
    const attributes: (PropertyDescriptor | null | typeof ACCESSOR)[] = [];
    for (const key of keys) {
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      if (!('value' in d)) {
        template[key] = d;
        attributes.push(ACCESSOR);
      } else {
        template[key] = { value: undefined, writable: true, enumerable: d.enumerable, configurable: true };
        attributes.push(
          d.writable && d.enumerable && d.configurable
            ? null
            : { writable: d.writable, enumerable: d.enumerable, configurable: d.configurable },
        );
      }
    }
    const shape: Shape = { keys, template, attributes, plain: attributes.every((a) => a === null) };
    if (list.length >= 16) list.shift();
    list.push(shape);
    return shape;
  }

  /** Copy the own properties of `from` onto `to` (for an array, all but its elements and length). */
  private properties(from: object, to: object, skipElements: boolean): void {
    for (const key of Reflect.ownKeys(from)) {
      if (skipElements && typeof key === 'string' && (key === 'length' || String(Number(key) >>> 0) === key)) continue;
      const d = Object.getOwnPropertyDescriptor(from, key)!;
      if ('value' in d) {
        const value = this.at(key, d.value);
        if (d.writable && d.enumerable && d.configurable) (to as Record<PropertyKey, unknown>)[key] = value;
        else Object.defineProperty(to, key, { ...d, value });
      } else Object.defineProperty(to, key, d);
    }
  }

  private finish(from: object, to: object): void {
    if (Object.isExtensible(from)) return;
    if (Object.isSealed(from)) Object.seal(to);
    else Object.preventExtensions(to);
  }
}

/** Live machine → stored graph: buffers become pages shared with the predecessor where they are unchanged. */
/** Estimated size of an object: a header and a word per property, entry or element. */
function sizeOf(o: object): number {
  if (Array.isArray(o)) return 16 + 8 * o.length;
  if (o instanceof Map) return 32 + 24 * o.size;
  if (o instanceof Set) return 32 + 16 * o.size;
  return 16 + 8 * Reflect.ownKeys(o).length;
}

/**
 * Whether a new copy and a stored one are the same: same prototype and every property, element or entry the same
 * value or the very same stored object. Then the stored one stands for the current state as well.
 */
function sameShallow(a: object, b: object): boolean {
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Object.isExtensible(a) !== Object.isExtensible(b)) return false;
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    const ib = b.entries();
    for (const [k, v] of a) {
      const [kb, vb] = ib.next().value as [unknown, unknown];
      if (!Object.is(k, kb) || !Object.is(v, vb)) return false;
    }
  } else if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    const ib = b.values();
    for (const v of a) if (!Object.is(v, ib.next().value)) return false;
  }
  const ka = Reflect.ownKeys(a);
  for (const k of ka)
    if (!Object.is((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k])) return false;
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

/** Estimated size of a stored view record, and of a stored buffer record with its page list. */
const VIEW_BYTES = 16 + 4 * 8;
const bufferBytes = (pages: number): number => 2 * 16 + 8 * (2 + pages);

class SnapshotCopier extends GraphCopier {
  readonly byLive = new WeakMap<object, object>();
  readonly tapes: [KeyboardTape, number][] = [];
  ownPages = 0;
  totalPages = 0;
  /** Estimated bytes of the object graph made by this snapshot, and of the parts shared with the previous one. */
  ownGraph = 0;
  sharedGraph = 0;
  /** Pages stored for the first time by this snapshot, by content hash: equal pages are stored once. */
  private readonly fresh = new Map<number, Uint8Array[]>();
  /** Pages counted in totalPages. */
  private readonly counted = new Set<Uint8Array>();

  constructor(private readonly previous: Snapshot | undefined) {
    super();
  }

  protected override fn(f: unknown): unknown {
    const tape = KeyboardTape.of(f as () => number);
    if (tape && !this.tapes.some(([t]) => t === tape)) this.tapes.push([tape, tape.position]);
    return f;
  }

  protected override settle(o: object, copy: object): object {
    const size = sizeOf(copy);
    const old = this.previous?.byLive.get(o);
    if (old && sameShallow(copy, old)) {
      this.sharedGraph += size;
      this.byLive.set(o, old);
      return old;
    }
    this.ownGraph += size;
    this.byLive.set(o, copy);
    return copy;
  }

  /** What the predecessor stored for this live buffer or view, and whether the predecessor holds it. */
  private before(o: object): { stored: object; held: boolean } | undefined {
    const p = this.previous?.byLive.get(o);
    if (p) return { stored: p, held: true };
    const origin = ORIGIN.get(o);
    return origin && { stored: origin.stored, held: origin.snapshot === this.previous?.id };
  }

  protected special(o: object): object | undefined {
    if (o instanceof ArrayBuffer) return this.buffer(o);
    if (!ArrayBuffer.isView(o)) return undefined;
    const kind = o.constructor as ViewConstructor;
    const buffer = this.copy(o.buffer) as StoredBuffer;
    const length = o instanceof DataView ? o.byteLength : (o as unknown as { length: number }).length;
    const old = this.before(o)?.stored;
    let view: StoredView;
    if (
      old instanceof StoredView &&
      old.buffer === buffer &&
      old.kind === kind &&
      old.byteOffset === o.byteOffset &&
      old.length === length
    ) {
      view = old;
      this.sharedGraph += VIEW_BYTES;
    } else {
      view = new StoredView(kind, buffer, o.byteOffset, length);
      this.ownGraph += VIEW_BYTES;
    }
    this.byLive.set(o, view);
    return view;
  }

  private buffer(ab: ArrayBuffer): StoredBuffer {
    const n = ab.byteLength;
    const before = this.before(ab);
    const prev = before?.stored instanceof StoredBuffer && before.stored.byteLength === n ? before.stored : undefined;
    const held = prev !== undefined && before!.held;
    const bytes = new Uint8Array(ab);
    const words = n % 4 === 0 ? new Int32Array(ab) : null;
    const pages: Uint8Array[] = [];
    let unchanged = prev !== undefined;
    for (let start = 0; start < n; start += PAGE_BYTES) {
      const end = Math.min(n, start + PAGE_BYTES);
      const len = end - start;
      const old = prev?.pages[(start / PAGE_BYTES) | 0];
      let page: Uint8Array;
      let shared = false;
      if (old && same(bytes, words, start, old)) {
        page = old;
        shared = held;
      } else {
        unchanged = false;
        page = allZero(bytes, words, start, end) ? zeroPage(len) : this.store(bytes, words, start, end);
      }
      if (!isZeroPage(page) && !this.counted.has(page)) {
        this.counted.add(page);
        this.totalPages += len;
        if (!shared) this.ownPages += len;
      }
      pages.push(page);
    }
    let stored: StoredBuffer;
    if (unchanged) {
      stored = prev!;
      this.sharedGraph += bufferBytes(pages.length);
    } else {
      stored = new StoredBuffer(n, pages);
      this.ownGraph += bufferBytes(pages.length);
    }
    this.byLive.set(ab, stored);
    return stored;
  }

  /** A page not in the predecessor: an equal page already stored by this snapshot, or a new copy. */
  private store(bytes: Uint8Array, words: Int32Array | null, start: number, end: number): Uint8Array {
    const h = hashRange(bytes, words, start, end);
    const list = this.fresh.get(h);
    if (list) {
      for (const p of list) if (p.byteLength === end - start && same(bytes, words, start, p)) return p;
    }
    const page = bytes.slice(start, end);
    if (list) list.push(page);
    else this.fresh.set(h, [page]);
    return page;
  }
}

/** Stored graph → a new live machine. */
class RestoreCopier extends GraphCopier {
  constructor(private readonly snapshot: number) {
    super();
  }

  protected special(o: object): object | undefined {
    let live: object;
    if (o instanceof StoredBuffer) {
      const ab = new ArrayBuffer(o.byteLength);
      const bytes = new Uint8Array(ab);
      const pages = o.pages;
      for (let i = 0; i < pages.length; i++) if (!isZeroPage(pages[i]!)) bytes.set(pages[i]!, i * PAGE_BYTES);
      live = ab;
    } else if (o instanceof StoredView) live = new o.kind(this.copy(o.buffer) as ArrayBuffer, o.byteOffset, o.length);
    else return undefined;
    ORIGIN.set(live, { stored: o, snapshot: this.snapshot });
    return live;
  }
}

function isZeroPage(p: Uint8Array): boolean {
  return ZERO_PAGES.get(p.byteLength) === p;
}

/** Whether bytes[start, start + page.length) equal the page. */
function same(bytes: Uint8Array, words: Int32Array | null, start: number, page: Uint8Array): boolean {
  const len = page.byteLength;
  if (start + len > bytes.byteLength) return false;
  if (words && len % 4 === 0 && page.byteOffset % 4 === 0) {
    const pw = new Int32Array(page.buffer, page.byteOffset, len >> 2);
    const base = start >> 2;
    for (let i = 0; i < pw.length; i++) if (words[base + i] !== pw[i]) return false;
    return true;
  }
  for (let i = 0; i < len; i++) if (bytes[start + i] !== page[i]) return false;
  return true;
}

function allZero(bytes: Uint8Array, words: Int32Array | null, start: number, end: number): boolean {
  if (words && (end - start) % 4 === 0) {
    for (let i = start >> 2, e = end >> 2; i < e; i++) if (words[i] !== 0) return false;
    return true;
  }
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

function hashRange(bytes: Uint8Array, words: Int32Array | null, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  if (words && (end - start) % 4 === 0) {
    for (let i = start >> 2, e = end >> 2; i < e; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  } else {
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return h;
}

// -----------------------------------------------------------------------------------------------------------------
// The API

/**
 * A deep copy of the machine's whole state. Take it between calls to `machine.run`. With `previous` (an earlier
 * snapshot of this machine, or the snapshot it was restored from), memory pages that have not changed since are
 * shared with it.
 */
export function takeSnapshot(machine: Machine, previous?: Snapshot): Snapshot {
  const id = nextId++;
  const c = new SnapshotCopier(previous);
  const root = c.copy(machine) as object;
  const graph = c.ownGraph;
  const bytes: SnapshotBytes = {
    own: c.ownPages + graph,
    total: c.totalPages + graph + c.sharedGraph,
    ownPages: c.ownPages,
    totalPages: c.totalPages,
    graph,
  };
  return new Snapshot(id, root, c.byLive, c.tapes, bytes);
}

/**
 * A new live machine in exactly the state of the snapshot. The snapshot is not changed by running it, so it can be
 * restored any number of times. The machine shares the snapshotted machine's EventBus and host callbacks; keyboard
 * tapes it reads are wound back to where they were when the snapshot was taken.
 */
export function restoreSnapshot(s: Snapshot): Machine {
  const machine = new RestoreCopier(s.id).copy(s.root) as Machine;
  for (const [tape, position] of s.tapes) tape.seek(position);
  return machine;
}

/** What the snapshot costs, and how much of that it shares with the snapshot it was taken after. */
export function snapshotBytes(s: Snapshot): SnapshotBytes {
  return s.bytes;
}

// -----------------------------------------------------------------------------------------------------------------
// The digest

const T_UNDEFINED = 1;
const T_NULL = 2;
const T_FALSE = 3;
const T_TRUE = 4;
const T_INT = 5;
const T_NUMBER = 6;
const T_STRING = 7;
const T_BIGINT = 8;
const T_SYMBOL = 9;
const T_FUNCTION = 10;
const T_REF = 11;
const T_KEPT = 12;
const T_BUFFER = 13;
const T_VIEW = 14;
const T_ARRAY = 15;
const T_HOLE = 16;
const T_MAP = 17;
const T_SET = 18;
const T_OBJECT = 19;

const f64 = new Float64Array(1);
const f64words = new Int32Array(f64.buffer);

/** A canonical walk of an object graph into two 32-bit hash lanes. */
class Digester {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x811c9dc5 | 0;
  private count = 0;
  private readonly ids = new Map<object, number>();

  word(w: number): void {
    let k = Math.imul(w | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.h1 ^ k;
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    this.h2 = Math.imul(this.h2 ^ w, 0x01000193) ^ (this.h2 >>> 15);
    this.count++;
  }

  string(s: string): void {
    this.word(T_STRING);
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  number(n: number): void {
    if ((n | 0) === n && !(n === 0 && 1 / n < 0)) {
      this.word(T_INT);
      this.word(n);
    } else {
      f64[0] = n;
      this.word(T_NUMBER);
      this.word(f64words[0]!);
      this.word(f64words[1]!);
    }
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'undefined':
        return this.word(T_UNDEFINED);
      case 'boolean':
        return this.word(v ? T_TRUE : T_FALSE);
      case 'number':
        return this.number(v);
      case 'string':
        return this.string(v);
      case 'bigint':
        this.word(T_BIGINT);
        return this.string(v.toString());
      case 'symbol':
        this.word(T_SYMBOL);
        return this.string(v.description ?? '');
      case 'function':
        // Host callbacks are not machine state: two machines with different callbacks can be in the same state.
        return this.word(T_FUNCTION);
      case 'object':
        if (v === null) return this.word(T_NULL);
        return this.object(v);
    }
  }

  private object(o: object): void {
    const id = this.ids.get(o);
    if (id !== undefined) {
      this.word(T_REF);
      this.word(id);
      return;
    }
    this.ids.set(o, this.ids.size);
    if (o instanceof EventBus) {
      this.word(T_KEPT);
      return;
    }
    if (o instanceof ArrayBuffer) return this.buffer(o);
    if (ArrayBuffer.isView(o)) {
      this.word(T_VIEW);
      this.string(o.constructor.name);
      this.value(o.buffer);
      this.word(o.byteOffset);
      this.word(o.byteLength);
      return;
    }
    if (Array.isArray(o)) {
      this.word(T_ARRAY);
      this.word(o.length);
      for (let i = 0; i < o.length; i++) {
        if (i in o) this.value(o[i]);
        else this.word(T_HOLE);
      }
      return;
    }
    if (o instanceof Map) {
      this.word(T_MAP);
      this.word(o.size);
      for (const [k, v] of o) {
        this.value(k);
        this.value(v);
      }
      return;
    }
    if (o instanceof Set) {
      this.word(T_SET);
      this.word(o.size);
      for (const v of o) this.value(v);
      return;
    }
    this.word(T_OBJECT);
    const proto = Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null;
    this.string(proto?.constructor?.name ?? '');
    const keys = Object.keys(o).sort();
    this.word(keys.length);
    for (const k of keys) {
      this.string(k);
      this.value((o as Record<string, unknown>)[k]);
    }
  }

  private buffer(ab: ArrayBuffer): void {
    const n = ab.byteLength;
    this.word(T_BUFFER);
    this.word(n);
    const words = new Int32Array(ab, 0, n >> 2);
    // The hot loop: the two lanes of word(), inlined.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      let k = Math.imul(w, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      let h = h1 ^ k;
      h = (h << 13) | (h >>> 19);
      h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
      h2 = Math.imul(h2 ^ w, 0x01000193) ^ (h2 >>> 15);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.count += words.length;
    const tail = new Uint8Array(ab, n & ~3);
    for (let i = 0; i < tail.length; i++) this.word(tail[i]!);
  }

  finish(): string {
    const mix = (h: number): number => {
      h ^= this.count;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    return (
      mix(this.h1).toString(16).padStart(8, '0') +
      mix(this.h2 ^ 0x5bd1e995)
        .toString(16)
        .padStart(8, '0')
    );
  }
}

/**
 * A fingerprint of the machine's whole state (16 hex digits): machines in the same state have the same digest, and
 * a machine differing in any register, memory byte, queue, packet or counter has a different one (but for a hash
 * collision). Host callbacks and the EventBus are not state and do not count.
 */
export function machineDigest(m: Machine): string {
  const d = new Digester();
  d.value(m);
  return d.finish();
}
