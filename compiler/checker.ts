// The checker: resolves every name to its symbol, computes the type of every expression, folds constant
// expressions, and enforces occam's typing rules. It reports problems as diagnostics and never throws on bad
// input; the code generator runs only on a program that checked without errors.

import type {
  AltProcess,
  Alternative,
  ProtocolItemNode,
  ProtocolNode,
  VariantInput,
  Choice,
  Expr,
  Formal,
  IfProcess,
  NameExpr,
  Process,
  ProcDef,
  Program,
  Replicator,
  Spec,
  TypeNode,
  FunctionDef,
} from './ast.js';
import type { Diagnostics, SourceFile, Span } from './source.js';
import type { AbbrevSymbol, ConstSymbol, FunctionSymbol, ParamSymbol, ProcSymbol, ProtocolSymbol, Routine, Symbol, VarSymbol } from './symbols.js';
import { ANY_PROTOCOL, BOOL, BYTE, byteSize, INT, isIntegerType, isPrim, prim, sameType, type ProtocolDef, type ProtocolItem, type Type, typeName } from './types.js';
import { foldRealConversion, foldRealDyadic, isRealType, realBytes, realLiteralValue } from './numeric.js';

export type HostRole = 'keyboard' | 'screen' | 'error';

export interface CheckedProgram {
  readonly program: Program;
  /** Every PROC, in definition order. */
  readonly procs: readonly ProcSymbol[];
  /** The program's entry point: the last PROC in the file. */
  readonly main: ProcSymbol;
  /** What each of main's parameters is connected to. */
  readonly mainRoles: readonly HostRole[];
}

/** Types the code generator can handle today. */
const SUPPORTED_PRIMS = new Set(['INT', 'BYTE', 'BOOL', 'INT16', 'INT32', 'INT64', 'REAL32', 'REAL64']);

const MOST_POS_INT = 0x7fffffffn;

/** Each process of a replicated PAR gets its own copy of the code, so the count is bounded. */
const MAX_REPLICATED_PAR = 1024;
const MOST_NEG_INT = -0x80000000n;

class Scope {
  private readonly names = new Map<string, Symbol>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Symbol | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  define(sym: Symbol): void {
    this.names.set(sym.name, sym);
  }
}

export function check(program: Program, diags: Diagnostics): CheckedProgram | null {
  return new Checker(diags).checkProgram(program);
}

class Checker {
  private readonly procs: ProcSymbol[] = [];
  /** The PROC or FUNCTION whose body is being checked (null at the outermost level). */
  private routine: Routine | null = null;
  /** While checking a FUNCTION's value process: the names declared inside it, which it may change. */
  private fnLocals: Set<Symbol> | null = null;
  /** Names mentioned anywhere, and names declared inside bodies, for the "never used" warnings. */
  private readonly used = new Set<Symbol>();
  private readonly declared: Symbol[] = [];

  constructor(private readonly diags: Diagnostics) {}

  checkProgram(program: Program): CheckedProgram | null {
    const top = new Scope(null);
    for (const spec of program.specs) {
      if (spec.kind === 'decl') {
        this.diags.error(
          spec.span,
          'variables, channels and timers cannot be declared at the outermost level',
          'declare them inside a PROC',
        );
        continue;
      }
      this.checkSpec(spec, top);
    }
    this.warnUnused(program.span.file);
    const main = this.procs[this.procs.length - 1];
    if (!main) {
      const span = program.span;
      this.diags.error(span, 'the program has no PROC to run', 'the last PROC in the file is the program');
      return null;
    }
    const roles = this.mainRoles(main);
    if (this.diags.errorCount > 0 || !roles) return null;
    return { program, procs: this.procs, main, mainRoles: roles };
  }

  // ------------------------------------------------------------------------------------------------ entry point

  private mainRoles(main: ProcSymbol): HostRole[] | null {
    const formals = main.def.formals;
    if (formals.length > 3) {
      this.diags.error(
        main.def.name.span,
        `the program's PROC \`${main.name}\` has ${formals.length} parameters; it may have at most 3`,
        'write PROC main (CHAN BYTE kyb?, scr!, err!)',
      );
      return null;
    }
    let ok = true;
    for (const p of main.params) {
      if (p.type.kind !== 'chan' || !isPrim(p.type.protocol, 'BYTE')) {
        this.diags.error(
          p.span,
          `parameter \`${p.name}\` of the program's PROC must be a CHAN BYTE (keyboard, screen or error)`,
          'write PROC main (CHAN BYTE kyb?, scr!, err!)',
        );
        ok = false;
      }
    }
    if (!ok) return null;
    if (formals.length === 3) return ['keyboard', 'screen', 'error'];
    const roles: HostRole[] = [];
    for (const p of main.params) {
      const n = p.name.toLowerCase();
      let role: HostRole;
      if (n.includes('err')) role = 'error';
      else if (p.direction === '?' || n.startsWith('kyb') || n.startsWith('key') || (n.includes('in') && !n.startsWith('scr'))) {
        role = 'keyboard';
      } else role = 'screen';
      if (roles.includes(role)) {
        this.diags.error(p.span, `two parameters of the program's PROC are both the ${role} channel`);
        return null;
      }
      roles.push(role);
    }
    return roles;
  }

  // ------------------------------------------------------------------------------------------------ specifications

  private checkSpecs(specs: readonly Spec[], scope: Scope): Scope {
    const inner = new Scope(scope);
    for (const s of specs) this.checkSpec(s, inner);
    return inner;
  }

