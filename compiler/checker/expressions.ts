// Expressions: the type of every expression (with the type the context expects, for untyped literals), name
// resolution in expressions, conversions, operators and their operand rules, segments, tables and array
// constructors, FUNCTION calls, and the checks that an expression can be assigned to or is a channel end.

import { checkClaimedUse } from './claims.js';
import { checkFieldDirection, endFieldSelection } from './chantypes.js';
import type { Expr, NameExpr } from '../ast.js';
import { constBytes, exprText, isChanArray, rootName } from '../ast-queries.js';
import type { VarSymbol } from '../symbols.js';
import {
  BOOL,
  BYTE,
  byteSize,
  INT,
  isIntegerType,
  isMobile,
  isPrim,
  recordOf,
  sameType,
  type Type,
  typeName,
} from '../types.js';
import { foldRealConversion, foldRealDyadic, isRealType, realLiteralValue } from '../numeric.js';
import { type Checker, valueProcessName } from './context.js';
import { Scope } from './scope.js';
import { bitsOf, fold, inRange, limits, wrap } from './constants.js';
import { resolveType } from './types.js';
import { enclosingRoutine, recursionMessage, unknownNameHint } from './suggestions.js';
import { valofType } from './valof.js';
import { userDyadic, userMonadic } from './operators.js';
import { bytesInType, fieldSelection, notAnArray, offsetOfType, recordLiteral } from './records.js';

/** Check a FUNCTION call's arguments; returns its result types. */
export function callResults(ck: Checker, e: Extract<Expr, { kind: 'call' }>, scope: Scope): Type[] | null {
  const sym = scope.lookup(e.callee.name);
  if (!sym || sym.kind !== 'function') {
    for (const a of e.args) checkExpr(ck, a, scope);
    const self = sym ? null : enclosingRoutine(ck, e.callee.name);
    if (self) {
      const { message, hint } = recursionMessage(self, e.callee.name);
      ck.diags.error(e.callee.span, message, hint);
    } else if (!sym)
      ck.diags.error(
        e.callee.span,
        `\`${e.callee.name}\` is not defined`,
        unknownNameHint(e.callee.name, scope) ?? 'a FUNCTION must be defined before it is used',
      );
    else ck.diags.error(e.callee.span, `\`${e.callee.name}\` is not a FUNCTION`);
    return null;
  }
  ck.used.add(sym);
  e.decl = sym;
  if (e.args.length !== sym.params.length) {
    ck.diags.error(
      e.span,
      `\`${sym.name}\` takes ${sym.params.length} parameter(s) but is given ${e.args.length}`,
      undefined,
      [{ span: sym.span, message: `\`${sym.name}\` is defined here` }],
    );
  }
  e.args.forEach((arg, i) => {
    const param = sym.params[i];
    const t = checkExpr(ck, arg, scope, param?.type);
    if (param && t && !sameType(t, param.type)) {
      ck.diags.error(
        arg.span,
        `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`,
      );
    }
  });
  return [...sym.results];
}

export function sliceType(ck: Checker, e: Extract<Expr, { kind: 'slice' }>, scope: Scope): Type | null {
  const bt = checkExpr(ck, e.base, scope);
  if (e.start) expectType(ck, e.start, scope, INT, 'the start of a segment');
  if (e.count) expectType(ck, e.count, scope, INT, 'the length of a segment');
  if (!bt) return null;
  if (recordOf(bt)) {
    notAnArray(ck, e.base, bt, 'segments');
    return null;
  }
  if (bt.kind !== 'array') {
    ck.diags.error(e.base.span, `\`${exprText(e.base)}\` is not an array, so it has no segments`);
    return null;
  }
  const start = e.start ? e.start.constValue : 0n;
  const count = e.count
    ? e.count.constValue
    : bt.size !== null && start !== undefined
      ? BigInt(bt.size) - start
      : undefined;
  const n = bt.size;
  if (start !== undefined && (start < 0n || (n !== null && start > BigInt(n)))) {
    ck.diags.error(
      e.start!.span,
      `the segment starts at ${start}, outside \`${exprText(e.base)}\` (${n ?? '?'} elements)`,
    );
    return null;
  }
  if (count !== undefined && count < 0n) {
    ck.diags.error(e.span, `the segment has a negative length (${count})`);
    return null;
  }
  if (start !== undefined && count !== undefined && n !== null && start + count > BigInt(n)) {
    ck.diags.error(
      e.span,
      `the segment [${start} FOR ${count}] runs past the end of \`${exprText(e.base)}\`, which has ${n} elements`,
    );
    return null;
  }
  return { kind: 'array', size: count === undefined ? null : Number(count), elem: bt.elem };
}

