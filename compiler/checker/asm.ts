// ASM and GUY blocks: Transputer code written inside an occam process (docs/language.md, ASM and GUY). The
// instructions are those the emulator implements (emulator/isa.ts: the direct functions, the operations, the FPU's
// fpentry operations), with the occam 2.1 reference manual's pseudo-instructions (LD, LDAB, LDABC, ST, STAB,
// STABC, LDLABELDIFF, BYTE, WORD) and labels; this file checks the operands, compiler/codegen/asm.ts emits them.

import type { AsmLine, AsmOperand, Expr, Process } from '../ast.js';
import { constBytes, exprText } from '../ast-queries.js';
import type { Span } from '../source.js';
import { byteSize, isIntegerType, isPrim } from '../types.js';
import { Fn } from '../../emulator/isa.js';
import { ASM_SPECIALS, asmOpKind } from '../asm-instructions.js';
import { walk } from '../reachable.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';
import { checkExpr, checkWritable } from './expressions.js';

const JUMP_FNS = new Set<number>([Fn.j, Fn.cj, Fn.call]);

/** The labels of each routine's ASM blocks: as in occ21, a label is known in every ASM block of its routine. */
const routineLabels = new WeakMap<object, Map<string, Span>>();

/** The labels defined in the ASM blocks under `root`, reporting a label defined twice. */
function labelsUnder(ck: Checker, root: unknown): Map<string, Span> {
  const labels = new Map<string, Span>();
  walk(root, (n) => {
    if (n.kind !== 'asm') return;
    for (const l of (n as Extract<Process, { kind: 'asm' }>).lines) {
      if (l.kind !== 'label') continue;
      const prev = labels.get(l.name);
      if (prev)
        ck.diags.error(l.span, `the label \`:${l.name}\` is defined twice in this PROC`, undefined, [
          { span: prev, message: 'first here' },
        ]);
      else labels.set(l.name, l.span);
    }
  });
  return labels;
}

export function checkAsm(ck: Checker, p: Extract<Process, { kind: 'asm' }>, scope: Scope): void {
  const owner: object = ck.routine ?? p;
  let labels = routineLabels.get(owner);
  if (!labels) {
    labels = labelsUnder(ck, ck.routine ? ck.routine.def : p);
    routineLabels.set(owner, labels);
  }
  const known = labels;
  const label = (o: AsmOperand, name: string): void => {
    if (!known.has(name))
      ck.diags.error(
        o.span,
        `the label \`:${name}\` is not defined in this PROC`,
        `write \`:${name}\` on a line of its own where it is`,
      );
  };
  for (const l of p.lines) if (l.kind === 'op') checkLine(ck, l, scope, label);
}