  private checkSpec(spec: Spec, scope: Scope): void {
    switch (spec.kind) {
      case 'decl': {
        const type = this.resolveType(spec.type, scope, false);
        const decls: VarSymbol[] = [];
        for (const n of spec.names) {
          const sym: VarSymbol = { kind: 'var', name: n.name, span: n.span, type: type ?? INT, readOnly: false };
          this.declare(scope, sym);
          decls.push(sym);
        }
        spec.decls = decls;
        return;
      }
      case 'abbrev':
        this.checkAbbrev(spec, scope);
        return;
      case 'initial':
        this.checkInitial(spec, scope);
        return;
      case 'retypes':
        this.checkRetypes(spec, scope);
        return;
      case 'datatype': {
        const t = this.resolveType(spec.type, scope, false);
        if (t && t.kind !== 'prim' && t.kind !== 'array') {
          this.diags.error(spec.type.span, 'a DATA TYPE must be a data type (not a channel or timer)');
        } else if (t) {
          scope.define({ kind: 'type', name: spec.name.name, span: spec.name.span, type: { ...t, alias: spec.name.name } });
        }
        return;
      }
      case 'place':
        this.checkPlace(spec, scope);
        return;
      case 'function':
        this.checkFunction(spec, scope);
        return;
      case 'val': {
        const declared = spec.type ? this.resolveType(spec.type, scope, true) : null;
        const t = this.checkExpr(spec.value, scope, declared ?? undefined);
        if (declared && t && !sameType(declared, t)) {
          this.diags.error(spec.value.span, `this value is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`);
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
        this.declare(scope, sym);
        return;
      }
      case 'proc':
        this.checkProc(spec, scope);
        return;
      case 'protocol':
        this.checkProtocolDef(spec, scope);
        return;
      default:
        return;
    }
  }

  private checkProc(def: ProcDef, scope: Scope): void {
    const inner = new Scope(scope);
    const params: ParamSymbol[] = def.formals.map((f, index) => this.formal(f, index, scope));
    for (const p of params) inner.define(p);
    const sym: ProcSymbol = { kind: 'proc', name: def.name.name, span: def.name.span, def, params, outer: this.routine };
    const saved = { routine: this.routine, fnLocals: this.fnLocals };
    this.routine = sym;
    // A PROC defined inside a FUNCTION may do anything with its own names; calling it is checked at the call.
    this.fnLocals = null;
    this.checkProcess(def.body, inner);
    this.routine = saved.routine;
    this.fnLocals = saved.fnLocals;
    def.decl = sym;
    scope.define(sym);
    this.procs.push(sym);
  }

  private formal(f: Formal, index: number, scope: Scope): ParamSymbol {
    const type = this.resolveType(f.type, scope, true) ?? INT;
    if (f.isVal && (type.kind === 'chan' || type.kind === 'timer')) {
      this.diags.error(f.span, 'a channel or timer parameter cannot be VAL');
    }
    if (f.direction && type.kind !== 'chan' && !isChanArray(type)) {
      this.diags.error(f.span, `\`${f.name.name}${f.direction}\`: only channels take a direction`);
    }
    // VAL scalars travel by value; everything else (variables, channels) as an address.
    // Two-word VAL scalars (INT64, REAL64) travel as the address of the value, as occ21 passes them.
    const byRef = !(f.isVal && type.kind === 'prim' && (byteSize(type) ?? 4) <= 4) && type.kind !== 'chan' && type.kind !== 'timer';
    if (f.isResult && f.isVal) this.diags.error(f.span, 'a parameter cannot be both VAL and RESULT');
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

  private resolveType(node: TypeNode, scope: Scope, allowOpen: boolean): Type | null {
    switch (node.kind) {
      case 'prim':
        if (!SUPPORTED_PRIMS.has(node.name)) {
          this.diags.error(node.span, `type ${node.name} is not supported yet`);
          return null;
        }
        return prim(node.name);
      case 'array': {
        const elem = this.resolveType(node.elem, scope, allowOpen);
        if (!elem) return null;
        if (node.size === null) {
          if (!allowOpen) this.diags.error(node.span, 'an array declaration needs a size', 'write [10]INT a:');
          return { kind: 'array', size: null, elem };
        }
        this.checkExpr(node.size, scope, INT);
        const n = node.size.constValue;
        if (n === undefined) {
          this.diags.error(node.size.span, 'an array size must be a constant', 'use a literal or a VAL constant');
          return null;
        }
        if (n < 0n || n > 0x1000000n) {
          this.diags.error(node.size.span, `array size ${n} is out of range`);
          return null;
        }
        if (elem.kind !== 'prim' && elem.kind !== 'chan' && elem.kind !== 'array') {
          this.diags.error(node.span, 'arrays of timers are not supported yet');
        }
        return { kind: 'array', size: Number(n), elem };
      }
      case 'chan': {
        const t = this.resolveProtocol(node.protocol, scope);
        return t ? { kind: 'chan', protocol: t } : null;
      }
      case 'timer':
        return { kind: 'timer' };
      case 'named': {
        const sym = scope.lookup(node.name);
        if (sym?.kind === 'type') return sym.type;
        if (sym && sym.kind === 'protocol') {
          this.diags.error(node.span, `\`${node.name}\` is a PROTOCOL, not a data type`, `a channel of it is written CHAN OF ${node.name}`);
          return null;
        }
        this.diags.error(node.span, `unknown type \`${node.name}\``);
        return null;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ declarations

  /** Define a name declared in a body; it is then watched for "never used" and, inside a FUNCTION, may change. */
  private declare(scope: Scope, sym: Symbol): void {
    scope.define(sym);
    if (this.routine) this.declared.push(sym);
    this.fnLocals?.add(sym);
  }

  private warnUnused(main: SourceFile): void {
    // With errors to fix, "never used" is noise (and often a consequence of them).
    if (this.diags.errorCount > 0) return;
    for (const sym of this.declared) {
      // Only the program's own file: names in included library code are not the user's to tidy.
      if (this.used.has(sym) || sym.span.file !== main) continue;
      if (sym.kind === 'var' || sym.kind === 'const' || sym.kind === 'abbrev') {
        this.diags.warning(sym.span, `\`${sym.name}\` is declared but never used`);
      }
    }
  }

  /** `[T] x IS element:` and `RESULT T x IS element:`: another name for a variable, element, segment or channel. */
  private checkAbbrev(spec: Extract<Spec, { kind: 'abbrev' }>, scope: Scope): void {
    const declared = spec.type ? this.resolveType(spec.type, scope, true) : null;
    const t = this.checkExpr(spec.target, scope, declared ?? undefined);
    const root = rootName(spec.target);
    if (!root) {
      this.diags.error(
        spec.target.span,
        `\`${exprText(spec.target)}\` is not a variable, so \`${spec.name.name}\` cannot abbreviate it`,
        `to name a value, write VAL ${spec.type ? exprText(spec.type as unknown as Expr) : 'INT'} ${spec.name.name} IS ...:`,
      );
    } else if (t && t.kind !== 'chan' && t.kind !== 'timer') {
      const sym = root.decl;
      if (sym && (sym.kind === 'const' || (sym.kind === 'abbrev' && sym.isVal) || (sym.kind === 'param' && sym.isVal))) {
        this.diags.error(spec.target.span, `\`${root.name}\` is a constant (VAL), so it needs a VAL abbreviation`, `write VAL ... ${spec.name.name} IS ${exprText(spec.target)}:`);
      } else if (sym && sym.kind === 'var' && sym.readOnly) {
        this.diags.error(spec.target.span, `\`${root.name}\` is a replicator index, so it needs a VAL abbreviation`);
      } else if (this.fnLocals && sym && !this.fnLocals.has(sym)) {
        this.diags.error(spec.target.span, `a FUNCTION cannot abbreviate \`${root.name}\`, which is declared outside it, except with VAL`);
      }
    }
    if (declared && t && !sameType(declared, t)) {
      this.diags.error(spec.target.span, `\`${exprText(spec.target)}\` is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`);
    }
    const type = declared && t ? mergeOpen(declared, t) : (declared ?? t ?? INT);
    const sym: AbbrevSymbol = { kind: 'abbrev', name: spec.name.name, span: spec.name.span, type, isVal: false, target: spec.target };
    spec.decl = sym;
    this.declare(scope, sym);
  }

  /** `INITIAL T x IS e:` declares an ordinary variable and gives it a first value. */
  private checkInitial(spec: Extract<Spec, { kind: 'initial' }>, scope: Scope): void {
    const declared = this.resolveType(spec.type, scope, true);
    const t = this.checkExpr(spec.value, scope, declared ?? undefined);
    if (declared && t && !sameType(declared, t)) {
      this.diags.error(spec.value.span, `this value is ${typeName(t)} but \`${spec.name.name}\` is declared ${typeName(declared)}`);
    }
    const type = declared && t ? mergeOpen(declared, t) : (declared ?? INT);
    if (type.kind === 'array' && type.size === null) {
      this.diags.error(spec.type.span, 'the size of an INITIAL array must be known when it is compiled');
    }
    const sym: VarSymbol = { kind: 'var', name: spec.name.name, span: spec.name.span, type, readOnly: false };
    spec.decl = sym;
    this.declare(scope, sym);
  }

  /** `T x RETYPES e:` and `RESHAPES`: the new type must occupy exactly the bytes of `e`. */
  private checkRetypes(spec: Extract<Spec, { kind: 'retypes' }>, scope: Scope): void {
    const word = spec.reshape ? 'RESHAPES' : 'RETYPES';
    const declared = this.resolveType(spec.type, scope, true);
    const t = spec.isVal ? this.checkExpr(spec.target, scope) : this.checkWritable(spec.target, scope, `${word}`);
    const type = declared ? this.retypedType(spec, declared, t, word) : INT;
    const sym: AbbrevSymbol = { kind: 'abbrev', name: spec.name.name, span: spec.name.span, type, isVal: spec.isVal, target: spec.target };
    spec.decl = sym;
    this.declare(scope, sym);
  }

  /** The type a RETYPES / RESHAPES gives its name, with its open dimension sized (reports size mismatches). */
  private retypedType(spec: Extract<Spec, { kind: 'retypes' }>, declared: Type, t: Type | null, word: string): Type {
    if (!t) return declared;
    if (declared.kind === 'chan' || declared.kind === 'timer' || t.kind === 'chan' || t.kind === 'timer') {
      this.diags.error(spec.span, `${word} works on data, not on channels or timers`);
      return declared;
    }
    let type = declared;
    const have = byteSize(t);
    // One open dimension (the first) takes its size from the bytes available.
    if (declared.kind === 'array' && declared.size === null) {
      const per = byteSize(declared.elem);
      if (per === null) {
        this.diags.error(spec.type.span, `only the first dimension of a ${word} type may be left open`);
        return declared;
      }
      if (have !== null) {
        if (have % per !== 0) {
          this.diags.error(spec.span, `\`${exprText(spec.target)}\` is ${have} bytes, which is not a whole number of ${typeName(declared.elem)} (${per} bytes each)`);
          return declared;
        }
        type = { ...declared, size: have / per };
      }
    } else if (have !== null) {
      const want = byteSize(declared)!;
      if (want !== have) {
        this.diags.error(
          spec.span,
          `${word} needs the same size: \`${spec.name.name}\` is ${want} bytes but \`${exprText(spec.target)}\` is ${have}`,
        );
        return declared;
      }
    }
    if (spec.reshape) {
      const base = (x: Type): Type => (x.kind === 'array' ? base(x.elem) : x);
      if (!sameType(base(declared), base(t))) {
        this.diags.error(spec.span, `RESHAPES keeps the element type: \`${exprText(spec.target)}\` has ${typeName(base(t))} elements, not ${typeName(base(declared))}`);
      }
    }
    return type;
  }

  private checkPlace(spec: Extract<Spec, { kind: 'place' }>, scope: Scope): void {
    const sym = scope.lookup(spec.name.name);
    if (!sym) {
      this.diags.error(spec.name.span, `\`${spec.name.name}\` is not declared`);
      return;
    }
    if (spec.at) {
      this.diags.error(
        spec.span,
        `\`${spec.name.name}\` cannot be PLACEd AT an address: memory is private and has no devices`,
        'use channels to talk to other processes; PLACE x IN WORKSPACE: and IN VECSPACE: are accepted as hints',
      );
    }
  }

  // ------------------------------------------------------------------------------------------------ FUNCTIONs

  private checkFunction(def: FunctionDef, scope: Scope): void {
    const results: Type[] = [];
    for (const r of def.resultTypes) {
      const t = this.resolveType(r, scope, false);
      if (t && t.kind !== 'prim') {
        this.diags.error(r.span, `a FUNCTION result must be a scalar type, not ${typeName(t)}`, 'return arrays through a PROC with a RESULT parameter');
      }
      results.push(t ?? INT);
    }
    if (results.length > 1 && results.some((t) => isPrim(t, 'INT64', 'REAL64'))) {
      this.diags.error(
        def.name.span,
        `FUNCTION ${def.name.name} has several results and one of them is INT64 or REAL64; occmesh returns a two-word result only on its own`,
        'return it from a FUNCTION of its own, or through a PROC with a RESULT parameter',
      );
    }
    if (results.length > 3) {
      this.diags.error(
        def.resultTypes[3]!.span,
        `FUNCTION ${def.name.name} has ${results.length} results; occmesh returns at most 3 (in registers A, B and C)`,
        'return the others through a PROC with RESULT parameters',
      );
    }
    const inner = new Scope(scope);
    const params = def.formals.map((f, index) => this.formal(f, index, scope));
    def.formals.forEach((f, i) => {
      const p = params[i]!;
      if (!f.isVal) {
        this.diags.error(
          f.span,
          `parameter \`${f.name.name}\` of FUNCTION ${def.name.name} must be VAL`,
          'a FUNCTION has no side effects, so all its parameters are VAL values',
        );
      }
      inner.define(p);
    });
    const sym: FunctionSymbol = { kind: 'function', name: def.name.name, span: def.name.span, def, params, results, outer: this.routine };
    const saved = { routine: this.routine, fnLocals: this.fnLocals };
    this.routine = sym;
    // Its parameters are its own (and VAL, which is checked above).
    this.fnLocals = new Set(params);
    const bodyScope = this.checkSpecs(def.specs, inner);
    if (def.body) this.checkProcess(def.body, bodyScope);
    this.checkResults(def.results, results, bodyScope, def.name);
    this.routine = saved.routine;
    this.fnLocals = saved.fnLocals;
    def.decl = sym;
    scope.define(sym);
  }

  private checkResults(values: readonly Expr[], types: readonly Type[], scope: Scope, name: { span: Span; name: string }): void {
    if (values.length !== types.length && values.length > 0) {
      this.diags.error(
        values[0]!.span,
        `FUNCTION ${name.name} gives ${types.length} result(s), but ${values.length} value(s) follow RESULT`,
      );
    }
    values.forEach((v, i) => {
      const want = types[i];
      const t = this.checkExpr(v, scope, want);
      if (want && t && !sameType(want, t)) {
        this.diags.error(v.span, `result ${i + 1} of FUNCTION ${name.name} is ${typeName(want)}, but this is ${typeName(t)}`);
      }
    });
  }

  /** Check a FUNCTION call's arguments; returns its result types. */
  private callResults(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Type[] | null {
    const sym = scope.lookup(e.callee.name);
    if (!sym || sym.kind !== 'function') {
      for (const a of e.args) this.checkExpr(a, scope);
      if (!sym) this.diags.error(e.callee.span, `\`${e.callee.name}\` is not defined`, 'a FUNCTION must be defined before it is used');
      else this.diags.error(e.callee.span, `\`${e.callee.name}\` is not a FUNCTION`);
      return null;
    }
    this.used.add(sym);
    callees.set(e, sym);
    if (e.args.length !== sym.params.length) {
      this.diags.error(e.span, `\`${sym.name}\` takes ${sym.params.length} parameter(s) but is given ${e.args.length}`, undefined, [
        { span: sym.span, message: `\`${sym.name}\` is defined here` },
      ]);
    }
    e.args.forEach((arg, i) => {
      const param = sym.params[i];
      const t = this.checkExpr(arg, scope, param?.type);
      if (param && t && !sameType(t, param.type)) {
        this.diags.error(arg.span, `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`);
      }
    });
    return [...sym.results];
  }

  /** Communication, PAR, ALT and timer waits are side effects: not allowed in a FUNCTION, and noted for PROCs. */
  private noteEffects(p: Process): void {
    const what =
      p.kind === 'input' ? 'input' : p.kind === 'output' ? 'output' : p.kind === 'par' ? 'PAR' : p.kind === 'alt' ? 'ALT' : p.kind === 'delay' ? 'a timer wait' : null;
    if (!what) return;
    if (this.fnLocals) {
      this.diags.error(p.span, `a FUNCTION cannot contain ${what}`, 'a FUNCTION has no side effects: it only computes its RESULT');
    }
    if (this.routine?.kind === 'proc') this.routine.effects = true;
  }

  // ------------------------------------------------------------------------------------------------ array values

  private sliceType(e: Extract<Expr, { kind: 'slice' }>, scope: Scope): Type | null {
    const bt = this.checkExpr(e.base, scope);
    if (e.start) this.expectType(e.start, scope, INT, 'the start of a segment');
    if (e.count) this.expectType(e.count, scope, INT, 'the length of a segment');
    if (!bt) return null;
    if (bt.kind !== 'array') {
      this.diags.error(e.base.span, `\`${exprText(e.base)}\` is not an array, so it has no segments`);
      return null;
    }
    const start = e.start ? e.start.constValue : 0n;
    const count = e.count ? e.count.constValue : bt.size !== null && start !== undefined ? BigInt(bt.size) - start : undefined;
    const n = bt.size;
    if (start !== undefined && (start < 0n || (n !== null && start > BigInt(n)))) {
      this.diags.error(e.start!.span, `the segment starts at ${start}, outside \`${exprText(e.base)}\` (${n ?? '?'} elements)`);
      return null;
    }
    if (count !== undefined && count < 0n) {
      this.diags.error(e.span, `the segment has a negative length (${count})`);
      return null;
    }
    if (start !== undefined && count !== undefined && n !== null && start + count > BigInt(n)) {
      this.diags.error(e.span, `the segment [${start} FOR ${count}] runs past the end of \`${exprText(e.base)}\`, which has ${n} elements`);
      return null;
    }
    return { kind: 'array', size: count === undefined ? null : Number(count), elem: bt.elem };
  }

  private tableType(e: Extract<Expr, { kind: 'table' }>, scope: Scope, expected?: Type): Type | null {
    const want = expected && expected.kind === 'array' ? expected.elem : undefined;
    let elem: Type | null = null;
    let ok = true;
    for (const x of e.elems) {
      const t = this.checkExpr(x, scope, elem ?? want);
      if (!t) {
        ok = false;
        continue;
      }
      if (t.kind === 'chan' || t.kind === 'timer') {
        this.diags.error(x.span, 'a table holds data values, not channels or timers');
        return null;
      }
      if (!elem) elem = t;
      else if (!sameType(elem, t)) {
        this.diags.error(x.span, `the elements of a table must all have one type: this is ${typeName(t)}, the first is ${typeName(elem)}`);
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

  private constructorType(e: Extract<Expr, { kind: 'constructor' }>, scope: Scope, expected?: Type): Type | null {
    this.expectType(e.base, scope, INT, 'the start of an array constructor');
    this.expectType(e.count, scope, INT, 'the count of an array constructor');
    const n = e.count.constValue;
    if (n === undefined) {
      this.diags.error(e.count.span, 'the count of an array constructor must be a constant', 'write [i = 0 FOR 10 | ...]');
      return null;
    }
    if (n < 0n) {
      this.diags.error(e.count.span, `the count of an array constructor is negative (${n})`);
      return null;
    }
    const inner = new Scope(scope);
    const sym: VarSymbol = { kind: 'var', name: e.index.name, span: e.index.span, type: INT, readOnly: true };
    e.decl = sym;
    inner.define(sym);
    this.used.add(sym);
    const t = this.checkExpr(e.value, inner, expected && expected.kind === 'array' ? expected.elem : undefined);
    if (!t) return null;
    return { kind: 'array', size: Number(n), elem: t };
  }

  // ------------------------------------------------------------------------------------------------ processes

  private checkProcess(p: Process, scope: Scope): void {
    this.noteEffects(p);
    switch (p.kind) {
      case 'skip':
      case 'stop':
        return;
      case 'assign':
        this.checkAssign(p.targets, p.values, scope, p.span);
        return;
      case 'output':
        this.checkOutput(p.channel, p.items, scope);
        return;
      case 'input':
        this.checkInput(p.channel, p.items, scope);
        return;
      case 'seq':
      case 'par': {
        if (p.kind === 'par') this.checkParShape(p);
        const inner = p.repl ? this.checkReplicator(p.repl, scope) : scope;
        if (p.kind === 'par' && p.repl && p.repl.count.type && p.repl.count.constValue === undefined) {
          this.diags.error(p.repl.count.span, 'the count of a replicated PAR must be a constant', 'use a literal or a VAL constant, e.g. PAR i = 0 FOR n with VAL INT n IS 4:');
        } else if (p.kind === 'par' && p.repl && (p.repl.count.constValue ?? 0n) > BigInt(MAX_REPLICATED_PAR)) {
          this.diags.error(p.repl.count.span, `a replicated PAR may start at most ${MAX_REPLICATED_PAR} processes`);
        }
        for (const c of p.body) this.checkProcess(c, inner);
        return;
      }
      case 'if':
        this.checkIf(p, scope);
        return;
      case 'while':
        this.checkCondition(p.cond, scope);
        this.checkProcess(p.body, scope);
        return;
      case 'pcall':
        this.checkCall(p, scope);
        return;
      case 'scope':
        this.checkProcess(p.body, this.checkSpecs(p.specs, scope));
        return;
      case 'case':
        this.checkCase(p, scope);
        return;
      case 'alt':
        this.checkAlt(p, scope);
        return;
      case 'delay':
        this.checkTimer(p.timer, scope);
        this.expectType(p.after, scope, INT, 'the time after AFTER');
        return;
      case 'caseinput':
        this.checkCaseInput(p.channel, p.variants, scope);
        return;
      case 'placed':
      case 'processor':
        this.checkPlaced(p, scope, false);
        return;
    }
  }

  /** PLACED PAR and its PROCESSOR clauses; where they may appear and what runs where is compiler/placement.ts. */
  private checkPlaced(p: Extract<Process, { kind: 'placed' | 'processor' }>, scope: Scope, inPlaced: boolean): void {
    if (p.kind === 'processor') {
      if (!inPlaced) {
        this.diags.error(p.span, 'PROCESSOR can only appear directly under PLACED PAR', 'write PLACED PAR, then each PROCESSOR x, y clause indented under it');
      }
      this.expectType(p.x, scope, INT, 'a processor coordinate');
      this.expectType(p.y, scope, INT, 'a processor coordinate');
      this.checkProcess(p.body, scope);
      return;
    }
    const inner = p.repl ? this.checkReplicator(p.repl, scope) : scope;
    for (const branch of p.branches) {
      // Specifications may stand in front of a PROCESSOR clause (`VAL INT x IS i \ 4:`).
      let b = branch;
      let bs = inner;
      while (b.kind === 'scope') {
        bs = this.checkSpecs(b.specs, bs);
        b = b.body;
      }
      if (b.kind === 'processor' || b.kind === 'placed') this.checkPlaced(b, bs, true);
      else {
        this.diags.error(b.span, 'each branch of a PLACED PAR is a PROCESSOR clause', 'write PROCESSOR x, y and indent the process under it');
      }
    }
  }

  private checkIf(p: IfProcess, scope: Scope): void {
    const inner = p.repl ? this.checkReplicator(p.repl, scope) : scope;
    for (const c of p.choices) {
      if ('kind' in c && c.kind === 'if') this.checkIf(c, inner);
      else {
        const choice = c as Choice;
        const s = this.checkSpecs(choice.specs, inner);
        this.checkCondition(choice.guard, s);
        this.checkProcess(choice.body, s);
      }
    }
  }

  private checkReplicator(r: Replicator, scope: Scope): Scope {
    this.expectType(r.base, scope, INT, 'the replicator start');
    this.expectType(r.count, scope, INT, 'the replicator count');
    if (r.count.constValue !== undefined && r.count.constValue < 0n) {
      this.diags.error(r.count.span, `the replicator count is negative (${r.count.constValue})`);
    }
    const inner = new Scope(scope);
    const sym: VarSymbol = { kind: 'var', name: r.index.name, span: r.index.span, type: INT, readOnly: true };
    r.decl = sym;
    inner.define(sym);
    return inner;
  }

  private checkCondition(e: Expr, scope: Scope): void {
    this.expectType(e, scope, BOOL, 'a condition');
  }

  private expectType(e: Expr, scope: Scope, want: Type, what: string): void {
    const t = this.checkExpr(e, scope, want);
    if (t && !sameType(t, want)) {
      this.diags.error(e.span, `${what} must be ${typeName(want)}, but this is ${typeName(t)}`);
    }
  }

  private checkAssign(targets: readonly Expr[], values: readonly Expr[], scope: Scope, span: Span): void {
    const only = values.length === 1 ? values[0]! : null;
    if (only && only.kind === 'call' && targets.length > 1) {
      const types = this.callResults(only, scope);
      if (!types) return;
      if (types.length !== targets.length) {
        this.diags.error(span, `\`${only.callee.name}\` gives ${types.length} result(s) but ${targets.length} variables are assigned`);
        return;
      }
      targets.forEach((target, i) => {
        const tt = this.checkWritable(target, scope, 'assign to');
        if (tt && !sameType(tt, types[i]!)) {
          this.diags.error(target.span, `result ${i + 1} of \`${only.callee.name}\` is ${typeName(types[i]!)}, but \`${exprText(target)}\` is ${typeName(tt)}`);
        }
      });
      return;
    }
    if (targets.length !== values.length) {
      this.diags.error(span, `${targets.length} variable(s) on the left of := but ${values.length} value(s) on the right`);
      return;
    }
    targets.forEach((target, i) => {
      const tt = this.checkWritable(target, scope, 'assign to');
      const value = values[i]!;
      const vt = this.checkExpr(value, scope, tt ?? undefined);
      if (tt && vt && !sameType(tt, vt)) {
        this.diags.error(value.span, `cannot assign a ${typeName(vt)} value to \`${exprText(target)}\`, which is ${typeName(tt)}`);
      }
    });
  }

  /** Check an element that will be written; returns its type. */
  private checkWritable(e: Expr, scope: Scope, verb: string): Type | null {
    const t = this.checkExpr(e, scope);
    const root = rootName(e);
    if (!root) {
      this.diags.error(e.span, `cannot ${verb} \`${exprText(e)}\`: it is not a variable`);
      return null;
    }
    const sym = root.decl;
    if (!sym) return t;
    if (sym.kind === 'const' || (sym.kind === 'abbrev' && sym.isVal) || (sym.kind === 'param' && sym.isVal)) {
      this.diags.error(e.span, `cannot ${verb} \`${root.name}\`: it is a constant (VAL)`);
      return null;
    }
    if (sym.kind === 'var' && sym.readOnly) {
      this.diags.error(e.span, `cannot ${verb} \`${root.name}\`: a replicator index is read-only`);
      return null;
    }
    if (this.fnLocals && !this.fnLocals.has(sym)) {
      this.diags.error(
        e.span,
        `a FUNCTION cannot change \`${root.name}\`, which is declared outside it`,
        'a FUNCTION has no side effects: it may change only names declared inside its VALOF',
      );
      return null;
    }
    if (t && (t.kind === 'chan' || t.kind === 'timer')) {
      this.diags.error(e.span, `cannot ${verb} \`${root.name}\`: it is a ${t.kind === 'chan' ? 'channel' : 'timer'}`);
      return null;
    }
    return t;
  }

  private checkChannel(e: Expr, scope: Scope, dir: '?' | '!'): Type | null {
    const t = this.checkExpr(e, scope);
    if (!t) return null;
    if (t.kind === 'timer') {
      if (dir === '!') this.diags.error(e.span, 'cannot output to a timer');
      return t;
    }
    if (t.kind !== 'chan') {
      this.diags.error(e.span, `\`${exprText(e)}\` is not a channel`);
      return null;
    }
    const root = rootName(e);
    const sym = root?.decl;
    if (sym && sym.kind === 'param' && sym.direction && sym.direction !== dir) {
      const verb = dir === '!' ? 'output to' : 'input from';
      this.diags.error(
        e.span,
        `cannot ${verb} \`${root!.name}\`: it is declared as the ${sym.direction === '?' ? 'input (?)' : 'output (!)'} end`,
      );
    }
    return t.protocol;
  }

  private checkOutput(chan: Expr, items: readonly Expr[], scope: Scope): void {
    const proto = this.checkChannel(chan, scope, '!');
    if (proto && proto.kind === 'timer') return;
    if (proto && proto.kind === 'protocol') {
      this.checkProtocolOutput(chan, proto.def, items, scope);
      return;
    }
    if (proto && items.length !== 1) {
      this.diags.error(chan.span, `channel \`${exprText(chan)}\` carries one ${typeName(proto)} per message, not ${items.length} items`);
    }
    for (const item of items) {
      const t = this.checkExpr(item, scope, proto ?? undefined);
      if (proto && t && !sameType(proto, t)) {
        this.diags.error(item.span, `channel \`${exprText(chan)}\` carries ${typeName(proto)}, but this is ${typeName(t)}`);
      }
    }
  }

  private checkInput(chan: Expr, items: readonly Expr[], scope: Scope): void {
    const proto = this.checkChannel(chan, scope, '?');
    if (proto && proto.kind === 'timer') {
      if (items.length !== 1) this.diags.error(chan.span, 'a timer input reads the time into one INT variable');
      for (const item of items) {
        const t = this.checkWritable(item, scope, 'input to');
        if (t && !sameType(t, INT)) this.diags.error(item.span, `a timer gives an INT, but \`${exprText(item)}\` is ${typeName(t)}`);
      }
      return;
    }
    if (proto && proto.kind === 'protocol') {
      this.checkProtocolInput(chan, proto.def, items, scope);
      return;
    }
    if (proto && items.length !== 1) {
      this.diags.error(chan.span, `channel \`${exprText(chan)}\` carries one ${typeName(proto)} per message, not ${items.length} items`);
    }
    for (const item of items) {
      const t = this.checkWritable(item, scope, 'input to');
      if (proto && t && !sameType(proto, t)) {
        this.diags.error(item.span, `channel \`${exprText(chan)}\` carries ${typeName(proto)}, but \`${exprText(item)}\` is ${typeName(t)}`);
      }
    }
  }

  private checkCall(p: Extract<Process, { kind: 'pcall' }>, scope: Scope): void {
    const sym = scope.lookup(p.callee.name);
    if (!sym) {
      this.diags.error(p.callee.span, `\`${p.callee.name}\` is not defined`, 'a PROC must be defined before it is called');
      for (const a of p.args) this.checkExpr(a, scope);
      return;
    }
    if (sym.kind !== 'proc') {
      this.diags.error(p.callee.span, `\`${p.callee.name}\` is not a PROC`);
      return;
    }
    this.used.add(sym);
    p.decl = sym;
    if (sym.effects) {
      if (this.fnLocals) {
        this.diags.error(
          p.callee.span,
          `a FUNCTION cannot call \`${sym.name}\`, which communicates or runs processes in parallel`,
          'a FUNCTION has no side effects',
        );
      }
      if (this.routine?.kind === 'proc') this.routine.effects = true;
    }
    if (p.args.length !== sym.params.length) {
      this.diags.error(
        p.span,
        `\`${sym.name}\` takes ${sym.params.length} parameter(s) but is given ${p.args.length}`,
        undefined,
        [{ span: sym.span, message: `\`${sym.name}\` is defined here` }],
      );
    }
    p.args.forEach((arg, i) => {
      const param = sym.params[i];
      if (!param) {
        this.checkExpr(arg, scope);
        return;
      }
      if (param.type.kind === 'timer') {
        const t = this.checkExpr(arg, scope);
        if (t && t.kind !== 'timer') this.diags.error(arg.span, `parameter \`${param.name}\` of \`${sym.name}\` is a TIMER, but this is ${typeName(t)}`);
        return;
      }
      if (param.type.kind === 'chan' || isChanArray(param.type)) {
        const a = arg.kind === 'direction' ? arg.channel : arg;
        const t = this.checkExpr(arg, scope);
        if (t && !sameType(t, param.type)) {
          this.diags.error(arg.span, `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`);
        }
        if (!rootName(a)) this.diags.error(arg.span, `parameter \`${param.name}\` needs a channel`);
        if (arg.kind === 'direction' && param.direction && arg.direction !== param.direction) {
          this.diags.error(
            arg.span,
            `\`${exprText(arg)}\` is an ${arg.direction === '!' ? 'output' : 'input'} end, but parameter \`${param.name}\` of \`${sym.name}\` is the ${param.direction === '?' ? 'input (?)' : 'output (!)'} end`,
          );
        }
        return;
      }
      if (param.byRef && !param.isVal) {
        const t = this.checkWritable(arg, scope, `pass by reference`);
        if (t && !sameType(t, param.type)) {
          this.diags.error(arg.span, `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`);
        }
        return;
      }
      const t = this.checkExpr(arg, scope, param.type);
      if (t && !sameType(t, param.type)) {
        this.diags.error(arg.span, `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`);
      }
    });
  }

  // ------------------------------------------------------------------------------------------------ expressions

  /**
   * Type-check an expression. `expected` is the type the context wants; undecorated literals take it (occam 2.1
   * literal typing). Returns null after reporting an error.
   */
  private checkExpr(e: Expr, scope: Scope, expected?: Type): Type | null {
    let t = this.exprType(e, scope, expected);
    // A table, string or constructor takes the name of the array DATA TYPE its context wants.
    if (t && t.kind === 'array' && expected?.kind === 'array' && expected.alias && (e.kind === 'table' || e.kind === 'string' || e.kind === 'constructor')) {
      if (sameType({ ...expected, alias: undefined }, t)) t = expected;
    }
    if (t) e.type = t;
    return t;
  }

  private exprType(e: Expr, scope: Scope, expected?: Type): Type | null {
    switch (e.kind) {
      case 'int': {
        let t: Type = INT;
        if (e.decoration) t = this.resolveType(e.decoration, scope, false) ?? INT;
        else if (expected && (isIntegerType(expected) || isRealType(expected))) t = expected;
        if (!isIntegerType(t)) {
          this.diags.error(
            e.span,
            `an integer literal cannot be ${typeName(t)}`,
            isRealType(t) ? `a real literal needs a decimal point: write ${e.value}.0` : undefined,
          );
          return null;
        }
        if (e.hex && e.value >= 0n && e.value < 1n << BigInt(this.bits(t)) && !isPrim(t, 'BYTE')) {
          // A hex literal is a bit pattern for its type: #FFFF(INT16) is -1.
          e.constValue = this.wrap(e.value, t);
          return t;
        }
        if (!this.inRange(e.value, t)) {
          this.diags.error(e.span, `${e.value} does not fit in ${typeName(t)}`, t === INT ? 'MOSTNEG INT and MOSTPOS INT are the limits' : undefined);
          return null;
        }
        e.constValue = e.value;
        return t;
      }
      case 'real': {
        let t: Type | null = null;
        if (e.decoration) t = this.resolveType(e.decoration, scope, false);
        else if (expected && isRealType(expected)) t = expected;
        else {
          this.diags.error(
            e.span,
            `the real literal ${e.text} needs a type: nothing here says whether it is REAL32 or REAL64`,
            `write ${e.text}(REAL64) or ${e.text}(REAL32)`,
          );
          return null;
        }
        if (!t) return null;
        if (!isRealType(t)) {
          this.diags.error(e.span, `a real literal cannot be ${typeName(t)}`, `an integer literal has no decimal point`);
          return null;
        }
        const v = realLiteralValue(e.text, t);
        if (!Number.isFinite(v)) {
          this.diags.error(e.span, `${e.text} is too large for ${typeName(t)}`);
          return null;
        }
        e.realValue = v;
        return t;
      }
      case 'byte': {
        let t: Type = BYTE;
        if (e.decoration) t = this.resolveType(e.decoration, scope, false) ?? BYTE;
        else if (expected && isIntegerType(expected)) t = expected;
        e.constValue = BigInt(e.value);
        return t;
      }
      case 'bool':
        e.constValue = e.value ? 1n : 0n;
        return BOOL;
      case 'string':
        return { kind: 'array', size: e.bytes.length, elem: BYTE };
      case 'name':
        return this.nameType(e, scope);
      case 'subscript': {
        const bt = this.checkExpr(e.base, scope);
        this.expectType(e.index, scope, INT, 'a subscript');
        if (!bt) return null;
        if (bt.kind !== 'array') {
          this.diags.error(e.base.span, `\`${exprText(e.base)}\` is not an array`);
          return null;
        }
        const i = e.index.constValue;
        if (i !== undefined && bt.size !== null && (i < 0n || i >= BigInt(bt.size))) {
          this.diags.error(e.index.span, `subscript ${i} is out of range: \`${exprText(e.base)}\` has ${bt.size} elements`);
        }
        // Subscripts of constant tables fold, so `VAL []BYTE s IS "ab":` ... `s[0]` is a constant.
        const bytes = constBytes(e.base);
        const w = byteSize(bt.elem);
        if (i !== undefined && bytes && bt.elem.kind === 'prim' && w !== null && i >= 0n && (i + 1n) * BigInt(w) <= BigInt(bytes.length)) {
          let v = 0n;
          for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[Number(i) * w + k]!);
          e.constValue = isPrim(bt.elem, 'BYTE', 'BOOL') ? v : BigInt.asIntN(w * 8, v);
        }
        return bt.elem;
      }
      case 'size': {
        const t = this.checkExpr(e.operand, scope);
        if (!t) return null;
        if (t.kind !== 'array') {
          this.diags.error(e.operand.span, `SIZE needs an array, but \`${exprText(e.operand)}\` is ${typeName(t)}`);
          return null;
        }
        if (t.size !== null) e.constValue = BigInt(t.size);
        return INT;
      }
      case 'mostpos':
      case 'mostneg': {
        const t = this.resolveType(e.target, scope, false);
        if (!t) return null;
        if (!isIntegerType(t)) {
          this.diags.error(e.target.span, `${e.kind.toUpperCase()} needs an integer type`);
          return null;
        }
        e.constValue = e.kind === 'mostpos' ? this.limits(t).hi : this.limits(t).lo;
        return t;
      }
      case 'conversion':
        return this.conversionType(e, scope);
      case 'monadic':
        return this.monadicType(e, scope, expected);
      case 'dyadic':
        return this.dyadicType(e, scope, expected);
      case 'call': {
        const types = this.callResults(e, scope);
        if (!types) return null;
        if (types.length !== 1) {
          this.diags.error(
            e.span,
            `\`${e.callee.name}\` gives ${types.length} results, so it cannot be used inside an expression`,
            `assign its results to as many variables: a, b := ${exprText(e)}`,
          );
          return null;
        }
        return types[0]!;
      }
      case 'slice':
        return this.sliceType(e, scope);
      case 'table':
        return this.tableType(e, scope, expected);
      case 'constructor':
        return this.constructorType(e, scope, expected);
      case 'counted':
        this.diags.error(e.span, 'a counted array `n::a` can only be sent or received on a channel whose protocol has one');
        return null;
      case 'direction': {
        const t = this.checkExpr(e.channel, scope);
        if (t && t.kind !== 'chan' && !isChanArray(t)) {
          this.diags.error(e.span, `\`${exprText(e.channel)}\` is not a channel, so it takes no direction`);
          return null;
        }
        const root = rootName(e.channel);
        const sym = root?.decl;
        if (sym && sym.kind === 'param' && sym.direction && sym.direction !== e.direction) {
          this.diags.error(e.span, `\`${root!.name}\` is the ${sym.direction === '?' ? 'input' : 'output'} end, not \`${e.direction}\``);
        }
        return t;
      }
    }
  }

  private nameType(e: NameExpr, scope: Scope): Type | null {
    const sym = scope.lookup(e.name);
    if (!sym) {
      this.diags.error(e.span, `\`${e.name}\` is not declared`);
      return null;
    }
    if (sym.kind === 'proc' || sym.kind === 'protocol' || sym.kind === 'function' || sym.kind === 'type') {
      const what =
        sym.kind === 'proc' ? 'a PROC' : sym.kind === 'protocol' ? 'a PROTOCOL' : sym.kind === 'function' ? 'a FUNCTION (call it with parentheses)' : 'a type';
      this.diags.error(e.span, `\`${e.name}\` is ${what}, not a value`);
      return null;
    }
    this.used.add(sym);
    e.decl = sym;
    if (sym.kind === 'const' && typeof sym.value === 'bigint') e.constValue = sym.value;
    if (sym.kind === 'const' && typeof sym.value === 'number') e.realValue = sym.value;
    return sym.type;
  }

  private conversionType(e: Extract<Expr, { kind: 'conversion' }>, scope: Scope): Type | null {
    const target = this.resolveType(e.target, scope, false);
    const from = this.checkExpr(e.operand, scope);
    if (!target || !from) return null;
    if (target.kind !== 'prim' || from.kind !== 'prim') {
      this.diags.error(e.span, 'only scalar values can be converted');
      return null;
    }
    const realTo = isRealType(target);
    const realFrom = isRealType(from);
    if (realTo || realFrom) {
      if (isPrim(target, 'BOOL') || isPrim(from, 'BOOL')) {
        this.diags.error(e.span, `BOOL and ${typeName(realTo ? target : from)} cannot be converted into each other`);
        return null;
      }
      const exactOk = realTo && realFrom && (sameType(target, from) || isPrim(target, 'REAL64'));
      if (e.mode === 'exact' && !exactOk) {
        this.diags.error(
          e.span,
          `converting ${typeName(from)} to ${typeName(target)} needs ROUND or TRUNC`,
          `write ${typeName(target)} ROUND ${exprText(e.operand)} (to nearest) or ${typeName(target)} TRUNC ${exprText(e.operand)} (towards zero)`,
        );
        return null;
      }
      const folded = foldRealConversion(e.operand.constValue, e.operand.realValue, from, target, e.mode);
      if (folded === 'range') {
        this.diags.error(e.span, `\`${exprText(e.operand)}\` cannot be converted to ${typeName(target)}: out of range`);
        return null;
      }
      if (typeof folded === 'bigint') e.constValue = folded;
      else if (typeof folded === 'number') e.realValue = folded;
      return target;
    }
    if (e.mode !== 'exact') {
      this.diags.error(e.span, `${e.mode} is for conversions to or from REAL32 and REAL64`, `write ${typeName(target)} ${exprText(e.operand)}`);
      return null;
    }
    const v = e.operand.constValue;
    if (v !== undefined) {
      const lim = this.limits(target);
      if (v < lim.lo || v > lim.hi) {
        this.diags.error(e.span, `${v} cannot be converted to ${typeName(target)}: out of range`);
        return null;
      }
      e.constValue = v;
    }
    return target;
  }

  private monadicType(e: Extract<Expr, { kind: 'monadic' }>, scope: Scope, expected?: Type): Type | null {
    if (e.op === 'NOT') {
      this.expectType(e.operand, scope, BOOL, 'the operand of NOT');
      if (e.operand.constValue !== undefined) e.constValue = e.operand.constValue === 0n ? 1n : 0n;
      return BOOL;
    }
    const t = this.checkExpr(e.operand, scope, expected);
    if (!t) return null;
    if (e.op === '-' && isRealType(t)) {
      if (e.operand.realValue !== undefined) e.realValue = -e.operand.realValue;
      return t;
    }
    if (!isIntegerType(t)) {
      this.diags.error(e.span, `\`${e.op}\` needs an integer operand, but this is ${typeName(t)}`);
      return null;
    }
    const v = e.operand.constValue;
    if (v !== undefined) {
      const r = e.op === '-' ? -v : e.op === 'MINUS' ? this.wrap(-v, t) : this.wrap(~v, t);
      if (e.op === '-' && !this.inRange(r, t)) {
        this.diags.error(e.span, `the constant ${exprText(e)} overflows ${typeName(t)}`);
        return null;
      }
      e.constValue = r;
    }
    return t;
  }

  private dyadicType(e: Extract<Expr, { kind: 'dyadic' }>, scope: Scope, expected?: Type): Type | null {
    const op = e.op;
    if (op === 'AND' || op === 'OR') {
      this.expectType(e.left, scope, BOOL, `the left operand of ${op}`);
      this.expectType(e.right, scope, BOOL, `the right operand of ${op}`);
      const l = e.left.constValue;
      const r = e.right.constValue;
      if (l !== undefined && r !== undefined) e.constValue = op === 'AND' ? l & r : l | r;
      return BOOL;
    }
    const isShift = op === '<<' || op === '>>';
    const isCompare = op === '=' || op === '<>' || op === '<' || op === '<=' || op === '>' || op === '>=' || op === 'AFTER';
    let lt: Type | null;
    let rt: Type | null;
    if (isShift) {
      lt = this.checkExpr(e.left, scope, expected && !isRealType(expected) ? expected : undefined);
      rt = this.checkExpr(e.right, scope, INT);
      if (rt && !sameType(rt, INT)) this.diags.error(e.right.span, `a shift count must be INT, but this is ${typeName(rt)}`);
      const k = e.right.constValue;
      if (lt && isIntegerType(lt) && k !== undefined && (k < 0n || k > BigInt(this.bits(lt)))) {
        this.diags.error(e.right.span, `shift count ${k} is out of range 0..${this.bits(lt)} for ${typeName(lt)}`);
        return null;
      }
    } else {
      // An undecorated literal takes its type from the other operand.
      const context = isCompare ? undefined : expected;
      if (isUntypedLiteral(e.left) && !isUntypedLiteral(e.right)) {
        rt = this.checkExpr(e.right, scope, context);
        lt = this.checkExpr(e.left, scope, rt ?? context);
      } else {
        lt = this.checkExpr(e.left, scope, context);
        rt = this.checkExpr(e.right, scope, lt ?? context);
      }
      if (lt && rt && !sameType(lt, rt)) {
        this.diags.error(
          e.span,
          `the operands of \`${op}\` have different types: ${typeName(lt)} and ${typeName(rt)}`,
          'occam never converts implicitly: convert one side, e.g. (INT b)',
        );
        return null;
      }
    }
    if (!lt || !rt) return null;
    if (lt.kind !== 'prim') {
      this.diags.error(e.left.span, `\`${op}\` cannot be applied to ${typeName(lt)}`);
      return null;
    }
    if (op === '=' || op === '<>') return this.fold(e, lt, BOOL);
    if (isCompare) {
      if (lt === BOOL || (op === 'AFTER' && !isIntegerType(lt))) {
        this.diags.error(e.span, `\`${op}\` cannot compare ${typeName(lt)} values`);
        return null;
      }
      return this.fold(e, lt, BOOL);
    }
    if (isRealType(lt) && (op === '+' || op === '-' || op === '*' || op === '/' || op === '\\' || op === 'REM')) {
      const a = e.left.realValue;
      const b = e.right.realValue;
      if (a !== undefined && b !== undefined) {
        const v = foldRealDyadic(op, a, b, lt);
        if (!Number.isFinite(v)) {
          this.diags.error(e.span, `the constant expression ${exprText(e)} overflows ${typeName(lt)} (or divides by zero)`);
          return null;
        }
        e.realValue = v;
      }
      return lt;
    }
    if (!isIntegerType(lt)) {
      this.diags.error(
        e.span,
        `\`${op}\` needs integer operands, but these are ${typeName(lt)}`,
        isRealType(lt) && (op === 'PLUS' || op === 'MINUS' || op === 'TIMES') ? `use ${op === 'PLUS' ? '+' : op === 'MINUS' ? '-' : '*'} for REAL values` : undefined,
      );
      return null;
    }
    return this.fold(e, lt, lt);
  }

  /** Fold a dyadic expression whose operands are constants, with occam's overflow rules. */
  private fold(e: Extract<Expr, { kind: 'dyadic' }>, operandType: Type, result: Type): Type | null {
    const a = e.left.constValue;
    const b = e.right.constValue;
    if (a === undefined || b === undefined) return result;
    const t = operandType;
    let v: bigint;
    switch (e.op) {
      case '+': v = a + b; break;
      case '-': v = a - b; break;
      case '*': v = a * b; break;
      case '/':
      case '\\':
      case 'REM':
        if (b === 0n) {
          this.diags.error(e.span, 'division by zero in a constant expression');
          return null;
        }
        v = e.op === '/' ? a / b : a % b;
        // MOSTNEG \ -1 is an overflow, as MOSTNEG / -1 is: x \ y is x - (y * (x / y)).
        if (e.op !== '/' && b === -1n && a === this.limits(t).lo && !isPrim(t, 'BYTE')) v = -a;
        break;
      case 'PLUS': v = this.wrap(a + b, t); break;
      case 'MINUS': v = this.wrap(a - b, t); break;
      case 'TIMES': v = this.wrap(a * b, t); break;
      case '/\\': case 'BITAND': v = this.wrap(a & b, t); break;
      case '\\/': case 'BITOR': v = this.wrap(a | b, t); break;
      case '><': v = this.wrap(a ^ b, t); break;
      case '<<':
      case '>>': {
        const bits = BigInt(this.bits(t));
        if (b < 0n || b > bits) {
          this.diags.error(e.right.span, `shift count ${b} is out of range 0..${bits}`);
          return null;
        }
        const mask = (1n << bits) - 1n;
        const u = a & mask;
        v = this.wrap(e.op === '<<' ? (u << b) & mask : u >> b, t);
        break;
      }
      case '=': v = a === b ? 1n : 0n; break;
      case '<>': v = a !== b ? 1n : 0n; break;
      case '<': v = a < b ? 1n : 0n; break;
      case '<=': v = a <= b ? 1n : 0n; break;
      case '>': v = a > b ? 1n : 0n; break;
      case '>=': v = a >= b ? 1n : 0n; break;
      case 'AFTER': v = this.wrap(a - b, t) > 0n ? 1n : 0n; break;
      default:
        return result;
    }
    if (result !== BOOL && !this.inRange(v, t)) {
      this.diags.error(e.span, `the constant expression ${exprText(e)} overflows ${typeName(t)}`);
      return null;
    }
    e.constValue = v;
    return result;
  }

  // ------------------------------------------------------------------------------------------------ protocols

  /** The message type of a channel: a data type for a simple protocol, else a `protocol` type. */
  private resolveProtocol(p: ProtocolNode, scope: Scope): Type | null {
    switch (p.kind) {
      case 'any':
        return { kind: 'protocol', def: ANY_PROTOCOL };
      case 'named': {
        const sym = scope.lookup(p.name);
        if (sym && sym.kind === 'protocol') return sym.type;
        if (sym && sym.kind === 'type') return sym.type;
        if (sym) {
          this.diags.error(p.span, `\`${p.name}\` is not a PROTOCOL or a data type`);
          return null;
        }
        this.diags.error(p.span, `unknown protocol \`${p.name}\``, 'define it first with PROTOCOL');
        return null;
      }
      case 'simple': {
        const t = this.resolveType(p.type, scope, false);
        if (!t) return null;
        if (!this.isDataType(t)) {
          this.diags.error(p.span, `a channel cannot carry ${typeName(t)}`);
          return null;
        }
        return t;
      }
      case 'sequential': {
        const items = this.protocolItems(p.items, scope);
        return items ? { kind: 'protocol', def: { name: null, items, variants: null } } : null;
      }
    }
  }

  private isDataType(t: Type): boolean {
    return t.kind === 'prim' || (t.kind === 'array' && t.size !== null && this.isDataType(t.elem));
  }

  private protocolItems(nodes: readonly ProtocolItemNode[], scope: Scope): ProtocolItem[] | null {
    const out: ProtocolItem[] = [];
    let ok = true;
    for (const n of nodes) {
      if (n.kind === 'data') {
        const t = this.resolveType(n.type, scope, false);
        if (t && !this.isDataType(t)) {
          this.diags.error(n.span, `a protocol item cannot be ${typeName(t)}`);
          ok = false;
        } else if (t) out.push({ kind: 'data', type: t });
        else ok = false;
        continue;
      }
      const count = this.resolveType(n.count, scope, false);
      const arr = this.resolveType(n.elem, scope, true);
      if (!count || !arr) {
        ok = false;
        continue;
      }
      if (!isPrim(count, 'INT', 'BYTE', 'INT16', 'INT32', 'INT64')) {
        this.diags.error(n.count.span, `the count of a counted array must be an integer type, not ${typeName(count)}`);
        ok = false;
      }
      if (arr.kind !== 'array' || arr.size !== null || !this.isDataType({ ...arr, size: 0 })) {
        this.diags.error(n.elem.span, 'a counted array protocol is written COUNT::[]ELEMENT, like INT::[]BYTE');
        ok = false;
        continue;
      }
      out.push({ kind: 'counted', count, elem: arr.elem });
    }
    return ok ? out : null;
  }

  private checkProtocolDef(spec: Extract<Spec, { kind: 'protocol' }>, scope: Scope): void {
    let def: ProtocolDef | null = null;
    const name = spec.name.name;
    if (spec.body) {
      const body = spec.body;
      if (body.kind === 'simple' || body.kind === 'named') {
        const t = this.resolveProtocol(body, scope);
        if (t && t.kind === 'protocol') def = { ...t.def, name };
        else if (t) def = { name, items: [{ kind: 'data', type: t }], variants: null };
      } else if (body.kind === 'sequential') {
        const items = this.protocolItems(body.items, scope);
        if (items) def = { name, items, variants: null };
      }
    } else {
      const variants: { tag: string; items: ProtocolItem[] }[] = [];
      const seen = new Map<string, Span>();
      for (const v of spec.variants ?? []) {
        const prev = seen.get(v.tag.name);
        if (prev) {
          this.diags.error(v.tag.span, `the tag \`${v.tag.name}\` appears twice in PROTOCOL ${name}`, undefined, [
            { span: prev, message: 'first here' },
          ]);
          continue;
        }
        seen.set(v.tag.name, v.tag.span);
        variants.push({ tag: v.tag.name, items: this.protocolItems(v.items, scope) ?? [] });
      }
      if (variants.length > 255) this.diags.error(spec.name.span, `PROTOCOL ${name} has more than 255 tags`);
      def = { name, items: null, variants };
    }
    if (!def) return;
    const sym: ProtocolSymbol = { kind: 'protocol', name, span: spec.name.span, type: { kind: 'protocol', def } };
    spec.decl = sym;
    scope.define(sym);
  }

  /** The tag named by the first item of a variant output, or null after an error. */
  private variantTag(def: ProtocolDef, item: Expr | undefined, chan: Expr): { index: number; items: readonly ProtocolItem[] } | null {
    const tags = def.variants!;
    if (!item || item.kind !== 'name') {
      this.diags.error(item ? item.span : chan.span, `a message on \`${exprText(chan)}\` (PROTOCOL ${def.name}) starts with one of its tags: ${tags.map((t) => t.tag).join(', ')}`);
      return null;
    }
    const index = tags.findIndex((t) => t.tag === item.name);
    if (index < 0) {
      this.diags.error(item.span, `\`${item.name}\` is not a tag of PROTOCOL ${def.name}`, `its tags are ${tags.map((t) => t.tag).join(', ')}`);
      return null;
    }
    item.type = BYTE;
    item.constValue = BigInt(index);
    return { index, items: tags[index]!.items };
  }

  private checkProtocolOutput(chan: Expr, def: ProtocolDef, items: readonly Expr[], scope: Scope): void {
    if (def.any) {
      for (const item of items) {
        const t = this.checkExpr(item, scope);
        if (t && (item.kind === 'counted' || !this.isDataType(t))) this.diags.error(item.span, `cannot send ${typeName(t)} on a CHAN OF ANY`);
      }
      return;
    }
    let expected: readonly ProtocolItem[] | null = def.items;
    let rest = items;
    if (def.variants) {
      const tag = this.variantTag(def, items[0], chan);
      if (!tag) return;
      expected = tag.items;
      rest = items.slice(1);
    }
    this.checkItems(chan, def, expected!, rest, scope, 'output');
  }

  private checkProtocolInput(chan: Expr, def: ProtocolDef, items: readonly Expr[], scope: Scope): void {
    if (def.variants) {
      this.diags.error(chan.span, `\`${exprText(chan)}\` carries the variant PROTOCOL ${def.name}: input from it with \`${exprText(chan)} ? CASE\``);
      return;
    }
    if (def.any) {
      for (const item of items) {
        const t = this.checkWritable(item, scope, 'input to');
        if (t && !this.isDataType(t)) this.diags.error(item.span, `cannot receive ${typeName(t)} from a CHAN OF ANY`);
      }
      return;
    }
    this.checkItems(chan, def, def.items!, items, scope, 'input');
  }

  /** Check the items of a communication against the protocol's items, one by one. */
  private checkItems(chan: Expr, def: ProtocolDef, expected: readonly ProtocolItem[], items: readonly Expr[], scope: Scope, dir: 'input' | 'output'): void {
    const what = def.name ? `PROTOCOL ${def.name}` : `protocol ${typeName({ kind: 'protocol', def })}`;
    if (items.length !== expected.length) {
      const span = items.length > 0 ? items[0]!.span : chan.span;
      this.diags.error(span, `\`${exprText(chan)}\` carries ${expected.length} item(s) per message (${what}), but this ${dir} has ${items.length}`);
    }
    items.forEach((item, i) => {
      const want = expected[i];
      if (!want) return;
      if (want.kind === 'data') {
        if (item.kind === 'counted') {
          this.diags.error(item.span, `item ${i + 1} of ${what} is ${typeName(want.type)}, not a counted array`);
          return;
        }
        const t = dir === 'output' ? this.checkExpr(item, scope, want.type) : this.checkWritable(item, scope, 'input to');
        if (t && !sameType(t, want.type)) this.diags.error(item.span, `item ${i + 1} of ${what} is ${typeName(want.type)}, but \`${exprText(item)}\` is ${typeName(t)}`);
        return;
      }
      if (item.kind !== 'counted') {
        this.diags.error(item.span, `item ${i + 1} of ${what} is a counted array: write count::array`);
        this.checkExpr(item, scope);
        return;
      }
      const ct = dir === 'output' ? this.checkExpr(item.count, scope, want.count) : this.checkWritable(item.count, scope, 'input to');
      if (ct && !sameType(ct, want.count)) this.diags.error(item.count.span, `the count must be ${typeName(want.count)}, but this is ${typeName(ct)}`);
      const at = dir === 'output' ? this.checkExpr(item.array, scope) : this.checkWritable(item.array, scope, 'input to');
      if (at && (at.kind !== 'array' || !sameType(at.elem, want.elem))) {
        this.diags.error(item.array.span, `the array must be of ${typeName(want.elem)}, but this is ${typeName(at)}`);
      }
      const n = item.count.constValue;
      if (at && at.kind === 'array' && at.size !== null && n !== undefined && (n < 0n || n > BigInt(at.size))) {
        this.diags.error(item.count.span, `the count ${n} is out of range: \`${exprText(item.array)}\` has ${at.size} elements`);
      }
    });
  }

  private checkCaseInput(chan: Expr, variants: readonly VariantInput[], scope: Scope): void {
    const proto = this.checkChannel(chan, scope, '?');
    let def: ProtocolDef | null = null;
    if (proto && (proto.kind !== 'protocol' || !proto.def.variants)) {
      this.diags.error(chan.span, `\`${exprText(chan)}\` does not carry a variant protocol, so it cannot be input with \`? CASE\``);
    } else if (proto) def = proto.def;
    const seen = new Map<string, Span>();
    for (const v of variants) {
      const inner = this.checkSpecs(v.specs, scope);
      if (def) {
        const index = def.variants!.findIndex((t) => t.tag === v.tag.name);
        const prev = seen.get(v.tag.name);
        if (index < 0) {
          this.diags.error(v.tag.span, `\`${v.tag.name}\` is not a tag of PROTOCOL ${def.name}`, `its tags are ${def.variants!.map((t) => t.tag).join(', ')}`);
        } else if (prev) {
          this.diags.error(v.tag.span, `the tag \`${v.tag.name}\` is listed twice in this \`? CASE\``, undefined, [{ span: prev, message: 'first here' }]);
        } else {
          seen.set(v.tag.name, v.tag.span);
          v.tagValue = index;
          this.checkItems(chan, def, def.variants![index]!.items, v.items, inner, 'input');
        }
      }
      this.checkProcess(v.body, inner);
    }
  }

  // ------------------------------------------------------------------------------------------------ CASE, ALT, PAR, timers

  private checkCase(p: Extract<Process, { kind: 'case' }>, scope: Scope): void {
    let st = this.checkExpr(p.selector, scope);
    if (st && !isIntegerType(st) && !isPrim(st, 'BOOL')) {
      this.diags.error(p.selector.span, `a CASE selector must be an integer, BYTE or BOOL, but this is ${typeName(st)}`);
      st = null;
    }
    const seen = new Map<bigint, Span>();
    let elseSpan: Span | null = null;
    for (const o of p.options) {
      const inner = this.checkSpecs(o.specs, scope);
      if (o.values === null) {
        if (elseSpan) this.diags.error(o.span, 'a CASE has at most one ELSE', undefined, [{ span: elseSpan, message: 'the first ELSE' }]);
        elseSpan = o.span;
      }
      for (const v of o.values ?? []) {
        const t = this.checkExpr(v, inner, st ?? undefined);
        if (!t) continue;
        if (st && !sameType(t, st)) {
          this.diags.error(v.span, `this option is ${typeName(t)}, but the selector \`${exprText(p.selector)}\` is ${typeName(st)}`);
          continue;
        }
        const k = v.constValue;
        if (k === undefined) {
          this.diags.error(v.span, 'a CASE option must be a constant', 'use a literal or a VAL constant');
          continue;
        }
        const prev = seen.get(k);
        if (prev) {
          this.diags.error(v.span, `the value ${exprText(v)} appears in two options of this CASE`, undefined, [{ span: prev, message: 'first here' }]);
        } else seen.set(k, v.span);
      }
      this.checkProcess(o.body, inner);
    }
  }

  /** An ALT's alternatives, with nested (and replicated) ALTs checked in the scope of their replicators. */
  private checkAlt(p: AltProcess, scope: Scope): void {
    const inner = p.repl ? this.checkReplicator(p.repl, scope) : scope;
    for (const a of p.alternatives) {
      if ('kind' in a) {
        this.checkAlt(a, a.specs ? this.checkSpecs(a.specs, inner) : inner);
        continue;
      }
      const alt = a as Alternative;
      const s = this.checkSpecs(alt.specs, inner);
      const g = alt.guard;
      if (g.cond) this.checkCondition(g.cond, s);
      switch (g.kind) {
        case 'input': {
          const t = this.checkExpr(g.channel, s);
          if (t && t.kind === 'timer') {
            this.diags.error(g.channel.span, 'a timer in an ALT guard waits with `? AFTER`', `write ${exprText(g.channel)} ? AFTER time`);
            break;
          }
          this.checkInput(g.channel, g.items, s);
          break;
        }
        case 'timeout':
          this.checkTimer(g.timer, s);
          this.expectType(g.after, s, INT, 'the time after AFTER');
          break;
        case 'skip':
          break;
        case 'case':
          this.checkCaseInput(g.channel, g.variants, s);
          break;
      }
      this.checkProcess(alt.body, s);
    }
  }

  private checkTimer(e: Expr, scope: Scope): void {
    const t = this.checkExpr(e, scope);
    if (t && t.kind !== 'timer') this.diags.error(e.span, `\`${exprText(e)}\` is not a TIMER, so it cannot wait with AFTER`);
  }

  private checkParShape(p: Extract<Process, { kind: 'par' }>): void {
    if (p.pri && p.repl) {
      this.diags.error(p.span, 'a replicated PRI PAR is not supported', 'a PRI PAR has two branches: the first runs at high priority');
    } else if (p.pri && p.body.length !== 2) {
      this.diags.error(p.span, `a PRI PAR has exactly two branches (this one has ${p.body.length})`, 'the first branch runs at high priority, the second at low priority');
    }
  }

  private bits(t: Type): number {
    if (t.kind !== 'prim') return 32;
    return t.name === 'BYTE' ? 8 : t.name === 'INT16' ? 16 : t.name === 'INT64' ? 64 : 32;
  }

  private limits(t: Type): { lo: bigint; hi: bigint } {
    if (t.kind === 'prim' && t.name === 'BYTE') return { lo: 0n, hi: 255n };
    if (t.kind === 'prim' && t.name === 'BOOL') return { lo: 0n, hi: 1n };
    const bits = BigInt(this.bits(t));
    return t === INT ? { lo: MOST_NEG_INT, hi: MOST_POS_INT } : { lo: -(1n << (bits - 1n)), hi: (1n << (bits - 1n)) - 1n };
  }

  private inRange(v: bigint, t: Type): boolean {
    const { lo, hi } = this.limits(t);
    return v >= lo && v <= hi;
  }

  /** Reduce modulo 2^bits into the type's range (BYTE is unsigned). */
  private wrap(v: bigint, t: Type): bigint {
    const bits = this.bits(t);
    return t.kind === 'prim' && t.name === 'BYTE' ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v);
  }
}

/** The FUNCTION each call expression calls, recorded by the checker. */
export const callees = new WeakMap<Expr, FunctionSymbol>();

/** A declared type whose open dimensions (`[]`) take their sizes from the value's type. */
function mergeOpen(declared: Type, actual: Type): Type {
  if (declared.kind === 'array' && actual.kind === 'array') {
    const elem = mergeOpen(declared.elem, actual.elem);
    return { ...declared, size: declared.size ?? actual.size, elem };
  }
  return declared;
}

/** The bytes of a constant array value (a string, a constant table, or a name for one), if it is one. */
export function constBytes(e: Expr): Uint8Array | null {
  if (e.kind === 'string') return e.bytes;
  if (e.kind === 'table') return e.constBytes ?? null;
  if (e.kind === 'name' && e.decl?.kind === 'const' && e.decl.value instanceof Uint8Array) return e.decl.value;
  if (e.constValue !== undefined && e.type && e.type.kind === 'prim') {
    const w = byteSize(e.type) ?? 4;
    const out = new Uint8Array(w);
    let v = BigInt.asUintN(w * 8, e.constValue);
    for (let k = 0; k < w; k++) {
      out[k] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }
  if (e.realValue !== undefined && e.type && isRealType(e.type)) return realBytes(e.realValue, e.type);
  return null;
}

export function isChanArray(t: Type): boolean {
  return t.kind === 'array' && (t.elem.kind === 'chan' || isChanArray(t.elem));
}

function isUntypedLiteral(e: Expr): boolean {
  return (e.kind === 'int' || e.kind === 'byte' || e.kind === 'real') && e.decoration === null;
}

/** The variable an element expression is rooted at (`a` in `a[i][j]`), if any. */
export function rootName(e: Expr): NameExpr | null {
  switch (e.kind) {
    case 'name':
      return e;
    case 'subscript':
    case 'slice':
      return rootName(e.base);
    case 'direction':
      return rootName(e.channel);
    default:
      return null;
  }
}

/** The source text of an expression, for messages. */
export function exprText(e: Expr): string {
  return e.span.file.text.slice(e.span.start, e.span.end);
}

export type { ConstSymbol };
