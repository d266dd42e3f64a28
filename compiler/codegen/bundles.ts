// occam-π CHAN TYPE bundles: a heap block holding a count of the ends that refer to it and one channel word per
// field (docs/isa.md, Channel bundles). An end is a word holding the block's address, or 0 when it is undefined
// (moved away, or never given a bundle). Moving an end copies the address and clears the source; a SHARED end is
// copied instead, and the count goes up. An end overwritten or going out of scope gives its reference back, and
// the last one frees the block.

import type { Expr, Spec } from '../ast.js';
import { exprText } from '../ast-queries.js';
import type { ChanTypeDef } from '../types.js';
import { Fn, Op } from '../../emulator/isa.js';
import type { CodeGen } from './context.js';
import { storeFrom } from './numeric-stores.js';
import { isBundleChannel, isEnd } from './queries.js';
import { expr } from './expressions.js';

/** Bytes before a bundle's first channel word: the count of the ends referring to it. */
const HEADER_BYTES = 4;

/**
 * Before a use of the end `e` (or of a channel of it) that the checker could not prove defined: stop with a
 * run-time error when it holds no bundle. Emitted with nothing on the register stack; it leaves one word there.
 */
export function checkDefined(gen: CodeGen, e: Expr): void {
  const base = e.kind === 'direction' ? e.channel : e;
  const end = isBundleChannel(base) ? base.base : base;
  if (end.kind !== 'name' || !end.mayBeUndefined || !isEnd(end.type)) return;
  expr(gen, end);
  gen.fn(Fn.eqc, 0);
  gen.fn(Fn.ldc, 1);
  gen.check(end.span, `\`${exprText(end)}\` is undefined here: its bundle was moved away`);
  gen.op(Op.csub0);
}

/** A declared end starts undefined. */
export function initEnd(gen: CodeGen, slot: number): void {
  gen.fn(Fn.ldc, 0);
  gen.fn(Fn.stl, slot);
}

/** Give back the reference of the end `load` pushes (nothing when it is 0); the last one frees the bundle. */
function release(gen: CodeGen, load: () => void): void {
  const mark = gen.frame.mark();
  releaseWith(gen, load, gen.frame.alloc(2));
  gen.frame.release(mark);
}

/** `release`, with the two workspace words from `t` as its temporaries. */
export function releaseWith(gen: CodeGen, load: () => void, t: number): void {
  const done = gen.label('end.released');
  load();
  gen.fn(Fn.stl, t);
  gen.fn(Fn.ldl, t);
  gen.jump(Fn.cj, done);
  gen.fn(Fn.ldl, t);
  gen.fn(Fn.ldnl, 0);
  gen.fn(Fn.adc, -1);
  gen.fn(Fn.stl, t + 1);
  gen.fn(Fn.ldl, t + 1);
  gen.fn(Fn.ldl, t);
  gen.fn(Fn.stnl, 0);
  gen.fn(Fn.ldl, t + 1);
  gen.fn(Fn.eqc, 0);
  gen.jump(Fn.cj, done);
  gen.fn(Fn.ldl, t);
  gen.op(Op.mrelease);
  gen.place(done);
}

/** One more end refers to the bundle at the address in slot `t` (when it is not 0). */
function addReference(gen: CodeGen, t: number): void {
  const done = gen.label('end.copied');
  gen.fn(Fn.ldl, t);
  gen.jump(Fn.cj, done);
  gen.fn(Fn.ldl, t);
  gen.fn(Fn.ldnl, 0);
  gen.fn(Fn.adc, 1);
  gen.fn(Fn.ldl, t);
  gen.fn(Fn.stnl, 0);
  gen.place(done);
}

/** The end variable `target` is about to be overwritten: its old bundle loses a reference. */
export function releaseTarget(gen: CodeGen, target: Expr): void {
  if (isEnd(target.type)) release(gen, () => expr(gen, target));
}

