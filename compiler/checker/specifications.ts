// Specifications: declarations, abbreviations, INITIAL, RETYPES, PLACE, and PROC and FUNCTION definitions with
// their parameters; each gives names their symbols in the scope of the process after it.

import type { Expr, Formal, ProcDef, Spec, FunctionDef } from '../ast.js';
import { constBytes, exprText, isChanArray, rootName } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { AbbrevSymbol, FunctionSymbol, ParamSymbol, ProcSymbol, Symbol, VarSymbol } from '../symbols.js';
import { byteSize, INT, sameType, type Type, typeName } from '../types.js';
import { isRealType } from '../numeric.js';
import { type Checker, valueProcessName } from './context.js';
import { declare, Scope } from './scope.js';
import { isDataType, resolveType } from './types.js';
import { checkExpr, checkWritable } from './expressions.js';
import { checkProtocolDef } from './protocols.js';
import { checkChanTypeDef } from './chantypes.js';
import { checkProcess } from './processes.js';
import { defineOperator, isOperatorName } from './operators.js';

export function checkSpecs(ck: Checker, specs: readonly Spec[], scope: Scope): Scope {
  const inner = new Scope(scope);
  for (const s of specs) checkSpec(ck, s, inner);
  return inner;
}

export function checkSpec(ck: Checker, spec: Spec, scope: Scope): void {
  switch (spec.kind) {
    case 'decl': {
      const type = resolveType(ck, spec.type, scope, false);
      const decls: VarSymbol[] = [];
      for (const n of spec.names) {
        const sym: VarSymbol = { kind: 'var', name: n.name, span: n.span, type: type ?? INT, readOnly: false };
        declare(ck, scope, sym);
        decls.push(sym);
      }
      spec.decls = decls;
      return;
    }
    case 'abbrev':
      checkAbbrev(ck, spec, scope);
      return;
    case 'initial':
      checkInitial(ck, spec, scope);
      return;
    case 'retypes':
      checkRetypes(ck, spec, scope);
      return;
    case 'datatype': {
      const t = resolveType(ck, spec.type, scope, false);
      if (t && t.kind !== 'prim' && t.kind !== 'array') {
        ck.diags.error(spec.type.span, 'a DATA TYPE must be a data type (not a channel or timer)');
      } else if (t) {
        scope.define({
          kind: 'type',
          name: spec.name.name,
          span: spec.name.span,
          type: { ...t, alias: spec.name.name },
        });
      }
      return;
    }
    case 'place':
      checkPlace(ck, spec, scope);
      return;
    case 'function':
      checkFunction(ck, spec, scope);
      return;
    case 'val': {
      const declared = spec.type ? resolveType(ck, spec.type, scope, true) : null;
      const t = checkExpr(ck, spec.value, scope, declared ?? undefined);
      if (declared && t && !sameType(declared, t)) {
        ck.diags.error(
          spec.value.span,
          `this value is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`,
        );
      }
      const type = declared && t ? mergeOpen(declared, t) : (declared ?? t ?? INT);
      let sym: Symbol;
      const bytes = type.kind === 'array' ? constBytes(spec.value) : null;
      if (bytes) {
        sym = { kind: 'const', name: spec.name.name, span: spec.name.span, type, value: bytes };
      } else if (spec.value.realValue !== undefined && isRealType(type)) {
        sym = { kind: 'const', name: spec.name.name, span: spec.name.span, type, value: spec.value.realValue };
      } else if (spec.value.constValue !== undefined) {
        sym = { kind: 'const', name: spec.name.name, span: spec.name.span, type, value: spec.value.constValue };
      } else {
        sym = { kind: 'abbrev', name: spec.name.name, span: spec.name.span, type, isVal: true, target: spec.value };
      }
      spec.decl = sym;
      declare(ck, scope, sym);
      return;
    }
    case 'proc':
      checkProc(ck, spec, scope);
      return;
    case 'protocol':
      checkProtocolDef(ck, spec, scope);
      return;
    case 'chantype':
      checkChanTypeDef(ck, spec, scope, resolveType);
      return;
    default:
      return;
  }
}

