// Addresses of variables, array elements and segments; array values as an address plus dimension sizes;
// array copies; literal tables and strings in the constant pool.

import type { Expr } from '../ast.js';
import { Label } from '../assembler.js';
import { constBytes, exprText } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { ConstSymbol } from '../symbols.js';
import { byteSize, recordOf, type Type } from '../types.js';
import { realBytes } from '../numeric.js';
import { Fn, Op } from '../../emulator/isa.js';
import { is16, isBundleChannel, isWide, needsPrep, wordsFor } from './queries.js';
import { type ArrayRef, type CodeGen, MAX_REGS, setStorage, storageOf, type Word } from './context.js';
import { statement } from './hoisting.js';

/** Push the address of an element (a variable, an array element, a segment, a channel). */
export function elementAddress(gen: CodeGen, e: Expr): void {
  if (e.kind === 'name') {
    const sym = e.decl!;
    const fixed = gen.fixedChannels.get(sym);
    if (fixed !== undefined) gen.fn(Fn.ldc, fixed);
    else if (sym.kind === 'const') gen.address(poolLabel(gen, sym));
    else if (gen.refs.has(sym)) gen.loadSlot(storageOf(sym));
    else gen.slotAddress(storageOf(sym));
    return;
  }
  if (e.kind === 'subscript') {
    const baseType = e.base.type!;
    if (baseType.kind !== 'array') throw new Error('codegen: subscript of a non-array');
    // A base that must be built or checked first (a segment, a table) is prepared before anything is loaded.
    const base: Word = needsPrep(e.base)
      ? arrayRef(gen, e.base).addr
      : { emit: () => elementAddress(gen, e.base), depth: addressDepth(gen, e.base) };
    const stride = byteSize(baseType.elem);
    const k = e.index.constValue;
    if (k !== undefined && stride !== null) {
      base.emit();
      if (k !== 0n) {
        if (stride % 4 === 0) gen.fn(Fn.ldnlp, Number(k) * (stride / 4));
        else gen.fn(Fn.adc, Number(k) * stride);
      }
      return;
    }
    const id = gen.parts.depth(gen, e.index);
    const viaWords = innerBytes(baseType.elem) % 4 === 0;
    if (Math.max(id, 2) <= MAX_REGS && base.depth + 1 <= MAX_REGS) {
      scaledIndex(gen, e);
      base.emit();
    } else {
      const mark = gen.frame.mark();
      const t = gen.frame.alloc(1);
      scaledIndex(gen, e);
      gen.fn(Fn.stl, t);
      base.emit();
      gen.fn(Fn.ldl, t);
      gen.op(Op.rev);
      gen.frame.release(mark);
    }
    gen.op(viaWords ? Op.wsub : Op.bsub);
    return;
  }
  if (e.kind === 'direction') return elementAddress(gen, e.channel);
  arrayRef(gen, e).addr.emit();
}

/** Push a checked subscript scaled to the element size: words when elements are whole words, else bytes. */
function scaledIndex(gen: CodeGen, e: Extract<Expr, { kind: 'subscript' }>): void {
  const t = e.base.type!;
  if (t.kind !== 'array') return;
  gen.parts.expr(gen, e.index);
  if (gen.rangeChecks) {
    const bound = dimWord(gen, e.base, 0);
    bound.emit();
    gen.check(
      e.span,
      `subscript out of range in \`${exprText(e)}\`${t.size !== null ? ` (the array has ${t.size} elements)` : ''}`,
    );
    gen.op(Op.csub0);
  }
  // Elements of an open array of arrays are as big as the product of the inner sizes.
  let unit = innerBytes(t.elem);
  const words = unit % 4 === 0;
  let level = 1;
  for (let d: Type = t.elem; d.kind === 'array'; d = d.elem, level++) {
    if (d.size === null) {
      dimWord(gen, e.base, level).emit();
      gen.op(Op.prod);
    } else unit *= d.size;
  }
  const scale = words ? unit / 4 : unit;
  if (scale !== 1) {
    gen.fn(Fn.ldc, scale);
    gen.op(Op.prod);
  }
}

