// The statement wrapper: a statement's FUNCTION calls are evaluated into temporaries before its own code,
// because `call` destroys the whole register stack (docs/codegen.md, FUNCTION calls). Every part that
// generates a statement goes through `statement`.

import type { Expr } from '../ast.js';
import { Fn } from '../../emulator/isa.js';
import { isWide, resultsInRegisters, wordsFor } from './queries.js';
import type { CodeGen } from './context.js';

/** Generate one statement: FUNCTION calls in `exprs` are evaluated first, into temporaries freed at the end. */
export function statement(gen: CodeGen, exprs: readonly (Expr | null | undefined)[], body: () => void): void {
  const mark = gen.frame.mark();
  const before = new Set(gen.hoisted.keys());
  prepare(gen, exprs);
  body();
  for (const k of [...gen.hoisted.keys()]) if (!before.has(k)) gen.hoisted.delete(k);
  gen.frame.release(mark);
}

/**
 * A statement whose FUNCTION calls' temporaries outlive it: an abbreviation of a call's array or record result
 * (`VAL [2]INT p IS pair (0, 1):`) keeps the temporary's address, so the slot stays allocated for the
 * abbreviation's scope (the frame's own scopes release it) instead of being reused by the next statement.
 */
export function lastingStatement(gen: CodeGen, exprs: readonly (Expr | null | undefined)[], body: () => void): void {
  const before = new Set(gen.hoisted.keys());
  prepare(gen, exprs);
  body();
  for (const k of [...gen.hoisted.keys()]) if (!before.has(k)) gen.hoisted.delete(k);
}

/**
 * Evaluate the FUNCTION calls inside expressions into temporaries, innermost first, because `call` destroys
 * A, B and C (docs/codegen.md, FUNCTION calls). Calls under the right operand of AND / OR, and inside array
 * constructors, are left for the code that evaluates them, so they run only when occam says they do.
 */
export function prepare(gen: CodeGen, exprs: readonly (Expr | null | undefined)[]): void {
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'call':
        for (const a of e.args) visit(a);
        if (!gen.hoisted.has(e) && e.constValue === undefined) {
          const callee = e.decl!;
          if (!resultsInRegisters(callee)) {
            // An array or record result: the FUNCTION stores it in the temporary.
            const t = gen.frame.alloc(wordsFor(e.type!));
            gen.parts.callRoutine(gen, callee, e.args, [{ emit: () => gen.fn(Fn.ldlp, t), depth: 1 }]);
            gen.hoisted.set(e, { frame: gen.frame, slot: () => t });
            return;
          }
          gen.parts.callRoutine(gen, callee, e.args);
          const wide = isWide(e.type);
          const t = gen.frame.alloc(wide ? 2 : 1);
          gen.fn(Fn.stl, t);
          if (wide) gen.fn(Fn.stl, t + 1);
          gen.hoisted.set(e, { frame: gen.frame, slot: () => t });
        }
        return;
      case 'dyadic':
        visit(e.left);
        if (e.op !== 'AND' && e.op !== 'OR') visit(e.right);
        return;
      case 'monadic':
      case 'conversion':
      case 'size':
        visit(e.operand);
        return;
      case 'subscript':
        visit(e.base);
        visit(e.index);
        return;
      case 'slice':
        visit(e.base);
        if (e.start) visit(e.start);
        if (e.count) visit(e.count);
        return;
      case 'table':
        e.elems.forEach(visit);
        return;
      case 'direction':
        visit(e.channel);
        return;
      case 'constructor':
        visit(e.base);
        visit(e.count);
        if (e.step) visit(e.step);
        return;
      default:
        return;
    }
  };
  for (const e of exprs) if (e && e.constValue === undefined) visit(e);
}