export function tableType(
  ck: Checker,
  e: Extract<Expr, { kind: 'table' }>,
  scope: Scope,
  expected?: Type,
): Type | null {
  const want = expected && expected.kind === 'array' ? expected.elem : undefined;
  let elem: Type | null = null;
  let ok = true;
  for (const x of e.elems) {
    const t = checkExpr(ck, x, scope, elem ?? want);
    if (!t) {
      ok = false;
      continue;
    }
    if (t.kind === 'chan' || t.kind === 'timer') {
      ck.diags.error(x.span, 'a table holds data values, not channels or timers');
      return null;
    }
    if (!elem) elem = t;
    else if (!sameType(elem, t)) {
      ck.diags.error(
        x.span,
        `the elements of a table must all have one type: this is ${typeName(t)}, the first is ${typeName(elem)}`,
      );
      ok = false;
    }
  }
  if (!ok || !elem) return null;
  const bytes = e.elems.map(constBytes);
  if (bytes.every((b) => b !== null)) {
    const out = new Uint8Array(bytes.reduce((s, b) => s + b!.length, 0));
    let at = 0;
    for (const b of bytes) {
      out.set(b!, at);
      at += b!.length;
    }
    e.constBytes = out;
  }
  return { kind: 'array', size: e.elems.length, elem };
}

export function constructorType(
  ck: Checker,
  e: Extract<Expr, { kind: 'constructor' }>,
  scope: Scope,
  expected?: Type,
): Type | null {
  expectType(ck, e.base, scope, INT, 'the start of an array constructor');
  expectType(ck, e.count, scope, INT, 'the count of an array constructor');
  if (e.step) expectType(ck, e.step, scope, INT, 'the STEP of an array constructor');
  const n = e.count.constValue;
  if (n === undefined) {
    ck.diags.error(e.count.span, 'the count of an array constructor must be a constant', 'write [i = 0 FOR 10 | ...]');
    return null;
  }
  if (n < 0n) {
    ck.diags.error(e.count.span, `the count of an array constructor is negative (${n})`);
    return null;
  }
  const inner = new Scope(scope);
  const sym: VarSymbol = { kind: 'var', name: e.index.name, span: e.index.span, type: INT, readOnly: true };
  e.decl = sym;
  inner.define(sym);
  ck.used.add(sym);
  const t = checkExpr(ck, e.value, inner, expected && expected.kind === 'array' ? expected.elem : undefined);
  if (!t) return null;
  return { kind: 'array', size: Number(n), elem: t };
}

export function checkCondition(ck: Checker, e: Expr, scope: Scope): void {
  expectType(ck, e, scope, BOOL, 'a condition');
}

export function expectType(ck: Checker, e: Expr, scope: Scope, want: Type, what: string): void {
  const t = checkExpr(ck, e, scope, want);
  if (t && !sameType(t, want)) {
    ck.diags.error(e.span, `${what} must be ${typeName(want)}, but this is ${typeName(t)}`);
  }
}