function checkLine(
  ck: Checker,
  l: Extract<AsmLine, { kind: 'op' }>,
  scope: Scope,
  label: (o: AsmOperand, name: string) => void,
): void {
  const k = asmOpKind(l.op);
  if (!k) {
    ck.diags.error(
      l.span,
      `\`${l.op}\` is not an instruction occmesh implements`,
      'ASM takes the instructions of docs/isa.md by name, LD, ST, LDAB, STAB, LDABC, STABC, LDLABELDIFF, BYTE and WORD',
    );
    return;
  }
  const count = (n: number, what: string): boolean => {
    if (l.operands.length === n) return true;
    ck.diags.error(l.span, `${l.op} takes ${what}, but is given ${l.operands.length}`);
    return false;
  };
  switch (k.kind) {
    case 'op':
    case 'fpentry':
      count(0, 'no operand');
      return;
    case 'fn': {
      if (!count(1, 'one operand')) return;
      const o = l.operands[0]!;
      if (o.kind === 'label') {
        if (!JUMP_FNS.has(k.code)) ck.diags.error(o.span, `a label is an operand of J, CJ and CALL, not of ${l.op}`);
        label(o, o.name);
        return;
      }
      if (o.kind === 'special') {
        if (!ASM_SPECIALS.has(o.name))
          ck.diags.error(o.span, `\`${o.name}\` is not a special name of ASM`, 'they are .WSSIZE, .STATIC and .VSPTR');
        return;
      }
      if (o.kind !== 'expr') {
        ck.diags.error(o.span, `the operand of ${l.op} is a constant`, 'load an address with LD ADDRESSOF x');
        return;
      }
      const t = checkExpr(ck, o.expr, scope);
      // A variable's name: LDL, STL and LDLP reach it wherever it is; any other function takes its workspace offset.
      if (o.expr.kind === 'name' && o.expr.constValue === undefined) {
        const d = o.expr.decl;
        if (d && (d.kind === 'var' || d.kind === 'param' || d.kind === 'abbrev')) {
          if (k.code === Fn.stl) checkWritable(ck, o.expr, scope, 'stored to');
          return;
        }
      }
      constantOperand(ck, l.op, o.expr, t);
      return;
    }
    case 'load':
      if (!count(k.count, k.count === 1 ? 'one value' : `${k.count} values`)) return;
      for (const o of l.operands) loadOperand(ck, l.op, o, scope);
      return;
    case 'store':
      if (!count(k.count, k.count === 1 ? 'one variable' : `${k.count} variables`)) return;
      for (const o of l.operands) {
        if (o.kind !== 'expr') {
          ck.diags.error(o.span, `${l.op} stores into a variable`);
          continue;
        }
        const t = checkWritable(ck, o.expr, scope, 'stored to');
        if (t && !oneWord(t))
          ck.diags.error(o.span, `${l.op} stores one word, but \`${exprText(o.expr)}\` is not a one-word variable`);
      }
      return;
    case 'labeldiff': {
      if (!count(1, 'one operand, :a - :b')) return;
      const o = l.operands[0]!;
      if (o.kind !== 'labeldiff')
        ck.diags.error(o.span, 'LDLABELDIFF loads the distance between two labels', 'write LDLABELDIFF :a - :b');
      else {
        label(o, o.to);
        label(o, o.from);
      }
      return;
    }
    case 'byte':
    case 'word':
      if (l.operands.length === 0) ck.diags.error(l.span, `${l.op} needs the values to put in the code`);
      for (const o of l.operands) {
        if (o.kind !== 'expr') {
          ck.diags.error(o.span, `${l.op} takes constants`);
          continue;
        }
        const t = checkExpr(ck, o.expr, scope);
        if (k.kind === 'byte' && t && t.kind === 'array' && constBytes(o.expr)) continue;
        constantOperand(ck, l.op, o.expr, t);
      }
      return;
  }
}

/** A value LD may load: a one-word value, a channel (its address), or ADDRESSOF anything with an address. */
function loadOperand(ck: Checker, op: string, o: AsmOperand, scope: Scope): void {
  if (o.kind === 'address') {
    checkExpr(ck, o.expr, scope);
    return;
  }
  if (o.kind !== 'expr') {
    ck.diags.error(o.span, `${op} loads values: a label is not one`, 'LDLABELDIFF loads the distance between labels');
    return;
  }
  const t = checkExpr(ck, o.expr, scope);
  if (t && !oneWord(t) && t.kind !== 'chan')
    ck.diags.error(
      o.span,
      `${op} loads one word, but \`${exprText(o.expr)}\` is not a one-word value`,
      'load its address with ADDRESSOF',
    );
}

function constantOperand(ck: Checker, op: string, e: Expr, t: ReturnType<typeof checkExpr>): void {
  if (!t) return;
  if (e.constValue === undefined || !(isIntegerType(t) || isPrim(t, 'BYTE', 'BOOL'))) {
    ck.diags.error(e.span, `the operand of ${op} must be an integer constant`, 'load a variable with LD x');
  }
}

function oneWord(t: NonNullable<ReturnType<typeof checkExpr>>): boolean {
  const n = byteSize(t);
  return t.kind !== 'array' && t.kind !== 'chan' && n !== null && n <= 4 && !isPrim(t, 'REAL32');
}
