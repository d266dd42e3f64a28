// Processes: SEQ, PAR, IF, WHILE, CASE, ALT, assignment, input, output, timers, PROC calls and placement, with
// the rules that bind them (what a FUNCTION may not contain, the shape of a PRI PAR, replicator limits).

import { checkEndAssignment, checkMobileAllocation } from './chantypes.js';
import { checkPredefinedCall, isPredefinedCall } from './builtins.js';
import type { AltProcess, Alternative, VariantInput, Choice, Expr, IfProcess, Process, Replicator } from '../ast.js';
import { exprText, isChanArray, rootName } from '../ast-queries.js';
import type { Span } from '../source.js';
import type { VarSymbol } from '../symbols.js';
import { INT, isIntegerType, isPrim, sameType, type ProtocolDef, typeName } from '../types.js';
import { type Checker, valueProcessName } from './context.js';
import { liftValof } from './valof.js';
import { Scope } from './scope.js';
import { callResults, checkChannel, checkCondition, checkExpr, checkWritable, expectType } from './expressions.js';
import { checkClaim } from './claims.js';
import { checkAsm } from './asm.js';
import { checkEnroll, checkParallelBarriers, checkSync } from './barriers.js';
import { checkFork, checkForkArgs, checkForking } from './forks.js';
import { checkItems, checkProtocolInput, checkProtocolOutput } from './protocols.js';
import { enclosingRoutine, recursionMessage, unknownNameHint } from './suggestions.js';

/** Communication, PAR, ALT and timer waits are side effects: not allowed in a FUNCTION, and noted for PROCs. */
export function noteEffects(ck: Checker, p: Process): void {
  const what =
    p.kind === 'input'
      ? 'input'
      : p.kind === 'output'
        ? 'output'
        : p.kind === 'par'
          ? 'PAR'
          : p.kind === 'alt'
            ? 'ALT'
            : p.kind === 'delay'
              ? 'a timer wait'
              : p.kind === 'fork'
                ? 'FORK'
                : p.kind === 'sync'
                  ? 'SYNC'
                  : null;
  if (!what) return;
  if (ck.fnLocals) {
    ck.diags.error(
      p.span,
      `${valueProcessName(ck)} cannot contain ${what}`,
      'a FUNCTION has no side effects: it only computes its RESULT',
    );
  }
  if (ck.routine?.kind === 'proc') ck.routine.effects = true;
}

export function checkProcess(ck: Checker, p: Process, scope: Scope): void {
  noteEffects(ck, p);
  switch (p.kind) {
    case 'skip':
    case 'stop':
      return;
    case 'assign':
      checkAssign(ck, p.targets, p.values, scope, p.span);
      return;
    case 'output':
      checkOutput(ck, p.channel, p.items, scope);
      return;
    case 'input':
      checkInput(ck, p.channel, p.items, scope);
      if (p.extended) {
        checkExtendedChannel(ck, p.channel);
        checkProcess(ck, p.extended.during, scope);
        checkProcess(ck, p.extended.after, scope);
      }
      return;
    case 'seq':
    case 'par': {
      if (p.kind === 'par') checkParShape(ck, p);
      if (p.kind === 'par') checkEnroll(ck, p, scope);
      const inner = p.repl ? checkReplicator(ck, p.repl, scope) : scope;
      for (const c of p.body) checkProcess(ck, c, inner);
      if (p.kind === 'par') checkParallelBarriers(ck, p);
      return;
    }
    case 'if':
      checkIf(ck, p, scope);
      return;
    case 'while':
      checkCondition(ck, p.cond, scope);
      checkProcess(ck, p.body, scope);
      return;
    case 'claim':
      checkClaim(ck, p, scope, (b, s) => checkProcess(ck, b, s));
      return;
    case 'sync':
      checkSync(ck, p, scope);
      return;
    case 'asm':
      checkAsm(ck, p, scope);
      return;
    case 'forking':
      checkForking(ck, p, () => checkProcess(ck, p.body, scope));
      return;
    case 'fork':
      checkFork(ck, p);
      checkCall(ck, p.call, scope);
      checkForkArgs(ck, p);
      return;
    case 'pcall':
      checkCall(ck, p, scope);
      return;
    case 'scope':
      checkProcess(ck, p.body, ck.parts.checkSpecs(ck, p.specs, scope));
      return;
    case 'case':
      checkCase(ck, p, scope);
      return;
    case 'alt':
      checkAlt(ck, p, scope);
      return;
    case 'delay':
      checkTimer(ck, p.timer, scope);
      expectType(ck, p.after, scope, INT, 'the time after AFTER');
      return;
    case 'caseinput':
      checkCaseInput(ck, p.channel, p.variants, scope);
      return;
    case 'placed':
    case 'processor':
      checkPlaced(ck, p, scope, false);
      return;
  }
}