/** Check an element that will be written; returns its type. */
export function checkWritable(ck: Checker, e: Expr, scope: Scope, verb: string): Type | null {
  const t = checkExpr(ck, e, scope);
  const root = rootName(e);
  if (!root) {
    ck.diags.error(e.span, `cannot ${verb} \`${exprText(e)}\`: it is not a variable`);
    return null;
  }
  const sym = root.decl;
  if (!sym) return t;
  if (sym.kind === 'const' || (sym.kind === 'abbrev' && sym.isVal) || (sym.kind === 'param' && sym.isVal)) {
    ck.diags.error(e.span, `cannot ${verb} \`${root.name}\`: it is a constant (VAL)`);
    return null;
  }
  if (sym.kind === 'var' && sym.readOnly) {
    ck.diags.error(e.span, `cannot ${verb} \`${root.name}\`: a replicator index is read-only`);
    return null;
  }
  if (ck.fnLocals && !ck.fnLocals.has(sym)) {
    ck.diags.error(
      e.span,
      `${valueProcessName(ck)} cannot change \`${root.name}\`, which is declared outside it`,
      'a FUNCTION has no side effects: it may change only names declared inside its VALOF',
    );
    return null;
  }
  if (t && (t.kind === 'chan' || t.kind === 'timer')) {
    ck.diags.error(e.span, `cannot ${verb} \`${root.name}\`: it is a ${t.kind === 'chan' ? 'channel' : 'timer'}`);
    return null;
  }
  return t;
}

export function checkChannel(ck: Checker, e: Expr, scope: Scope, dir: '?' | '!'): Type | null {
  const t = checkExpr(ck, e, scope);
  if (!t) return null;
  if (t.kind === 'timer') {
    if (dir === '!') ck.diags.error(e.span, 'cannot output to a timer');
    return t;
  }
  if (t.kind !== 'chan') {
    ck.diags.error(e.span, `\`${exprText(e)}\` is not a channel`);
    return null;
  }
  checkClaimedUse(ck, e, t, dir);
  checkFieldDirection(ck, e, dir);
  const root = rootName(e);
  const sym = root?.decl;
  if (sym && (sym.kind === 'param' || sym.kind === 'abbrev') && sym.direction && sym.direction !== dir) {
    const verb = dir === '!' ? 'output to' : 'input from';
    ck.diags.error(
      e.span,
      `cannot ${verb} \`${root!.name}\`: it is declared as the ${sym.direction === '?' ? 'input (?)' : 'output (!)'} end`,
    );
  }
  return t.protocol;
}

/**
 * Type-check an expression. `expected` is the type the context wants; undecorated literals take it (occam 2.1
 * literal typing). Returns null after reporting an error.
 */
export function checkExpr(ck: Checker, e: Expr, scope: Scope, expected?: Type): Type | null {
  if ((e.kind === 'table' || e.kind === 'string') && e.decoration) {
    const d = decoratedArrayType(ck, e, scope);
    if (d) e.type = d;
    return d;
  }
  let t = exprType(ck, e, scope, expected);
  // A table, string or constructor takes the name of the array DATA TYPE its context wants.
  if (
    t &&
    t.kind === 'array' &&
    expected?.kind === 'array' &&
    expected.alias &&
    (e.kind === 'table' || e.kind === 'string' || e.kind === 'constructor')
  ) {
    if (sameType({ ...expected, alias: undefined }, t)) t = expected;
  }
  if (t && e.clone && !isMobile(t)) {
    ck.diags.error(
      e.span,
      `CLONE copies a MOBILE, but this is ${typeName(t)}`,
      'a value that is not MOBILE is copied by assigning it',
    );
  }
  if (t) e.type = t;
  return t;
}

