// occam-π BARRIER rules: SYNC takes a BARRIER; a PAR's ENROLL clause names BARRIERs; and a barrier used in
// parallel (by more than one branch of a PAR, or by the replicas of a replicated PAR) must be enrolled with
// `PAR ... ENROLL b`, as KRoC requires (docs/language.md, BARRIER and SYNC).

import type { Process } from '../ast.js';
import { exprText } from '../ast-queries.js';
import type { Symbol } from '../symbols.js';
import { typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';

export function checkSync(ck: Checker, p: Extract<Process, { kind: 'sync' }>, scope: Scope): void {
  const t = ck.parts.checkExpr(ck, p.barrier, scope);
  if (t && t.kind !== 'barrier') {
    ck.diags.error(p.barrier.span, `SYNC needs a BARRIER, but \`${exprText(p.barrier)}\` is ${typeName(t)}`);
  }
}

/** The ENROLL clause of a PAR (checked in the scope around the PAR). */
export function checkEnroll(ck: Checker, p: Extract<Process, { kind: 'par' }>, scope: Scope): void {
  for (const e of p.enroll ?? []) {
    const t = ck.parts.checkExpr(ck, e, scope);
    if (t && (t.kind !== 'barrier' || e.kind !== 'name')) {
      ck.diags.error(e.span, `ENROLL names BARRIERs, but \`${exprText(e)}\` is ${typeName(t)}`);
    }
  }
}

/** After the branches are checked: a barrier they use in parallel must be enrolled. */
export function checkParallelBarriers(ck: Checker, p: Extract<Process, { kind: 'par' }>): void {
  const enrolled = new Set((p.enroll ?? []).map((e) => (e.kind === 'name' ? e.decl : undefined)));
  const counts = new Map<Symbol, number>();
  for (const b of p.body) for (const s of barriersUsed(b)) counts.set(s, (counts.get(s) ?? 0) + (p.repl ? 2 : 1));
  for (const [s, k] of counts) {
    if (k < 2 || enrolled.has(s)) continue;
    ck.diags.error(
      p.span,
      `BARRIER \`${s.name}\` is used in parallel here, but the PAR does not enroll its processes on it`,
      `write ${p.repl ? `PAR ${p.repl.index.name} = ... FOR ... ENROLL ${s.name}` : `PAR ENROLL ${s.name}`}`,
    );
  }
}

/** The barriers declared outside `body` that it names. */
export function barriersUsed(body: unknown): Symbol[] {
  const used = new Set<Symbol>();
  const inside = new Set<Symbol>();
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const o = n as Record<string, unknown>;
    if (o.kind === 'name' && o.decl && (o.decl as { type?: { kind?: string } }).type?.kind === 'barrier') {
      used.add(o.decl as Symbol);
    }
    if (o.kind === 'decl' && Array.isArray(o.decls)) for (const d of o.decls as Symbol[]) inside.add(d);
    for (const k of Object.keys(o)) {
      if (k === 'span' || k === 'decl' || k === 'decls' || k === 'type' || k === 'constValue') continue;
      visit(o[k]);
    }
  };
  visit(body);
  return [...used].filter((s) => !inside.has(s));
}
