// Semaphores for occam-π's CLAIM of a SHARED channel end: `semclaim` takes the semaphore of a channel end or waits
// for it in a FIFO queue, `semrelease` hands it to the first waiter or frees it (docs/isa.md, Semaphores). The
// state is a plain Map on the core, keyed by the channel's address (bit 0 set for the input end), so a snapshot
// copies it and the code needs no words of memory for it, even for the host's channels.

import { OP_CYCLES, Op } from './isa.js';

/** What the semaphore instructions need of a core (emulator/core.ts implements it). */
export interface SemaphoreHost {
  A: number;
  B: number;
  C: number;
  Wptr: number;
  priority: 0 | 1;
  cycles: number;
  /** Claimed semaphores: key -> the Wdescs waiting for it, in order. A key that is absent is free. */
  readonly semaphores: Map<number, number[]>;
  /** Deschedule the running process, waiting to claim the channel at `channel`. */
  extBlockClaim(channel: number): void;
  extEnqueue(w: number, p: number): void;
}

/** Extra cycles when `semclaim` has to wait, and when `semrelease` hands the semaphore to a waiting process. */
export const SEMCLAIM_WAITS = 12;
export const SEMRELEASE_HANDS_OVER = 4;

/** Execute a semaphore operation, if `op` is one; returns whether it was. */
export function semaphoreOperation(h: SemaphoreHost, op: number): boolean {
  if (op === Op.semclaim) {
    h.cycles += OP_CYCLES[Op.semclaim]!;
    const key = h.A;
    h.A = h.B;
    h.B = h.C;
    const q = h.semaphores.get(key);
    if (q === undefined) {
      h.semaphores.set(key, []);
      return true;
    }
    h.cycles += SEMCLAIM_WAITS;
    q.push(h.Wptr | h.priority);
    h.extBlockClaim(key & ~3);
    return true;
  }
  if (op === Op.semrelease) {
    h.cycles += OP_CYCLES[Op.semrelease]!;
    const key = h.A;
    h.A = h.B;
    h.B = h.C;
    const q = h.semaphores.get(key);
    if (q === undefined) return true;
    const next = q.shift();
    if (next === undefined) h.semaphores.delete(key);
    else {
      h.cycles += SEMRELEASE_HANDS_OVER;
      h.extEnqueue(next & ~3, next & 1);
    }
    return true;
  }
  return false;
}