export function exprType(ck: Checker, e: Expr, scope: Scope, expected?: Type): Type | null {
  switch (e.kind) {
    case 'int': {
      let t: Type = INT;
      if (e.decoration) t = resolveType(ck, e.decoration, scope, false) ?? INT;
      else if (expected && (isIntegerType(expected) || isRealType(expected))) t = expected;
      if (!isIntegerType(t)) {
        ck.diags.error(
          e.span,
          `an integer literal cannot be ${typeName(t)}`,
          isRealType(t) ? `a real literal needs a decimal point: write ${e.value}.0` : undefined,
        );
        return null;
      }
      if (e.hex && e.value >= 0n && e.value < 1n << BigInt(bitsOf(t)) && !isPrim(t, 'BYTE')) {
        // A hex literal is a bit pattern for its type: #FFFF(INT16) is -1.
        e.constValue = wrap(e.value, t);
        return t;
      }
      if (!inRange(e.value, t)) {
        ck.diags.error(
          e.span,
          `${e.value} does not fit in ${typeName(t)}`,
          t === INT ? 'MOSTNEG INT and MOSTPOS INT are the limits' : undefined,
        );
        return null;
      }
      e.constValue = e.value;
      return t;
    }
    case 'real': {
      let t: Type | null;
      if (e.decoration) t = resolveType(ck, e.decoration, scope, false);
      else if (expected && isRealType(expected)) t = expected;
      else if (expected && isIntegerType(expected)) {
        // `n := 3.5` with `INT n`: the context says INT, so the question is not which real type.
        ck.diags.error(
          e.span,
          `${e.text} is a real literal, but an ${typeName(expected)} is expected here`,
          `an ${typeName(expected)} literal has no decimal point; to convert a real, write ${typeName(expected)} ROUND ${e.text}(REAL64) or ${typeName(expected)} TRUNC ${e.text}(REAL64)`,
        );
        return null;
      } else {
        ck.diags.error(
          e.span,
          `the real literal ${e.text} needs a type: nothing here says whether it is REAL32 or REAL64`,
          `write ${e.text}(REAL64) or ${e.text}(REAL32)`,
        );
        return null;
      }
      if (!t) return null;
      if (!isRealType(t)) {
        ck.diags.error(e.span, `a real literal cannot be ${typeName(t)}`, `an integer literal has no decimal point`);
        return null;
      }
      const v = realLiteralValue(e.text, t);
      if (!Number.isFinite(v)) {
        ck.diags.error(e.span, `${e.text} is too large for ${typeName(t)}`);
        return null;
      }
      e.realValue = v;
      return t;
    }
    case 'byte': {
      let t: Type = BYTE;
      if (e.decoration) t = resolveType(ck, e.decoration, scope, false) ?? BYTE;
      else if (expected && isIntegerType(expected)) t = expected;
      if (!isIntegerType(t)) {
        // '*'(REAL64): a character is a number of an integer type only.
        ck.diags.error(
          e.span,
          `a character literal cannot be ${typeName(t)}`,
          'a character is a number of an integer type: BYTE, INT, INT16, INT32 or INT64',
        );
        return null;
      }
      e.constValue = BigInt(e.value);
      return t;
    }
    case 'bool':
      e.constValue = e.value ? 1n : 0n;
      return BOOL;
    case 'string':
      return { kind: 'array', size: e.bytes.length, elem: BYTE };
    case 'name':
      return nameType(ck, e, scope);
    case 'subscript': {
      const bt = checkExpr(ck, e.base, scope);
      if (recordOf(bt ?? undefined)) return fieldSelection(ck, e, bt!);
      if (bt && bt.kind === 'end') return endFieldSelection(ck, e, bt);
      expectType(ck, e.index, scope, INT, 'a subscript');
      if (!bt) return null;
      if (bt.kind !== 'array') {
        ck.diags.error(e.base.span, `\`${exprText(e.base)}\` is not an array`);
        return null;
      }
      const i = e.index.constValue;
      if (i !== undefined && bt.size !== null && (i < 0n || i >= BigInt(bt.size)) && ck.unevaluated === 0) {
        ck.diags.error(e.index.span, `subscript ${i} is out of range: \`${exprText(e.base)}\` has ${bt.size} elements`);
      }
      // Subscripts of constant tables fold, so `VAL []BYTE s IS "ab":` ... `s[0]` is a constant.
      const bytes = constBytes(e.base);
      const w = byteSize(bt.elem);
      if (
        i !== undefined &&
        bytes &&
        bt.elem.kind === 'prim' &&
        w !== null &&
        i >= 0n &&
        (i + 1n) * BigInt(w) <= BigInt(bytes.length)
      ) {
        let v = 0n;
        for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[Number(i) * w + k]!);
        e.constValue = isPrim(bt.elem, 'BYTE', 'BOOL') ? v : BigInt.asIntN(w * 8, v);
      }
      return bt.elem;
    }
    case 'sizeof': {
      const t = resolveType(ck, e.target, scope, false);
      if (!t) return null;
      if (t.kind !== 'array' || t.size === null) {
        ck.diags.error(
          e.target.span,
          `SIZE of a type needs an array type with a known size, but this is ${typeName(t)}`,
        );
        return null;
      }
      e.constValue = BigInt(t.size);
      return INT;
    }
    case 'size': {
      // `SIZE ROW`, with ROW a DATA TYPE: the size of the type.
      if (e.operand.kind === 'name' && scope.lookup(e.operand.name)?.kind === 'type') {
        const t = resolveType(ck, { kind: 'named', span: e.operand.span, name: e.operand.name }, scope, false);
        if (t && t.kind === 'array' && t.size !== null) {
          e.constValue = BigInt(t.size);
          return INT;
        }
        ck.diags.error(e.operand.span, `SIZE of a type needs an array type with a known size`);
        return null;
      }
      const t = checkExpr(ck, e.operand, scope);
      if (!t) return null;
      if (recordOf(t)) {
        notAnArray(ck, e.operand, t, 'SIZE');
        return null;
      }
      if (t.kind !== 'array') {
        ck.diags.error(e.operand.span, `SIZE needs an array, but \`${exprText(e.operand)}\` is ${typeName(t)}`);
        return null;
      }
      if (t.size !== null) e.constValue = BigInt(t.size);
      return INT;
    }
    case 'mostpos':
    case 'mostneg': {
      const t = resolveType(ck, e.target, scope, false);
      if (!t) return null;
      if (!isIntegerType(t)) {
        ck.diags.error(e.target.span, `${e.kind.toUpperCase()} needs an integer type`);
        return null;
      }
      e.constValue = e.kind === 'mostpos' ? limits(t).hi : limits(t).lo;
      return t;
    }
    case 'conversion':
      return conversionType(ck, e, scope);
    case 'monadic':
      return monadicType(ck, e, scope, expected);
    case 'dyadic':
      return dyadicType(ck, e, scope, expected);
    case 'call': {
      // `MYINT (j + 1)` looks like a call; the name is a DATA TYPE, so it is a conversion.
      if (e.args.length === 1 && scope.lookup(e.callee.name)?.kind === 'type') {
        const conv = e as unknown as Record<string, unknown>;
        Object.assign(conv, {
          kind: 'conversion',
          target: { kind: 'named', span: e.callee.span, name: e.callee.name },
          mode: 'exact',
          operand: e.args[0]!,
        });
        delete conv.callee;
        delete conv.args;
        return conversionType(ck, e as unknown as Extract<Expr, { kind: 'conversion' }>, scope);
      }
      const types = callResults(ck, e, scope);
      if (!types) return null;
      if (types.length !== 1) {
        ck.diags.error(
          e.span,
          `\`${e.callee.name}\` gives ${types.length} results, so it cannot be used inside an expression`,
          `assign its results to as many variables: a, b := ${exprText(e)}`,
        );
        return null;
      }
      return types[0]!;
    }
    case 'slice':
      return sliceType(ck, e, scope);
    case 'table':
      // A table where a RECORD is wanted is a literal of that RECORD.
      return recordOf(expected) ? recordLiteral(ck, e, scope, expected!) : tableType(ck, e, scope, expected);
    case 'valof':
      return valofType(ck, e, scope, expected);
    case 'bytesin':
      return bytesInType(ck, e, scope);
    case 'offsetof':
      return offsetOfType(ck, e, scope);
    case 'constructor':
      return constructorType(ck, e, scope, expected);
    case 'counted':
      ck.diags.error(e.span, 'a counted array `n::a` can only be sent or received on a channel whose protocol has one');
      return null;
    case 'mobile':
      ck.diags.error(
        e.span,
        `MOBILE ${e.target.name} makes a new bundle: it can only be assigned to a pair of ends`,
        `write cli, svr := MOBILE ${e.target.name}`,
      );
      return null;
    case 'direction': {
      const t = checkExpr(ck, e.channel, scope);
      if (t && t.kind !== 'chan' && !isChanArray(t)) {
        ck.diags.error(e.span, `\`${exprText(e.channel)}\` is not a channel, so it takes no direction`);
        return null;
      }
      const root = rootName(e.channel);
      const sym = root?.decl;
      if (sym && (sym.kind === 'param' || sym.kind === 'abbrev') && sym.direction && sym.direction !== e.direction) {
        ck.diags.error(
          e.span,
          `\`${root!.name}\` is the ${sym.direction === '?' ? 'input' : 'output'} end, not \`${e.direction}\``,
        );
      }
      checkFieldDirection(ck, e.channel, e.direction);
      return t;
    }
  }
}