export function checkProc(ck: Checker, def: ProcDef, scope: Scope): void {
  const inner = new Scope(scope);
  const params: ParamSymbol[] = def.formals.map((f, index) => formal(ck, f, index, scope));
  for (const p of params) inner.define(p);
  const sym: ProcSymbol = { kind: 'proc', name: def.name.name, span: def.name.span, def, params, outer: ck.routine };
  if (def.recursive) inner.define(sym);
  const saved = { routine: ck.routine, fnLocals: ck.fnLocals };
  ck.routine = sym;
  // A PROC defined inside a FUNCTION may do anything with its own names; calling it is checked at the call.
  ck.fnLocals = null;
  checkProcess(ck, def.body, inner);
  ck.routine = saved.routine;
  ck.fnLocals = saved.fnLocals;
  def.decl = sym;
  scope.define(sym);
  ck.procs.push(sym);
}

export function formal(ck: Checker, f: Formal, index: number, scope: Scope): ParamSymbol {
  const type = resolveType(ck, f.type, scope, true) ?? INT;
  if (f.isVal && (type.kind === 'chan' || type.kind === 'timer')) {
    ck.diags.error(f.span, 'a channel or timer parameter cannot be VAL');
  }
  if (f.direction && type.kind !== 'chan' && !isChanArray(type)) {
    ck.diags.error(f.span, `\`${f.name.name}${f.direction}\`: only channels take a direction`);
  }
  // VAL scalars travel by value; everything else (variables, channels) as an address.
  // Two-word VAL scalars (INT64, REAL64) travel as the address of the value, as occ21 passes them.
  const byRef =
    !(f.isVal && type.kind === 'prim' && (byteSize(type) ?? 4) <= 4) && type.kind !== 'chan' && type.kind !== 'timer';
  if (f.isResult && f.isVal) ck.diags.error(f.span, 'a parameter cannot be both VAL and RESULT');
  const sym: ParamSymbol = {
    kind: 'param',
    name: f.name.name,
    span: f.name.span,
    type,
    isVal: f.isVal,
    byRef,
    index,
    direction: f.direction,
  };
  f.decl = sym;
  return sym;
}

/** `[T] x IS element:` and `RESULT T x IS element:`: another name for a variable, element, segment or channel. */
export function checkAbbrev(ck: Checker, spec: Extract<Spec, { kind: 'abbrev' }>, scope: Scope): void {
  const declared = spec.type ? resolveType(ck, spec.type, scope, true) : null;
  const t = checkExpr(ck, spec.target, scope, declared ?? undefined);
  const root = rootName(spec.target);
  if (!root) {
    ck.diags.error(
      spec.target.span,
      `\`${exprText(spec.target)}\` is not a variable, so \`${spec.name.name}\` cannot abbreviate it`,
      `to name a value, write VAL ${spec.type ? exprText(spec.type as unknown as Expr) : 'INT'} ${spec.name.name} IS ...:`,
    );
  } else if (t && t.kind !== 'chan' && t.kind !== 'timer') {
    const sym = root.decl;
    if (sym && (sym.kind === 'const' || (sym.kind === 'abbrev' && sym.isVal) || (sym.kind === 'param' && sym.isVal))) {
      ck.diags.error(
        spec.target.span,
        `\`${root.name}\` is a constant (VAL), so it needs a VAL abbreviation`,
        `write VAL ... ${spec.name.name} IS ${exprText(spec.target)}:`,
      );
    } else if (sym && sym.kind === 'var' && sym.readOnly) {
      ck.diags.error(spec.target.span, `\`${root.name}\` is a replicator index, so it needs a VAL abbreviation`);
    } else if (ck.fnLocals && sym && !ck.fnLocals.has(sym)) {
      ck.diags.error(
        spec.target.span,
        `${valueProcessName(ck)} cannot abbreviate \`${root.name}\`, which is declared outside it, except with VAL`,
      );
    }
  }
  if (declared && t && !sameType(declared, t)) {
    ck.diags.error(
      spec.target.span,
      `\`${exprText(spec.target)}\` is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`,
    );
  }
  const type = declared && t ? mergeOpen(declared, t) : (declared ?? t ?? INT);
  if (spec.direction) checkAbbrevDirection(ck, spec, type);
  const sym: AbbrevSymbol = {
    kind: 'abbrev',
    name: spec.name.name,
    span: spec.name.span,
    type,
    isVal: false,
    target: spec.target,
    ...(spec.direction ? { direction: spec.direction } : {}),
  };
  spec.decl = sym;
  declare(ck, scope, sym);
}