/** PLACED PAR and its PROCESSOR clauses; where they may appear and what runs where is compiler/placement.ts. */
export function checkPlaced(
  ck: Checker,
  p: Extract<Process, { kind: 'placed' | 'processor' }>,
  scope: Scope,
  inPlaced: boolean,
): void {
  if (p.kind === 'processor') {
    if (!inPlaced) {
      ck.diags.error(
        p.span,
        'PROCESSOR can only appear directly under PLACED PAR',
        'write PLACED PAR, then each PROCESSOR x, y clause indented under it',
      );
    }
    expectType(ck, p.x, scope, INT, 'a processor coordinate');
    expectType(ck, p.y, scope, INT, 'a processor coordinate');
    checkProcess(ck, p.body, scope);
    return;
  }
  const inner = p.repl ? checkReplicator(ck, p.repl, scope) : scope;
  for (const branch of p.branches) {
    // Specifications may stand in front of a PROCESSOR clause (`VAL INT x IS i \ 4:`).
    let b = branch;
    let bs = inner;
    while (b.kind === 'scope') {
      bs = ck.parts.checkSpecs(ck, b.specs, bs);
      b = b.body;
    }
    if (b.kind === 'processor' || b.kind === 'placed') checkPlaced(ck, b, bs, true);
    else {
      ck.diags.error(
        b.span,
        'each branch of a PLACED PAR is a PROCESSOR clause',
        'write PROCESSOR x, y and indent the process under it',
      );
    }
  }
}

export function checkIf(ck: Checker, p: IfProcess, scope: Scope): void {
  const inner = p.repl ? checkReplicator(ck, p.repl, scope) : scope;
  for (const c of p.choices) {
    if ('kind' in c && c.kind === 'if') checkIf(ck, c, inner);
    else {
      const choice = c as Choice;
      const s = ck.parts.checkSpecs(ck, choice.specs, inner);
      checkCondition(ck, choice.guard, s);
      checkProcess(ck, choice.body, s);
    }
  }
}

export function checkReplicator(ck: Checker, r: Replicator, scope: Scope): Scope {
  expectType(ck, r.base, scope, INT, 'the replicator start');
  expectType(ck, r.count, scope, INT, 'the replicator count');
  if (r.step) expectType(ck, r.step, scope, INT, 'the replicator STEP');
  if (r.count.constValue !== undefined && r.count.constValue < 0n) {
    ck.diags.error(r.count.span, `the replicator count is negative (${r.count.constValue})`);
  }
  const inner = new Scope(scope);
  const sym: VarSymbol = { kind: 'var', name: r.index.name, span: r.index.span, type: INT, readOnly: true };
  r.decl = sym;
  inner.define(sym);
  return inner;
}