export function nameType(ck: Checker, e: NameExpr, scope: Scope): Type | null {
  const sym = scope.lookup(e.name);
  if (!sym) {
    ck.diags.error(e.span, `\`${e.name}\` is not declared`, unknownNameHint(e.name, scope));
    return null;
  }
  if (sym.kind === 'proc' || sym.kind === 'protocol' || sym.kind === 'function' || sym.kind === 'type') {
    const what =
      sym.kind === 'proc'
        ? 'a PROC'
        : sym.kind === 'protocol'
          ? 'a PROTOCOL'
          : sym.kind === 'function'
            ? 'a FUNCTION (call it with parentheses)'
            : 'a type';
    ck.diags.error(e.span, `\`${e.name}\` is ${what}, not a value`);
    return null;
  }
  ck.used.add(sym);
  e.decl = sym;
  if (sym.kind === 'const' && typeof sym.value === 'bigint') e.constValue = sym.value;
  if (sym.kind === 'const' && typeof sym.value === 'number') e.realValue = sym.value;
  return sym.type;
}

export function conversionType(ck: Checker, e: Extract<Expr, { kind: 'conversion' }>, scope: Scope): Type | null {
  const target = resolveType(ck, e.target, scope, false);
  const from = checkExpr(ck, e.operand, scope);
  if (!target || !from) return null;
  if (target.kind !== 'prim' || from.kind !== 'prim') {
    ck.diags.error(e.span, 'only scalar values can be converted');
    return null;
  }
  const realTo = isRealType(target);
  const realFrom = isRealType(from);
  if (realTo || realFrom) {
    if (isPrim(target, 'BOOL') || isPrim(from, 'BOOL')) {
      ck.diags.error(e.span, `BOOL and ${typeName(realTo ? target : from)} cannot be converted into each other`);
      return null;
    }
    const exactOk = realTo && realFrom && (target.name === from.name || isPrim(target, 'REAL64'));
    if (e.mode === 'exact' && !exactOk) {
      ck.diags.error(
        e.span,
        `converting ${typeName(from)} to ${typeName(target)} needs ROUND or TRUNC`,
        `write ${typeName(target)} ROUND ${exprText(e.operand)} (to nearest) or ${typeName(target)} TRUNC ${exprText(e.operand)} (towards zero)`,
      );
      return null;
    }
    const folded = foldRealConversion(e.operand.constValue, e.operand.realValue, from, target, e.mode);
    if (folded === 'range') {
      ck.diags.error(e.span, `\`${exprText(e.operand)}\` cannot be converted to ${typeName(target)}: out of range`);
      return null;
    }
    if (typeof folded === 'bigint') e.constValue = folded;
    else if (typeof folded === 'number') e.realValue = folded;
    return target;
  }
  if (e.mode !== 'exact') {
    ck.diags.error(
      e.span,
      `${e.mode} is for conversions to or from REAL32 and REAL64`,
      `write ${typeName(target)} ${exprText(e.operand)}`,
    );
    return null;
  }
  const v = e.operand.constValue;
  if (v !== undefined) {
    const lim = limits(target);
    if (v < lim.lo || v > lim.hi) {
      ck.diags.error(e.span, `${v} cannot be converted to ${typeName(target)}: out of range`);
      return null;
    }
    e.constValue = v;
  }
  return target;
}

