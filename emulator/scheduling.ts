// occam-π's scheduling instructions that are not about channels: `reschedule` (RESCHEDULE (): let every other
// ready process of the same priority run first) (docs/isa.md, RESCHEDULE).

import { OP_CYCLES, Op } from './isa.js';

/** What the scheduling instructions need of a core (emulator/core.ts implements it). */
export interface SchedulingHost {
  cycles: number;
  /** Put the running process at the back of its run queue. */
  extReschedule(): void;
}

/** Execute a scheduling operation, if `op` is one; returns whether it was. */
export function schedulingOperation(h: SchedulingHost, op: number): boolean {
  if (op === Op.reschedule) {
    h.cycles += OP_CYCLES[Op.reschedule]!;
    h.extReschedule();
    return true;
  }
  return false;
}
