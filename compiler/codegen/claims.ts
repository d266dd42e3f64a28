// CLAIM of a SHARED channel end: take the end's semaphore (`semclaim`, which waits while another process holds
// it), run the body, give it back (`semrelease`). The semaphore is named by the channel's address, with bit 0 set
// for the input end; for a SHARED end of a CHAN TYPE, by the bundle's address, with bit 0 set for the server end
// (docs/isa.md, Semaphores and Channel bundles).

import type { Process } from '../ast.js';
import { Fn, Op } from '../../emulator/isa.js';
import type { CodeGen } from './context.js';
import { channelAddress } from './addresses.js';
import { isEnd } from './queries.js';
import { checkDefined, claimKey } from './bundles.js';

export function claim(gen: CodeGen, p: Extract<Process, { kind: 'claim' }>): void {
  const chan = p.channel.kind === 'direction' ? p.channel.channel : p.channel;
  const mark = gen.frame.mark();
  const key = gen.frame.alloc(1);
  gen.line(p.span);
  if (isEnd(chan.type)) {
    checkDefined(gen, chan);
    claimKey(gen, chan);
  } else {
    channelAddress(gen, chan);
    if (p.claimDir === '?') {
      gen.fn(Fn.ldc, 1);
      gen.op(Op.or);
    }
  }
  gen.fn(Fn.stl, key);
  gen.fn(Fn.ldl, key);
  gen.op(Op.semclaim);
  gen.parts.process(gen, p.body);
  gen.fn(Fn.ldl, key);
  gen.op(Op.semrelease);
  gen.frame.release(mark);
}