/** The same representation: equal types once every DATA TYPE name is set aside. */
function sameRepresentation(a: Type, b: Type): boolean {
  if (a.kind === 'prim' && b.kind === 'prim') return a.name === b.name;
  if (a.kind === 'array' && b.kind === 'array') {
    return (a.size === null || b.size === null || a.size === b.size) && sameRepresentation(a.elem, b.elem);
  }
  return sameType(a, b);
}

/** `[1, 2](PAIR)`, `"ab"(BYTES)`: a table or string given an array type of the same shape. */
function decoratedArrayType(ck: Checker, e: Extract<Expr, { kind: 'table' | 'string' }>, scope: Scope): Type | null {
  const target = resolveType(ck, e.decoration!, scope, false);
  if (!target) {
    if (e.kind === 'table') for (const x of e.elems) ck.parts.checkExpr(ck, x, scope);
    return null;
  }
  if (e.kind === 'table' && recordOf(target)) return recordLiteral(ck, e, scope, target);
  if (target.kind !== 'array') {
    ck.diags.error(
      e.decoration!.span,
      `a ${e.kind} can only be given an array type, but ${typeName(target)} is not one`,
      e.kind === 'table' ? 'decorate each element instead: [1(T), 2(T)]' : undefined,
    );
    return null;
  }
  const t = e.kind === 'table' ? tableType(ck, e, scope, target) : exprType(ck, e, scope, target);
  if (!t) return null;
  if (!sameRepresentation(t, target)) {
    ck.diags.error(e.span, `this ${e.kind} is ${typeName(t)}, so it cannot be given the type ${typeName(target)}`);
    return null;
  }
  return target.size === null ? { ...target, size: (t as Extract<Type, { kind: 'array' }>).size } : target;
}