export function checkAssign(
  ck: Checker,
  targets: readonly Expr[],
  values: readonly Expr[],
  scope: Scope,
  span: Span,
): void {
  const only = values.length === 1 ? values[0]! : null;
  if (only && only.kind === 'mobile') {
    checkMobileAllocation(ck, targets, only, scope, (t) => checkWritable(ck, t, scope, 'assign to'));
    return;
  }
  if (only && only.kind === 'valof' && targets.length > 1) {
    // `a, b := (VALOF ... RESULT x, y)`: the results take the targets' types.
    const wants = targets.map((t) => checkWritable(ck, t, scope, 'assign to') ?? undefined);
    const types = liftValof(ck, only, scope, wants);
    if (!types) return;
    if (types.length !== targets.length) {
      ck.diags.error(span, `the VALOF gives ${types.length} result(s) but ${targets.length} variables are assigned`);
      return;
    }
    targets.forEach((target, i) => {
      const tt = wants[i];
      if (tt && !sameType(tt, types[i]!)) {
        ck.diags.error(
          only.results[i]!.span,
          `result ${i + 1} of the VALOF is ${typeName(types[i]!)}, but \`${exprText(target)}\` is ${typeName(tt)}`,
        );
      }
    });
    return;
  }
  if (only && only.kind === 'call' && targets.length > 1) {
    const types = callResults(ck, only, scope);
    if (!types) return;
    if (types.length !== targets.length) {
      ck.diags.error(
        span,
        `\`${only.callee.name}\` gives ${types.length} result(s) but ${targets.length} variables are assigned`,
      );
      return;
    }
    targets.forEach((target, i) => {
      const tt = checkWritable(ck, target, scope, 'assign to');
      if (tt && !sameType(tt, types[i]!)) {
        ck.diags.error(
          target.span,
          `result ${i + 1} of \`${only.callee.name}\` is ${typeName(types[i]!)}, but \`${exprText(target)}\` is ${typeName(tt)}`,
        );
      }
    });
    return;
  }
  if (targets.length !== values.length) {
    ck.diags.error(span, `${targets.length} variable(s) on the left of := but ${values.length} value(s) on the right`);
    return;
  }
  targets.forEach((target, i) => {
    const tt = checkWritable(ck, target, scope, 'assign to');
    const value = values[i]!;
    const vt = checkExpr(ck, value, scope, tt ?? undefined);
    if (tt && vt && !sameType(tt, vt)) {
      ck.diags.error(
        value.span,
        `cannot assign a ${typeName(vt)} value to \`${exprText(target)}\`, which is ${typeName(tt)}`,
      );
    } else if (tt) checkEndAssignment(ck, tt, value, value.span);
  });
}

export function checkOutput(ck: Checker, chan: Expr, items: readonly Expr[], scope: Scope): void {
  const proto = checkChannel(ck, chan, scope, '!');
  if (proto && proto.kind === 'timer') return;
  if (proto && proto.kind === 'protocol') {
    checkProtocolOutput(ck, chan, proto.def, items, scope);
    return;
  }
  if (proto && items.length !== 1) {
    ck.diags.error(
      chan.span,
      `channel \`${exprText(chan)}\` carries one ${typeName(proto)} per message, not ${items.length} items`,
    );
  }
  for (const item of items) {
    const t = checkExpr(ck, item, scope, proto ?? undefined);
    if (proto && t && !sameType(proto, t)) {
      ck.diags.error(item.span, `channel \`${exprText(chan)}\` carries ${typeName(proto)}, but this is ${typeName(t)}`);
    }
  }
}

export function checkInput(ck: Checker, chan: Expr, items: readonly Expr[], scope: Scope): void {
  const proto = checkChannel(ck, chan, scope, '?');
  if (proto && proto.kind === 'timer') {
    if (items.length !== 1) ck.diags.error(chan.span, 'a timer input reads the time into one INT variable');
    for (const item of items) {
      const t = checkWritable(ck, item, scope, 'input to');
      if (t && !sameType(t, INT))
        ck.diags.error(item.span, `a timer gives an INT, but \`${exprText(item)}\` is ${typeName(t)}`);
    }
    return;
  }
  if (proto && proto.kind === 'protocol') {
    checkProtocolInput(ck, chan, proto.def, items, scope);
    return;
  }
  if (proto && items.length !== 1) {
    ck.diags.error(
      chan.span,
      `channel \`${exprText(chan)}\` carries one ${typeName(proto)} per message, not ${items.length} items`,
    );
  }
  for (const item of items) {
    const t = checkWritable(ck, item, scope, 'input to');
    if (proto && t && !sameType(proto, t)) {
      ck.diags.error(
        item.span,
        `channel \`${exprText(chan)}\` carries ${typeName(proto)}, but \`${exprText(item)}\` is ${typeName(t)}`,
      );
    }
  }
}