/** A word that loads the size of dimension `level` of an array expression (no code runs before it). */
export function dimWord(gen: CodeGen, e: Expr, level: number): Word {
  let t = e.type!;
  for (let k = 0; k < level && t.kind === 'array'; k++) t = t.elem;
  if (t.kind === 'array' && t.size !== null) {
    const n = t.size;
    return { emit: () => gen.fn(Fn.ldc, n), depth: 1 };
  }
  switch (e.kind) {
    case 'name': {
      const st = gen.dimStorage.get(e.decl!)?.[level];
      if (!st) throw new Error(`codegen: no size for dimension ${level} of \`${e.name}\``);
      return { emit: () => gen.loadSlot(st), depth: 1 };
    }
    case 'subscript':
      return dimWord(gen, e.base, level + 1);
    case 'direction':
      return dimWord(gen, e.channel, level);
    case 'slice':
      if (level > 0) return dimWord(gen, e.base, level);
      if (e.count) {
        const c = e.count;
        return { emit: () => gen.parts.expr(gen, c), depth: gen.parts.depth(gen, c) };
      }
      {
        const whole = dimWord(gen, e.base, 0);
        const start = e.start!;
        const d = Math.max(whole.depth, gen.parts.depth(gen, start) + 1);
        return {
          emit: () => {
            whole.emit();
            gen.parts.expr(gen, start);
            gen.op(Op.diff);
          },
          depth: Math.min(MAX_REGS, d),
        };
      }
    default:
      throw new Error(`codegen: no size for a ${e.kind} expression`);
  }
}

export function addressDepth(gen: CodeGen, e: Expr): number {
  if (needsPrep(e)) return MAX_REGS;
  // A name's slot is reached with one register, through static links too (`ldl SL; ldnl k`).
  if (e.kind === 'name') return 1;
  if (e.kind === 'direction') return addressDepth(gen, e.channel);
  if (e.kind === 'subscript') {
    if (e.index.constValue !== undefined && byteSize(e.type!) !== null) return addressDepth(gen, e.base);
    const id = Math.max(gen.parts.depth(gen, e.index), 2);
    const bd = addressDepth(gen, e.base);
    return Math.min(MAX_REGS, Math.max(id, bd + 1));
  }
  if (e.kind === 'string' || (e.kind === 'table' && e.constBytes)) return 1;
  return MAX_REGS;
}

/**
 * An array value as an address and its sizes. Segments, tables and constructors run code here (into
 * temporaries of the current statement), so this is called with nothing on the stack.
 */
export function arrayRef(gen: CodeGen, e: Expr): ArrayRef {
  const t = e.type!;
  const dimsFrom = (x: Expr, from: number): Word[] => {
    const out: Word[] = [];
    let level = 0;
    for (let d: Type = t; d.kind === 'array'; d = d.elem, level++)
      out.push(level < from ? { emit: () => {}, depth: 0 } : dimWord(gen, x, level));
    return out;
  };
  switch (e.kind) {
    case 'direction':
      return arrayRef(gen, e.channel);
    case 'string':
    case 'table':
    case 'constructor': {
      const bytes = constBytes(e);
      if (bytes) {
        const l = literalLabel(gen, e, bytes);
        return { addr: { emit: () => gen.address(l), depth: 1 }, dims: dimsFrom(e, 0) };
      }
      return materialize(gen, e)!;
    }
    case 'slice':
      return sliceRef(gen, e);
    case 'call': {
      // An array or record result, stored in a temporary before the statement (hoisting.ts).
      const st = gen.hoisted.get(e);
      if (!st) throw new Error('codegen: an array result of a FUNCTION that was not evaluated first');
      return { addr: { emit: () => gen.slotAddress(st), depth: 1 }, dims: dimsFrom(e, 0) };
    }
    case 'dyadic':
    case 'monadic':
    case 'conversion':
      throw new Error(`codegen: an array value of kind ${e.kind}`);
    default:
      return { addr: { emit: () => elementAddress(gen, e), depth: addressDepth(gen, e) }, dims: dimsFrom(e, 0) };
  }
}