export function monadicType(
  ck: Checker,
  e: Extract<Expr, { kind: 'monadic' }>,
  scope: Scope,
  expected?: Type,
): Type | null {
  const user = userMonadic(ck, e, scope, expected);
  if (user !== undefined) return user;
  if (e.op === 'NOT') {
    expectType(ck, e.operand, scope, BOOL, 'the operand of NOT');
    if (e.operand.constValue !== undefined) e.constValue = e.operand.constValue === 0n ? 1n : 0n;
    return BOOL;
  }
  const t = checkExpr(ck, e.operand, scope, expected);
  if (!t) return null;
  if (e.op === '-' && isRealType(t)) {
    if (e.operand.realValue !== undefined) e.realValue = -e.operand.realValue;
    return t;
  }
  if (!isIntegerType(t)) {
    ck.diags.error(e.span, `\`${e.op}\` needs an integer operand, but this is ${typeName(t)}`);
    return null;
  }
  const v = e.operand.constValue;
  if (v !== undefined) {
    const r = e.op === '-' ? -v : e.op === 'MINUS' ? wrap(-v, t) : wrap(~v, t);
    if (e.op === '-' && !inRange(r, t)) {
      ck.diags.error(e.span, `the constant ${exprText(e)} overflows ${typeName(t)}`);
      return null;
    }
    e.constValue = r;
  }
  return t;
}

