// The assembler: turns the code generator's instruction list into bytes. It encodes operands with pfix/nfix
// prefixes, resolves labels (jump offsets are relative to the end of the jumping instruction, so an instruction's
// length depends on its operand and vice versa: lengths are found by iterating to a fixed point, never shrinking,
// with short encodings padded by a leading `pfix 0`), and records the debug tables: source lines, the
// instructions that can raise run-time errors, and where each PROC starts and ends.

import { encode, encodedLength, Fn } from '../emulator/isa.js';
import type { ChannelSite, CheckEntry, CodeRange, LineEntry, NameEntry, ProcEntry } from '../emulator/image.js';
import type { Span } from './source.js';

export class Label {
  /** Byte offset, set by the assembler. */
  offset = -1;
  constructor(readonly name: string) {}
}

/**
 * An operand: a number, a number known only once the whole PROC has been generated (workspace sizes), or a
 * distance between two labels (`to - from`).
 */
export type Operand = number | (() => number) | { readonly to: Label; readonly from: Label };

export type Item =
  | { readonly kind: 'fn'; readonly fn: number; readonly operand: Operand }
  /** A jump-like function (j, cj, call) whose operand is the distance from the end of this instruction to `target`. */
  | { readonly kind: 'jump'; readonly fn: number; readonly target: Label }
  | { readonly kind: 'label'; readonly label: Label }
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'align' }
  /** The instructions that follow come from this source position. */
  | { readonly kind: 'line'; readonly span: Span }
  /** The next instruction can raise a run-time error with this meaning. */
  | { readonly kind: 'check'; readonly span: Span; readonly message: string }
  | { readonly kind: 'proc'; readonly name: string; readonly span: Span; readonly end: Label }
  /** The next instruction is a channel instruction on this channel (named in source terms, for reports). */
  | { readonly kind: 'channel'; readonly name: string }
  /** A variable or channel in scope from here to `end`, at workspace word `slot` of the current process. */
  | {
      readonly kind: 'name';
      readonly name: string;
      readonly what: NameEntry['kind'];
      readonly slot: () => number;
      readonly end: Label;
    }
  /** From here to `end` a plain ALT disables its guards: with a seed, it may choose any ready one (docs/machine.md, Faults). */
  | { readonly kind: 'fairAlt'; readonly end: Label };

export interface Assembled {
  readonly code: Uint8Array;
  readonly lines: LineEntry[];
  readonly checks: CheckEntry[];
  readonly procs: ProcEntry[];
  /** Byte ranges that hold constants rather than instructions. */
  readonly data: { offset: number; length: number }[];
  readonly channels: ChannelSite[];
  readonly names: NameEntry[];
  readonly fairAlts: CodeRange[];
}

const MAX_PASSES = 64;

export function assemble(items: readonly Item[]): Assembled {
  // Resolve deferred operands once: they depend on workspace layout, not on code addresses.
  const values = items.map((it) => (it.kind === 'fn' && typeof it.operand === 'function' ? it.operand() | 0 : 0));
  const lengths = new Int32Array(items.length);
  items.forEach((it, i) => {
    if (it.kind === 'fn' || it.kind === 'jump') lengths[i] = 1;
  });

  let starts = layout(items, lengths);
  for (let pass = 0; ; pass++) {
    if (pass > MAX_PASSES) throw new Error('assembler: instruction lengths did not settle');
    let changed = false;
    items.forEach((it, i) => {
      if (it.kind !== 'fn' && it.kind !== 'jump') return;
      const need = encodedLength(operandValue(it, i, values, starts, lengths));
      if (need > lengths[i]!) {
        lengths[i] = need;
        changed = true;
      }
    });
    if (!changed) break;
    starts = layout(items, lengths);
  }

  const bytes: number[] = [];
  const lines: LineEntry[] = [];
  const checks: CheckEntry[] = [];
  const procs: ProcEntry[] = [];
  const channels: ChannelSite[] = [];
  const names: { entry: Omit<NameEntry, 'end'>; end: Label }[] = [];
  const data: { offset: number; length: number }[] = [];
  const fair: { offset: number; end: Label }[] = [];
  const procEnds: { entry: { name: string; offset: number; file: number; line: number }; end: Label }[] = [];
  items.forEach((it, i) => {
    switch (it.kind) {
      case 'fn':
      case 'jump': {
        const enc = encode(it.fn, operandValue(it, i, values, starts, lengths));
        for (let k = enc.length; k < lengths[i]!; k++) bytes.push(Fn.pfix << 4);
        bytes.push(...enc);
        break;
      }
      case 'data':
        data.push({ offset: bytes.length, length: it.bytes.length });
        bytes.push(...it.bytes);
        break;
      case 'align':
        while (bytes.length % 4 !== 0) bytes.push(0);
        break;
      case 'line': {
        const e = { offset: bytes.length, file: it.span.file.id, line: it.span.line, col: it.span.col };
        const last = lines[lines.length - 1];
        if (last && last.offset === e.offset) lines[lines.length - 1] = e;
        else if (!last || last.line !== e.line || last.col !== e.col || last.file !== e.file) lines.push(e);
        break;
      }
      case 'check':
        checks.push({
          offset: bytes.length,
          file: it.span.file.id,
          line: it.span.line,
          col: it.span.col,
          length: it.span.end - it.span.start,
          message: it.message,
        });
        break;
      case 'proc':
        procEnds.push({
          entry: { name: it.name, offset: bytes.length, file: it.span.file.id, line: it.span.line },
          end: it.end,
        });
        break;
      case 'channel':
        channels.push({ offset: bytes.length, name: it.name });
        break;
      case 'name':
        names.push({
          entry: { offset: bytes.length, name: it.name, kind: it.what, wordOffset: it.slot() },
          end: it.end,
        });
        break;
      case 'fairAlt':
        fair.push({ offset: bytes.length, end: it.end });
        break;
      case 'label':
        break;
    }
  });
  for (const p of procEnds) procs.push({ ...p.entry, end: p.end.offset });
  return {
    code: Uint8Array.from(bytes),
    lines,
    checks,
    procs,
    data,
    channels,
    names: names.map((n) => ({ ...n.entry, end: n.end.offset })),
    fairAlts: fair.map((f) => ({ offset: f.offset, end: f.end.offset })),
  };
}

/** Assign every label its offset; return each item's start offset. */
function layout(items: readonly Item[], lengths: Int32Array): Int32Array {
  const starts = new Int32Array(items.length);
  let offset = 0;
  items.forEach((it, i) => {
    starts[i] = offset;
    switch (it.kind) {
      case 'fn':
      case 'jump':
        offset += lengths[i]!;
        break;
      case 'label':
        it.label.offset = offset;
        break;
      case 'data':
        offset += it.bytes.length;
        break;
      case 'align':
        offset = (offset + 3) & ~3;
        break;
      default:
        break;
    }
  });
  return starts;
}

function operandValue(it: Item, i: number, values: readonly number[], starts: Int32Array, lengths: Int32Array): number {
  // A jump's operand is relative to the address after the jump.
  if (it.kind === 'jump') return (it.target.offset - (starts[i]! + lengths[i]!)) | 0;
  if (it.kind !== 'fn') return 0;
  const op = it.operand;
  if (typeof op === 'number') return op | 0;
  if (typeof op === 'function') return values[i]!;
  return (op.to.offset - op.from.offset) | 0;
}