/** A segment `[a FROM s FOR n]`: checks 0 <= s <= SIZE a and 0 <= n <= SIZE a - s, then a's address plus s. */
function sliceRef(gen: CodeGen, e: Extract<Expr, { kind: 'slice' }>): ArrayRef {
  const base = arrayRef(gen, e.base);
  const bt = e.base.type! as Extract<Type, { kind: 'array' }>;
  const size = base.dims[0]!;
  const start = e.start;
  const startConst = start ? start.constValue : 0n;
  let startSlot: number | null = null;
  const loadStart = (): void => {
    if (startSlot !== null) gen.fn(Fn.ldl, startSlot);
    else gen.fn(Fn.ldc, Number(startConst ?? 0n));
  };
  const known = bt.size !== null && startConst !== undefined && (e.count === null || e.count.constValue !== undefined);
  if (start && startConst === undefined) {
    startSlot = gen.frame.alloc(1);
    gen.parts.expr(gen, start);
    gen.fn(Fn.stl, startSlot);
  }
  if (!known) {
    // 0 <= start <= size
    loadStart();
    size.emit();
    gen.fn(Fn.adc, 1);
    gen.check(e.span, `the segment \`${exprText(e)}\` starts outside the array`);
    gen.op(Op.csub0);
  }
  let countSlot: number | null = null;
  let count: Word;
  if (e.count === null) {
    if (bt.size !== null && startConst !== undefined) {
      const n = bt.size - Number(startConst);
      count = { emit: () => gen.fn(Fn.ldc, n), depth: 1 };
    } else {
      countSlot = gen.frame.alloc(1);
      size.emit();
      loadStart();
      gen.op(Op.diff);
      gen.fn(Fn.stl, countSlot);
    }
  } else if (e.count.constValue !== undefined) {
    const n = Number(e.count.constValue);
    count = { emit: () => gen.fn(Fn.ldc, n), depth: 1 };
  } else {
    countSlot = gen.frame.alloc(1);
    gen.parts.expr(gen, e.count);
    gen.fn(Fn.stl, countSlot);
  }
  if (countSlot !== null) {
    const k = countSlot;
    count = { emit: () => gen.fn(Fn.ldl, k), depth: 1 };
  }
  if (!known && e.count !== null) {
    // 0 <= count <= size - start
    count!.emit();
    size.emit();
    loadStart();
    gen.op(Op.diff);
    gen.fn(Fn.adc, 1);
    gen.check(e.span, `the segment \`${exprText(e)}\` runs past the end of the array (or has a negative length)`);
    gen.op(Op.csub0);
  }
  // The address: the base plus start elements.
  const addr = gen.frame.alloc(1);
  const unit = innerBytes(bt.elem);
  const words = unit % 4 === 0;
  if (startConst !== undefined && byteSize(bt.elem) !== null) {
    base.addr.emit();
    const off = Number(startConst) * byteSize(bt.elem)!;
    if (off !== 0) {
      if (off % 4 === 0) gen.fn(Fn.ldnlp, off / 4);
      else gen.fn(Fn.adc, off);
    }
  } else {
    loadStart();
    let u = unit;
    for (let d: Type = bt.elem, level = 1; d.kind === 'array'; d = d.elem, level++) {
      if (d.size === null) {
        base.dims[level]!.emit();
        gen.op(Op.prod);
      } else u *= d.size;
    }
    const scale = words ? u / 4 : u;
    if (scale !== 1) {
      gen.fn(Fn.ldc, scale);
      gen.op(Op.prod);
    }
    if (base.addr.depth >= MAX_REGS) {
      gen.fn(Fn.stl, addr);
      base.addr.emit();
      gen.fn(Fn.ldl, addr);
      gen.op(Op.rev);
    } else base.addr.emit();
    gen.op(words ? Op.wsub : Op.bsub);
  }
  gen.fn(Fn.stl, addr);
  const dims = [count!, ...base.dims.slice(1)];
  return { addr: { emit: () => gen.fn(Fn.ldl, addr), depth: 1 }, dims };
}