export function dyadicType(
  ck: Checker,
  e: Extract<Expr, { kind: 'dyadic' }>,
  scope: Scope,
  expected?: Type,
): Type | null {
  const user = userDyadic(ck, e, scope);
  if (user !== undefined) return user;
  const op = e.op;
  if (op === 'AND' || op === 'OR') {
    expectType(ck, e.left, scope, BOOL, `the left operand of ${op}`);
    const l = e.left.constValue;
    // `FALSE AND e` and `TRUE OR e` never evaluate e: they are constants whatever e is.
    const decided = l !== undefined && (op === 'AND' ? l === 0n : l !== 0n);
    if (decided) ck.unevaluated++;
    expectType(ck, e.right, scope, BOOL, `the right operand of ${op}`);
    if (decided) ck.unevaluated--;
    const r = e.right.constValue;
    if (decided) e.constValue = l;
    else if (l !== undefined && r !== undefined) e.constValue = op === 'AND' ? l & r : l | r;
    return BOOL;
  }
  const isShift = op === '<<' || op === '>>';
  const isCompare =
    op === '=' || op === '<>' || op === '<' || op === '<=' || op === '>' || op === '>=' || op === 'AFTER';
  let lt: Type | null;
  let rt: Type | null;
  if (isShift) {
    lt = checkExpr(ck, e.left, scope, expected && !isRealType(expected) ? expected : undefined);
    rt = checkExpr(ck, e.right, scope, INT);
    if (rt && !sameType(rt, INT))
      ck.diags.error(e.right.span, `a shift count must be INT, but this is ${typeName(rt)}`);
    const k = e.right.constValue;
    if (lt && isIntegerType(lt) && k !== undefined && (k < 0n || k > BigInt(bitsOf(lt)))) {
      ck.diags.error(e.right.span, `shift count ${k} is out of range 0..${bitsOf(lt)} for ${typeName(lt)}`);
      return null;
    }
  } else {
    // An undecorated literal takes its type from the other operand.
    const context = isCompare ? undefined : expected;
    if (isUntypedLiteral(e.left) && !isUntypedLiteral(e.right)) {
      rt = checkExpr(ck, e.right, scope, context);
      lt = checkExpr(ck, e.left, scope, rt ?? context);
    } else {
      lt = checkExpr(ck, e.left, scope, context);
      rt = checkExpr(ck, e.right, scope, lt ?? context);
    }
    if (lt && rt && !sameType(lt, rt)) {
      ck.diags.error(
        e.span,
        `the operands of \`${op}\` have different types: ${typeName(lt)} and ${typeName(rt)}`,
        'occam never converts implicitly: convert one side, e.g. (INT b)',
      );
      return null;
    }
  }
  if (!lt || !rt) return null;
  if (lt.kind !== 'prim') {
    ck.diags.error(e.left.span, `\`${op}\` cannot be applied to ${typeName(lt)}`);
    return null;
  }
  if (op === '=' || op === '<>') return fold(ck, e, lt, BOOL);
  if (isCompare) {
    if (lt === BOOL || (op === 'AFTER' && !isIntegerType(lt))) {
      ck.diags.error(e.span, `\`${op}\` cannot compare ${typeName(lt)} values`);
      return null;
    }
    return fold(ck, e, lt, BOOL);
  }
  if (isRealType(lt) && (op === '+' || op === '-' || op === '*' || op === '/' || op === '\\' || op === 'REM')) {
    const a = e.left.realValue;
    const b = e.right.realValue;
    if (a !== undefined && b !== undefined) {
      const v = foldRealDyadic(op, a, b, lt);
      if (!Number.isFinite(v)) {
        ck.diags.error(e.span, `the constant expression ${exprText(e)} overflows ${typeName(lt)} (or divides by zero)`);
        return null;
      }
      e.realValue = v;
    }
    return lt;
  }
  if (!isIntegerType(lt)) {
    ck.diags.error(
      e.span,
      `\`${op}\` needs integer operands, but these are ${typeName(lt)}`,
      isRealType(lt) && (op === 'PLUS' || op === 'MINUS' || op === 'TIMES')
        ? `use ${op === 'PLUS' ? '+' : op === 'MINUS' ? '-' : '*'} for REAL values`
        : undefined,
    );
    return null;
  }
  return fold(ck, e, lt, lt);
}

function isUntypedLiteral(e: Expr): boolean {
  return (e.kind === 'int' || e.kind === 'byte' || e.kind === 'real') && e.decoration === null;
}