/** `a, b := MOBILE N`: a new bundle with its channels empty, referred to by both ends. */
export function allocate(gen: CodeGen, targets: readonly Expr[], def: ChanTypeDef): void {
  for (const t of targets) releaseTarget(gen, t);
  const mark = gen.frame.mark();
  const block = gen.frame.alloc(1);
  gen.fn(Fn.ldc, HEADER_BYTES + 4 * def.fields.length);
  gen.op(Op.malloc);
  gen.fn(Fn.stl, block);
  gen.fn(Fn.ldc, targets.length);
  gen.fn(Fn.ldl, block);
  gen.fn(Fn.stnl, 0);
  def.fields.forEach((f) => {
    gen.op(Op.mint);
    gen.fn(Fn.ldl, block);
    gen.fn(Fn.stnl, f.offset / 4);
  });
  for (const t of targets) storeFrom(gen, t, () => gen.fn(Fn.ldl, block));
  gen.frame.release(mark);
}

/** `x := y` with ends: the bundle moves from `y` to `x` (a SHARED end is copied: `y` keeps it). */
export function assignEnd(gen: CodeGen, target: Expr, value: Expr): void {
  const mark = gen.frame.mark();
  const t = gen.frame.alloc(1);
  expr(gen, value);
  gen.fn(Fn.stl, t);
  const shared = isEnd(value.type) && !!value.type.shared;
  if (shared) addReference(gen, t);
  else storeFrom(gen, value, () => gen.fn(Fn.ldc, 0));
  releaseTarget(gen, target);
  storeFrom(gen, target, () => gen.fn(Fn.ldl, t));
  gen.frame.release(mark);
}

/**
 * An end passed to a FORKed process moves into it (a SHARED one is copied): its word is stored where `dst` (an
 * `stnl` offset from the address in slot `block`) says, and the process passes that word's address on.
 */
export function moveInto(gen: CodeGen, arg: Expr, block: number, dst: () => number): void {
  const mark = gen.frame.mark();
  const t = gen.frame.alloc(1);
  expr(gen, arg);
  gen.fn(Fn.stl, t);
  if (isEnd(arg.type) && arg.type.shared) addReference(gen, t);
  else storeFrom(gen, arg, () => gen.fn(Fn.ldc, 0));
  gen.fn(Fn.ldl, t);
  gen.fn(Fn.ldl, block);
  gen.fn(Fn.stnl, dst);
  gen.frame.release(mark);
}

/** Before an end is output: a SHARED end is copied, so the bundle gains the reference the receiver gets. */
export function beforeOutput(gen: CodeGen, item: Expr): void {
  if (!isEnd(item.type) || !item.type.shared) return;
  const mark = gen.frame.mark();
  const t = gen.frame.alloc(1);
  expr(gen, item);
  gen.fn(Fn.stl, t);
  addReference(gen, t);
  gen.frame.release(mark);
}

/** After an end is output: an unshared end has moved to the receiver, so the sender's variable is undefined. */
export function afterOutput(gen: CodeGen, item: Expr): void {
  if (isEnd(item.type) && !item.type.shared) storeFrom(gen, item, () => gen.fn(Fn.ldc, 0));
}

/** At the end of the scope of these specifications: each end declared there gives back its reference. */
export function releaseScope(gen: CodeGen, specs: readonly Spec[]): void {
  for (const s of specs) {
    if (s.kind !== 'decl') continue;
    for (const sym of s.decls ?? []) {
      if (!isEnd(sym.type)) continue;
      const name: Expr = { kind: 'name', span: sym.span, name: sym.name, decl: sym, type: sym.type };
      release(gen, () => expr(gen, name));
    }
  }
}

/** The semaphore a CLAIM of the SHARED end `e` takes: the bundle's address, with bit 0 set for the server end. */
export function claimKey(gen: CodeGen, e: Expr): void {
  expr(gen, e);
  if (isEnd(e.type) && e.type.end === '?') {
    gen.fn(Fn.ldc, 1);
    gen.op(Op.or);
  }
}