/** Build a table or an array constructor in workspace space; returns null for other expressions. */
export function materialize(gen: CodeGen, e: Expr): ArrayRef | null {
  if (!((e.kind === 'table' && !e.constBytes) || e.kind === 'constructor')) return null;
  const t = e.type! as Extract<Type, { kind: 'array' }>;
  const slot = gen.frame.alloc(wordsFor(t));
  const elemBytes = byteSize(t.elem)!;
  const at = (offset: () => void): Word => ({
    emit: () => {
      gen.fn(Fn.ldlp, slot);
      offset();
    },
    depth: 2,
  });
  if (e.kind === 'table') {
    // A RECORD literal's elements are its fields, each at its own offset and of its own type.
    const fields = recordOf(t)?.fields;
    e.elems.forEach((x, i) => {
      const off = fields ? fields[i]!.offset : i * elemBytes;
      const type = fields ? fields[i]!.type : t.elem;
      const dst = at(() => {
        if (off % 4 === 0) {
          if (off) gen.fn(Fn.ldnlp, off / 4);
        } else gen.fn(Fn.adc, off);
      });
      statement(gen, [x], () => storeValueAt(gen, x, dst, type));
    });
  } else {
    // [i = b FOR n | v]: a loop like a replicated SEQ, with a running byte offset. With STEP the index is a
    // fourth word, moved by the step (a fifth word unless it is a constant) at the end of each pass.
    const k = gen.frame.alloc(e.step ? 5 : 3);
    const sym = e.decl!;
    const index = e.step ? k + 3 : k;
    setStorage(sym, { frame: gen.frame, slot: () => index });
    const top = gen.label('build');
    const end = gen.label('build.end');
    statement(gen, [e.base], () => gen.parts.expr(gen, e.base));
    gen.fn(Fn.stl, index);
    if (e.step) {
      if (e.step.constValue === undefined) {
        statement(gen, [e.step], () => gen.parts.expr(gen, e.step!));
        gen.fn(Fn.stl, k + 4);
      }
      gen.fn(Fn.ldc, 0);
      gen.fn(Fn.stl, k);
    }
    gen.fn(Fn.ldc, t.size!);
    gen.fn(Fn.stl, k + 1);
    gen.fn(Fn.ldc, 0);
    gen.fn(Fn.stl, k + 2);
    if (t.size === 0) gen.jump(Fn.j, end);
    gen.place(top);
    const dst = at(() => {
      gen.fn(Fn.ldl, k + 2);
      gen.op(Op.bsub);
    });
    statement(gen, [e.value], () => storeValueAt(gen, e.value, dst, t.elem));
    gen.fn(Fn.ldl, k + 2);
    gen.fn(Fn.adc, elemBytes);
    gen.fn(Fn.stl, k + 2);
    if (e.step) {
      gen.fn(Fn.ldl, index);
      if (e.step.constValue !== undefined) gen.fn(Fn.ldc, Number(BigInt.asIntN(32, e.step.constValue)));
      else gen.fn(Fn.ldl, k + 4);
      gen.op(Op.sum);
      gen.fn(Fn.stl, index);
    }
    gen.fn(Fn.ldlp, k);
    gen.fn(Fn.ldc, { to: end, from: top });
    gen.op(Op.lend);
    gen.place(end);
  }
  const n = t.size!;
  const dims: Word[] = [];
  for (let d: Type = t; d.kind === 'array'; d = d.elem) {
    const m = d.size ?? n;
    dims.push({ emit: () => gen.fn(Fn.ldc, m), depth: 1 });
  }
  return { addr: { emit: () => gen.fn(Fn.ldlp, slot), depth: 1 }, dims };
}

/** Store a value (a scalar, or an array copied with `move`) at an address that `dst` pushes. */
export function storeValueAt(gen: CodeGen, value: Expr, dst: Word, type: Type): void {
  if (type.kind === 'prim' && (isWide(type) || is16(type))) return gen.parts.storeNumericAt(gen, value, dst, type);
  if (type.kind === 'array') {
    const src = arrayRef(gen, value);
    src.addr.emit();
    dst.emit();
    gen.fn(Fn.ldc, byteSize(type)!);
    gen.op(Op.move);
    return;
  }
  const byte = byteSize(type) === 1;
  if (gen.parts.depth(gen, value) + dst.depth <= MAX_REGS) {
    gen.parts.expr(gen, value);
    dst.emit();
  } else {
    const t = gen.frame.alloc(1);
    gen.parts.expr(gen, value);
    gen.fn(Fn.stl, t);
    dst.emit();
    gen.fn(Fn.ldl, t);
    gen.op(Op.rev);
  }
  if (byte) gen.op(Op.sb);
  else gen.fn(Fn.stnl, 0);
}

/** Push the number of bytes an array value occupies. */
export function byteCount(gen: CodeGen, t: Type, ref: ArrayRef): void {
  let unit = innerBytes(t);
  let first = true;
  let level = 0;
  for (let d: Type = t; d.kind === 'array'; d = d.elem, level++) {
    if (d.size === null) {
      ref.dims[level]!.emit();
      if (!first) gen.op(Op.prod);
      first = false;
    } else unit *= d.size;
  }
  if (first) gen.fn(Fn.ldc, unit);
  else if (unit !== 1) {
    gen.fn(Fn.ldc, unit);
    gen.op(Op.prod);
  }
}