export function checkCall(ck: Checker, p: Extract<Process, { kind: 'pcall' }>, scope: Scope): void {
  if (isPredefinedCall(p, scope)) return checkPredefinedCall(ck, p, scope);
  const sym = scope.lookup(p.callee.name);
  // occam-π's built-in RESCHEDULE (): let the other ready processes run.
  if (!sym && p.callee.name === 'RESCHEDULE' && p.args.length === 0) return;
  if (!sym) {
    const self = enclosingRoutine(ck, p.callee.name);
    if (self) {
      const { message, hint } = recursionMessage(self, p.callee.name);
      ck.diags.error(p.callee.span, message, hint);
    } else {
      ck.diags.error(
        p.callee.span,
        `\`${p.callee.name}\` is not defined`,
        unknownNameHint(p.callee.name, scope) ?? 'a PROC must be defined before it is called',
      );
    }
    for (const a of p.args) checkExpr(ck, a, scope);
    return;
  }
  if (sym.kind !== 'proc') {
    ck.diags.error(p.callee.span, `\`${p.callee.name}\` is not a PROC`);
    return;
  }
  ck.used.add(sym);
  p.decl = sym;
  if (sym.effects) {
    if (ck.fnLocals) {
      ck.diags.error(
        p.callee.span,
        `${valueProcessName(ck)} cannot call \`${sym.name}\`, which communicates or runs processes in parallel`,
        'a FUNCTION has no side effects',
      );
    }
    if (ck.routine?.kind === 'proc') ck.routine.effects = true;
  }
  if (p.args.length !== sym.params.length) {
    ck.diags.error(
      p.span,
      `\`${sym.name}\` takes ${sym.params.length} parameter(s) but is given ${p.args.length}`,
      undefined,
      [{ span: sym.span, message: `\`${sym.name}\` is defined here` }],
    );
  }
  p.args.forEach((arg, i) => {
    const param = sym.params[i];
    if (!param) {
      checkExpr(ck, arg, scope);
      return;
    }
    if (param.type.kind === 'timer') {
      const t = checkExpr(ck, arg, scope);
      if (t && t.kind !== 'timer')
        ck.diags.error(
          arg.span,
          `parameter \`${param.name}\` of \`${sym.name}\` is a TIMER, but this is ${typeName(t)}`,
        );
      return;
    }
    if (param.type.kind === 'chan' || isChanArray(param.type)) {
      const a = arg.kind === 'direction' ? arg.channel : arg;
      const t = checkExpr(ck, arg, scope);
      if (t && !sameType(t, param.type)) {
        ck.diags.error(
          arg.span,
          `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`,
        );
      }
      if (!rootName(a)) ck.diags.error(arg.span, `parameter \`${param.name}\` needs a channel`);
      if (arg.kind === 'direction' && param.direction && arg.direction !== param.direction) {
        ck.diags.error(
          arg.span,
          `\`${exprText(arg)}\` is an ${arg.direction === '!' ? 'output' : 'input'} end, but parameter \`${param.name}\` of \`${sym.name}\` is the ${param.direction === '?' ? 'input (?)' : 'output (!)'} end`,
        );
      }
      return;
    }
    if (param.byRef && !param.isVal) {
      const t = checkWritable(ck, arg, scope, `pass by reference`);
      if (t && !sameType(t, param.type)) {
        ck.diags.error(
          arg.span,
          `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`,
        );
      }
      return;
    }
    const t = checkExpr(ck, arg, scope, param.type);
    if (t && !sameType(t, param.type)) {
      ck.diags.error(
        arg.span,
        `parameter \`${param.name}\` of \`${sym.name}\` is ${typeName(param.type)}, but this is ${typeName(t)}`,
      );
    }
  });
}

export function checkCaseInput(ck: Checker, chan: Expr, variants: readonly VariantInput[], scope: Scope): void {
  const proto = checkChannel(ck, chan, scope, '?');
  let def: ProtocolDef | null = null;
  if (proto && (proto.kind !== 'protocol' || !proto.def.variants)) {
    ck.diags.error(
      chan.span,
      `\`${exprText(chan)}\` does not carry a variant protocol, so it cannot be input with \`? CASE\``,
    );
  } else if (proto) def = proto.def;
  const seen = new Map<string, Span>();
  for (const v of variants) {
    const inner = ck.parts.checkSpecs(ck, v.specs, scope);
    if (def) {
      const index = def.variants!.findIndex((t) => t.tag === v.tag.name);
      const prev = seen.get(v.tag.name);
      if (index < 0) {
        ck.diags.error(
          v.tag.span,
          `\`${v.tag.name}\` is not a tag of PROTOCOL ${def.name}`,
          `its tags are ${def.variants!.map((t) => t.tag).join(', ')}`,
        );
      } else if (prev) {
        ck.diags.error(v.tag.span, `the tag \`${v.tag.name}\` is listed twice in this \`? CASE\``, undefined, [
          { span: prev, message: 'first here' },
        ]);
      } else {
        seen.set(v.tag.name, v.tag.span);
        v.tagValue = index;
        checkItems(ck, chan, def, def.variants![index]!.items, v.items, inner, 'input');
      }
    }
    checkProcess(ck, v.body, inner);
    if (v.after) checkProcess(ck, v.after, inner);
  }
}