/** `CHAN INT d! IS c!:`: a channel, and the same end as the target's decorator or parameter says. */
function checkAbbrevDirection(ck: Checker, spec: Extract<Spec, { kind: 'abbrev' }>, type: Type): void {
  const d = spec.direction!;
  if (type.kind !== 'chan' && !isChanArray(type)) {
    ck.diags.error(spec.name.span, `\`${spec.name.name}${d}\`: only channels take a direction`);
    return;
  }
  const given = spec.target.kind === 'direction' ? spec.target.direction : null;
  const sym = rootName(spec.target)?.decl;
  const held = sym && (sym.kind === 'param' || sym.kind === 'abbrev') ? sym.direction : undefined;
  const other = given ?? held;
  if (other && other !== d) {
    ck.diags.error(
      spec.target.span,
      `\`${spec.name.name}${d}\` is the ${d === '?' ? 'input' : 'output'} end, but \`${exprText(spec.target)}\` is the ${other === '?' ? 'input' : 'output'} end`,
    );
  }
}

/** `INITIAL T x IS e:` declares an ordinary variable and gives it a first value. */
export function checkInitial(ck: Checker, spec: Extract<Spec, { kind: 'initial' }>, scope: Scope): void {
  const declared = resolveType(ck, spec.type, scope, true);
  const t = checkExpr(ck, spec.value, scope, declared ?? undefined);
  if (declared && t && !sameType(declared, t)) {
    ck.diags.error(
      spec.value.span,
      `this value is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`,
    );
  }
  const type = declared && t ? mergeOpen(declared, t) : (declared ?? INT);
  if (type.kind === 'array' && type.size === null) {
    ck.diags.error(spec.type.span, 'the size of an INITIAL array must be known when it is compiled');
  }
  const sym: VarSymbol = { kind: 'var', name: spec.name.name, span: spec.name.span, type, readOnly: false };
  spec.decl = sym;
  declare(ck, scope, sym);
}

/** `T x RETYPES e:` and `RESHAPES`: the new type must occupy exactly the bytes of `e`. */
export function checkRetypes(ck: Checker, spec: Extract<Spec, { kind: 'retypes' }>, scope: Scope): void {
  const word = spec.reshape ? 'RESHAPES' : 'RETYPES';
  const declared = resolveType(ck, spec.type, scope, true);
  // A channel RETYPES another channel (`CHAN OF INT c RETYPES any:`): the same channel, seen with another protocol.
  const channels = !spec.isVal && !spec.reshape && declared?.kind === 'chan';
  const t =
    spec.isVal || channels ? checkExpr(ck, spec.target, scope) : checkWritable(ck, spec.target, scope, `${word}`);
  const type = !declared ? INT : channels && t?.kind === 'chan' ? declared : retypedType(ck, spec, declared, t, word);
  const sym: AbbrevSymbol = {
    kind: 'abbrev',
    name: spec.name.name,
    span: spec.name.span,
    type,
    isVal: spec.isVal,
    target: spec.target,
  };
  spec.decl = sym;
  declare(ck, scope, sym);
}

/** The type a RETYPES / RESHAPES gives its name, with its open dimension sized (reports size mismatches). */
export function retypedType(
  ck: Checker,
  spec: Extract<Spec, { kind: 'retypes' }>,
  declared: Type,
  t: Type | null,
  word: string,
): Type {
  if (!t) return declared;
  if (declared.kind === 'chan' || declared.kind === 'timer' || t.kind === 'chan' || t.kind === 'timer') {
    ck.diags.error(spec.span, `${word} works on data, not on channels or timers`);
    return declared;
  }
  let type = declared;
  const have = byteSize(t);
  // One open dimension (the first) takes its size from the bytes available.
  if (declared.kind === 'array' && declared.size === null) {
    const per = byteSize(declared.elem);
    if (per === null) {
      ck.diags.error(spec.type.span, `only the first dimension of a ${word} type may be left open`);
      return declared;
    }
    if (have !== null) {
      if (have % per !== 0) {
        ck.diags.error(
          spec.span,
          `\`${exprText(spec.target)}\` is ${have} bytes, which is not a whole number of ${typeName(declared.elem)} (${per} bytes each)`,
        );
        return declared;
      }
      type = { ...declared, size: have / per };
    }
  } else if (have !== null) {
    const want = byteSize(declared)!;
    if (want !== have) {
      ck.diags.error(
        spec.span,
        `${word} needs the same size: \`${spec.name.name}\` is ${want} bytes but \`${exprText(spec.target)}\` is ${have}`,
      );
      return declared;
    }
  }
  if (spec.reshape) {
    const base = (x: Type): Type => (x.kind === 'array' ? base(x.elem) : x);
    if (!sameType(base(declared), base(t))) {
      ck.diags.error(
        spec.span,
        `RESHAPES keeps the element type: \`${exprText(spec.target)}\` has ${typeName(base(t))} elements, not ${typeName(base(declared))}`,
      );
    }
  }
  return type;
}