/** `a := b` for arrays: equal sizes (checked at run time when not known), then `move`. */
export function copyArray(gen: CodeGen, value: Expr, target: Expr, span: Span): void {
  const t = target.type!;
  const src = arrayRef(gen, value);
  const dst = arrayRef(gen, target);
  const bytes = byteSize(t) ?? byteSize(value.type!);
  if (byteSize(t) === null || byteSize(value.type!) === null) {
    byteCount(gen, t, dst);
    byteCount(gen, value.type!, src);
    gen.op(Op.diff);
    gen.fn(Fn.ldc, 1);
    gen.check(span, `the arrays in \`${exprText(target)} := ${exprText(value)}\` have different sizes`);
    gen.op(Op.csub0);
  }
  src.addr.emit();
  const spill = dst.addr.depth >= MAX_REGS;
  const tmp = spill ? gen.frame.alloc(1) : 0;
  if (spill) gen.fn(Fn.stl, tmp);
  dst.addr.emit();
  if (spill) {
    gen.fn(Fn.ldl, tmp);
    gen.op(Op.rev);
  }
  if (bytes !== null) gen.fn(Fn.ldc, bytes);
  else {
    const m = gen.frame.alloc(2);
    gen.fn(Fn.stl, m);
    gen.fn(Fn.stl, m + 1);
    byteCount(gen, t, dst);
    const c = gen.frame.alloc(1);
    gen.fn(Fn.stl, c);
    gen.fn(Fn.ldl, m + 1);
    gen.fn(Fn.ldl, m);
    gen.fn(Fn.ldl, c);
  }
  gen.op(Op.move);
}

function literalLabel(gen: CodeGen, e: Expr, bytes: Uint8Array): Label {
  let l = gen.literalLabels.get(e);
  if (!l) {
    l = pooledBytes(gen, bytes, 'table');
    gen.literalLabels.set(e, l);
  }
  return l;
}

/** The pool entry holding `bytes`: the same bytes (two uses of one string, say) are stored once. */
export function pooledBytes(gen: CodeGen, bytes: Uint8Array, name: string): Label {
  const key = Buffer.from(bytes).toString('hex');
  let l = gen.bytesPool.get(key);
  if (!l) {
    l = gen.label(name);
    gen.bytesPool.set(key, l);
    gen.pool.push({ kind: 'label', label: l }, { kind: 'data', bytes }, { kind: 'align' });
  }
  return l;
}

function poolLabel(gen: CodeGen, sym: ConstSymbol): Label {
  let l = gen.poolLabels.get(sym);
  if (!l) {
    const v = sym.value;
    const bytes =
      v instanceof Uint8Array
        ? v
        : typeof v === 'number'
          ? realBytes(v, sym.type)
          : new Uint8Array(BigInt64Array.of(BigInt.asIntN(64, v)).buffer).slice(
              0,
              Math.max(4, byteSize(sym.type) ?? 4),
            );
    l = pooledBytes(gen, bytes, `const.${sym.name}`);
    gen.poolLabels.set(sym, l);
  }
  return l;
}

/** Bytes of the innermost element type of a (possibly nested) array type. */
function innerBytes(t: Type): number {
  let x = t;
  while (x.kind === 'array') x = x.elem;
  return byteSize(x) ?? 4;
}

export function channelAddress(gen: CodeGen, e: Expr): void {
  if (e.kind === 'direction') return channelAddress(gen, e.channel);
  const temp = gen.chanTemps.get(e);
  if (temp) {
    gen.fn(Fn.ldl, temp);
    return;
  }
  if (e.kind === 'name') {
    const sym = e.decl!;
    const fixed = gen.fixedChannels.get(sym);
    if (fixed !== undefined) {
      gen.fn(Fn.ldc, fixed);
      return;
    }
    // A channel parameter or abbreviation holds the channel's address; a declared channel is the word itself.
    if (sym.kind === 'param' || gen.refs.has(sym)) gen.loadSlot(storageOf(sym));
    else gen.slotAddress(storageOf(sym));
    return;
  }
  if (isBundleChannel(e)) {
    // `svr[req]`: the bundle's address (the end's word) plus the field's offset.
    gen.parts.expr(gen, e.base);
    gen.fn(Fn.ldnlp, Number(e.index.constValue ?? 0n) / 4);
    return;
  }
  elementAddress(gen, e);
}