/** `t ?? x` on a TIMER is an error: only a channel's outputter can be held in an extended rendezvous. */
function checkExtendedChannel(ck: Checker, chan: Expr): void {
  if (chan.type?.kind === 'timer')
    ck.diags.error(
      chan.span,
      'a timer cannot be input with `??`',
      'extended input is for channels: read a timer with `?`',
    );
}

export function checkCase(ck: Checker, p: Extract<Process, { kind: 'case' }>, scope: Scope): void {
  let st = checkExpr(ck, p.selector, scope);
  if (st && !isIntegerType(st) && !isPrim(st, 'BOOL')) {
    ck.diags.error(p.selector.span, `a CASE selector must be an integer, BYTE or BOOL, but this is ${typeName(st)}`);
    st = null;
  }
  const seen = new Map<bigint, Span>();
  let elseSpan: Span | null = null;
  for (const o of p.options) {
    const inner = ck.parts.checkSpecs(ck, o.specs, scope);
    if (o.values === null) {
      if (elseSpan)
        ck.diags.error(o.span, 'a CASE has at most one ELSE', undefined, [
          { span: elseSpan, message: 'the first ELSE' },
        ]);
      elseSpan = o.span;
    }
    for (const v of o.values ?? []) {
      const t = checkExpr(ck, v, inner, st ?? undefined);
      if (!t) continue;
      if (st && !sameType(t, st)) {
        ck.diags.error(
          v.span,
          `this option is ${typeName(t)}, but the selector \`${exprText(p.selector)}\` is ${typeName(st)}`,
        );
        continue;
      }
      const k = v.constValue;
      if (k === undefined) {
        ck.diags.error(v.span, 'a CASE option must be a constant', 'use a literal or a VAL constant');
        continue;
      }
      const prev = seen.get(k);
      if (prev) {
        ck.diags.error(v.span, `the value ${exprText(v)} appears in two options of this CASE`, undefined, [
          { span: prev, message: 'first here' },
        ]);
      } else seen.set(k, v.span);
    }
    checkProcess(ck, o.body, inner);
  }
}

/** An ALT's alternatives, with nested (and replicated) ALTs checked in the scope of their replicators. */
export function checkAlt(ck: Checker, p: AltProcess, scope: Scope): void {
  const inner = p.repl ? checkReplicator(ck, p.repl, scope) : scope;
  for (const a of p.alternatives) {
    if ('kind' in a) {
      checkAlt(ck, a, a.specs ? ck.parts.checkSpecs(ck, a.specs, inner) : inner);
      continue;
    }
    const alt = a as Alternative;
    const s = ck.parts.checkSpecs(ck, alt.specs, inner);
    const g = alt.guard;
    if (g.cond) checkCondition(ck, g.cond, s);
    switch (g.kind) {
      case 'input': {
        const t = checkExpr(ck, g.channel, s);
        if (t && t.kind === 'timer') {
          ck.diags.error(
            g.channel.span,
            'a timer in an ALT guard waits with `? AFTER`',
            `write ${exprText(g.channel)} ? AFTER time`,
          );
          break;
        }
        checkInput(ck, g.channel, g.items, s);
        break;
      }
      case 'timeout':
        checkTimer(ck, g.timer, s);
        expectType(ck, g.after, s, INT, 'the time after AFTER');
        break;
      case 'skip':
        break;
      case 'case':
        checkCaseInput(ck, g.channel, g.variants, s);
        break;
    }
    checkProcess(ck, alt.body, s);
    if (alt.after) checkProcess(ck, alt.after, s);
  }
}

export function checkTimer(ck: Checker, e: Expr, scope: Scope): void {
  const t = checkExpr(ck, e, scope);
  if (t && t.kind !== 'timer')
    ck.diags.error(e.span, `\`${exprText(e)}\` is not a TIMER, so it cannot wait with AFTER`);
}

export function checkParShape(ck: Checker, p: Extract<Process, { kind: 'par' }>): void {
  if (p.pri && p.repl) {
    ck.diags.error(
      p.span,
      'a replicated PRI PAR is not supported',
      'a PRI PAR has two branches: the first runs at high priority',
    );
  } else if (p.pri && p.body.length !== 2) {
    ck.diags.error(
      p.span,
      `a PRI PAR has exactly two branches (this one has ${p.body.length})`,
      'the first branch runs at high priority, the second at low priority',
    );
  }
}
