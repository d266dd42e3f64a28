// occam-π's scheduling instructions that are not about channels: `reschedule` (RESCHEDULE (): let every other
// ready process of the same priority run first) and the BARRIER instructions `barenroll` and `barsync`
// (docs/isa.md, Barriers). A barrier is four words of memory: the processes enrolled, the processes that have
// synchronised in this phase, and the front and back of the queue of those waiting, linked through W[-2].

import { NOT_PROCESS, OP_CYCLES, Op } from './isa.js';

/** What the scheduling instructions need of a core (emulator/core.ts implements it). */
export interface SchedulingHost {
  A: number;
  B: number;
  C: number;
  Wptr: number;
  priority: 0 | 1;
  cycles: number;
  /** Put the running process at the back of its run queue. */
  extReschedule(): void;
  extRead(addr: number): number;
  extWrite(addr: number, value: number): void;
  /** Deschedule the running process, waiting at the barrier at `barrier`. */
  extBlockSync(barrier: number): void;
  extEnqueue(w: number, p: number): void;
  extFault(reason: string): never;
}

/** Cycles for each waiting process a completed barrier phase releases. */
export const BARRIER_CYCLES_PER_RELEASE = 2;
/** Extra cycles when `barsync` waits. */
export const BARSYNC_WAITS = 6;

const ENROLLED = 0;
const ARRIVED = 4;
const FRONT = 8;
const BACK = 12;
const LINK = -8;

/** Execute a scheduling operation, if `op` is one; returns whether it was. */
export function schedulingOperation(h: SchedulingHost, op: number): boolean {
  if (op === Op.reschedule) {
    h.cycles += OP_CYCLES[Op.reschedule]!;
    h.extReschedule();
    return true;
  }
  if (op === Op.barenroll) {
    // A = barrier, B = processes to enroll (negative: to resign).
    h.cycles += OP_CYCLES[Op.barenroll]!;
    const bar = h.A;
    const enrolled = (h.extRead(bar + ENROLLED) + h.B) | 0;
    if (enrolled < 0) h.extFault('more processes resigned from a BARRIER than were enrolled on it');
    h.A = h.C;
    h.extWrite(bar + ENROLLED, enrolled);
    if (h.B < 0 && h.extRead(bar + ARRIVED) >= enrolled && h.extRead(bar + FRONT) !== NOT_PROCESS) release(h, bar);
    return true;
  }
  if (op === Op.barsync) {
    // A = barrier.
    h.cycles += OP_CYCLES[Op.barsync]!;
    const bar = h.A;
    h.A = h.B;
    h.B = h.C;
    const arrived = (h.extRead(bar + ARRIVED) + 1) | 0;
    if (arrived >= h.extRead(bar + ENROLLED)) {
      release(h, bar);
      return true;
    }
    h.cycles += BARSYNC_WAITS;
    h.extWrite(bar + ARRIVED, arrived);
    const w = h.Wptr | h.priority;
    if (h.extRead(bar + FRONT) === NOT_PROCESS) h.extWrite(bar + FRONT, w);
    else h.extWrite((h.extRead(bar + BACK) & ~3) + LINK, w);
    h.extWrite(bar + BACK, w);
    h.extBlockSync(bar);
    return true;
  }
  return false;
}

/** The phase is complete: every waiting process is queued to run, and the next phase starts empty. */
function release(h: SchedulingHost, bar: number): void {
  let w = h.extRead(bar + FRONT);
  const back = h.extRead(bar + BACK);
  h.extWrite(bar + ARRIVED, 0);
  h.extWrite(bar + FRONT, NOT_PROCESS);
  h.extWrite(bar + BACK, NOT_PROCESS);
  while (w !== NOT_PROCESS) {
    h.cycles += BARRIER_CYCLES_PER_RELEASE;
    const next = w === back ? NOT_PROCESS : h.extRead((w & ~3) + LINK);
    h.extEnqueue(w & ~3, w & 1);
    w = next;
  }
}