export function checkPlace(ck: Checker, spec: Extract<Spec, { kind: 'place' }>, scope: Scope): void {
  const sym = scope.lookup(spec.name.name);
  if (!sym) {
    ck.diags.error(spec.name.span, `\`${spec.name.name}\` is not declared`);
    return;
  }
  if (spec.at) {
    ck.diags.error(
      spec.span,
      `\`${spec.name.name}\` cannot be PLACEd AT an address: memory is private and has no devices`,
      'use channels to talk to other processes; PLACE x IN WORKSPACE: and IN VECSPACE: are accepted as hints',
    );
  }
}

export function checkFunction(ck: Checker, def: FunctionDef, scope: Scope): void {
  const results: Type[] = [];
  for (const r of def.resultTypes) {
    const t = resolveType(ck, r, scope, true);
    if (t && !isDataType(ck, t) && !(t.kind === 'array' && t.size === null)) {
      ck.diags.error(r.span, `a FUNCTION result must be a data type, not ${typeName(t)}`);
    } else if (t && byteSize(t) === null) {
      ck.diags.error(
        r.span,
        `a FUNCTION result must have a size known when the program is compiled, not ${typeName(t)}`,
        'give each dimension a size, like [4]INT',
      );
    }
    results.push(t ?? INT);
  }
  const inner = new Scope(scope);
  const params = def.formals.map((f, index) => formal(ck, f, index, scope));
  def.formals.forEach((f, i) => {
    const p = params[i]!;
    if (!f.isVal) {
      ck.diags.error(
        f.span,
        `parameter \`${f.name.name}\` of FUNCTION ${def.name.name} must be VAL`,
        'a FUNCTION has no side effects, so all its parameters are VAL values',
      );
    }
    inner.define(p);
  });
  const sym: FunctionSymbol = {
    kind: 'function',
    name: def.name.name,
    span: def.name.span,
    def,
    params,
    results,
    outer: ck.routine,
  };
  if (def.recursive) inner.define(sym);
  const saved = { routine: ck.routine, fnLocals: ck.fnLocals };
  ck.routine = sym;
  // Its parameters are its own (and VAL, which is checked above).
  ck.fnLocals = new Set(params);
  const bodyScope = checkSpecs(ck, def.specs, inner);
  if (def.body) checkProcess(ck, def.body, bodyScope);
  checkResults(ck, def.results, results, bodyScope, def.name);
  ck.routine = saved.routine;
  ck.fnLocals = saved.fnLocals;
  def.decl = sym;
  if (isOperatorName(sym.name)) defineOperator(ck, sym, scope);
  else scope.define(sym);
}

export function checkResults(
  ck: Checker,
  values: readonly Expr[],
  types: readonly Type[],
  scope: Scope,
  name: { span: Span; name: string },
): void {
  if (values.length !== types.length && values.length > 0) {
    ck.diags.error(
      values[0]!.span,
      `FUNCTION ${name.name} gives ${types.length} result(s), but ${values.length} value(s) follow RESULT`,
    );
  }
  values.forEach((v, i) => {
    const want = types[i];
    const t = checkExpr(ck, v, scope, want);
    if (want && t && !sameType(want, t)) {
      ck.diags.error(
        v.span,
        `result ${i + 1} of FUNCTION ${name.name} is ${typeName(want)}, but this is ${typeName(t)}`,
      );
    }
  });
}

/** A declared type whose open dimensions (`[]`) take their sizes from the value's type. */
function mergeOpen(declared: Type, actual: Type): Type {
  if (declared.kind === 'array' && actual.kind === 'array') {
    const elem = mergeOpen(declared.elem, actual.elem);
    return { ...declared, size: declared.size ?? actual.size, elem };
  }
  return declared;
}
