// occam-π SHARED channel ends and CLAIM: a shared end may be used only by the process that has claimed it, so
// several processes can share one end and take turns. This file checks CLAIM and the rule that a shared end is
// used inside a CLAIM of it (docs/language.md, SHARED channels and CLAIM).

import type { Expr, Process } from '../ast.js';
import { exprText, rootName } from '../ast-queries.js';
import type { Symbol } from '../symbols.js';
import { type SharedEnds, type Type, typeName } from '../types.js';
import type { Checker } from './context.js';
import type { Scope } from './scope.js';
import { endFieldOf } from './chantypes.js';

/** The channel ends claimed by the CLAIMs around the process being checked. */
const claimed = new WeakMap<Checker, { sym: Symbol; dir: '?' | '!' }[]>();

/** Whether channel type `t` (or the channels of an array type) has end `dir` shared. */
export function sharedEnd(t: Type | undefined, dir: '?' | '!'): boolean {
  while (t && t.kind === 'array') t = t.elem;
  // A SHARED end of a CHAN TYPE is shared for every use of its channels.
  if (t && t.kind === 'end') return !!t.shared;
  return !!t && t.kind === 'chan' && covers(t.shared, dir);
}

function covers(shared: SharedEnds | undefined, dir: '?' | '!'): boolean {
  return shared === 'both' || shared === dir;
}

/** A communication on channel `e` in direction `dir`: a shared end must be claimed. */
export function checkClaimedUse(ck: Checker, e: Expr, t: Type, dir: '?' | '!'): void {
  const field = endFieldOf(e);
  if (field?.end.shared) {
    const sym = rootName(e)?.decl;
    if (!sym || (claimed.get(ck) ?? []).some((c) => c.sym === sym && c.dir === field.end.end)) return;
    const name = sym.name;
    ck.diags.error(
      e.span,
      `\`${name}\` is a SHARED end of ${field.end.def.name}: its channels can be used only inside a CLAIM of it`,
      `write CLAIM ${name} with this process indented under it`,
    );
    return;
  }
  if (t.kind !== 'chan' || !covers(t.shared, dir)) return;
  const sym = rootName(e)?.decl;
  if (!sym) return;
  if ((claimed.get(ck) ?? []).some((c) => c.sym === sym && c.dir === dir)) return;
  const name = exprText(e.kind === 'direction' ? e.channel : e);
  ck.diags.error(
    e.span,
    `the ${dir === '!' ? 'output (!)' : 'input (?)'} end of \`${name}\` is SHARED: it can be used only inside a CLAIM of it`,
    `write CLAIM ${name}${dir} with this process indented under it`,
  );
}

/** `CLAIM c!` / `CLAIM c?`: the channel end must be SHARED; the body has it to itself. */
export function checkClaim(
  ck: Checker,
  p: Extract<Process, { kind: 'claim' }>,
  scope: Scope,
  body: (p: Process, scope: Scope) => void,
): void {
  const chan = p.channel.kind === 'direction' ? p.channel.channel : p.channel;
  const t = ck.parts.checkExpr(ck, chan, scope);
  let dir: '?' | '!' | null = p.channel.kind === 'direction' ? p.channel.direction : null;
  const sym = rootName(chan)?.decl;
  if (t && t.kind === 'end') {
    if (!t.shared) {
      ck.diags.error(
        chan.span,
        `\`${exprText(chan)}\` is not a SHARED end, so it cannot be claimed`,
        `declare it SHARED ${typeName(t)} or use it without CLAIM`,
      );
    } else if (dir !== null && dir !== t.end) {
      ck.diags.error(p.channel.span, `\`${exprText(chan)}\` is the ${t.end} end of ${t.def.name}, not the ${dir} end`);
    }
    dir = t.end;
  } else if (t) {
    if (t.kind !== 'chan') {
      ck.diags.error(chan.span, `\`${exprText(chan)}\` is not a channel: CLAIM takes a SHARED channel end`);
    } else if (!t.shared) {
      ck.diags.error(
        chan.span,
        `\`${exprText(chan)}\` is not SHARED, so it cannot be claimed`,
        `declare it SHARED (e.g. SHARED CHAN ${'...'} ${exprText(chan)}:) or use it without CLAIM`,
      );
    } else {
      if (dir === null) {
        const param = sym && sym.kind === 'param' ? sym.direction : null;
        dir = t.shared === 'both' ? param : t.shared;
        if (!dir) {
          ck.diags.error(
            p.channel.span,
            `say which end of \`${exprText(chan)}\` is claimed`,
            `write CLAIM ${exprText(chan)}! or CLAIM ${exprText(chan)}?`,
          );
        }
      } else if (!covers(t.shared, dir)) {
        ck.diags.error(
          p.channel.span,
          `the ${dir === '!' ? 'output (!)' : 'input (?)'} end of \`${exprText(chan)}\` is not SHARED, so it cannot be claimed`,
        );
      }
    }
  }
  const list = claimed.get(ck) ?? [];
  claimed.set(ck, list);
  const pushed = !!(sym && dir);
  if (pushed) {
    if (list.some((c) => c.sym === sym && c.dir === dir)) {
      ck.diags.error(p.channel.span, `\`${exprText(chan)}${dir}\` is already claimed by a CLAIM around this one`);
    }
    list.push({ sym: sym!, dir: dir! });
  }
  p.claimDir = dir ?? '!';
  body(p.body, scope);
  if (pushed) list.pop();
}
