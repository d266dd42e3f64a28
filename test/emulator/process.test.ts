// Process, channel, ALT and timer instructions, one at a time: effect on memory, queues and registers, and cost.

import { describe, it, expect } from 'vitest';
import {
  encodeOp,
  Op,
  OP_CYCLES,
  MOST_NEG,
  NOT_PROCESS,
  ENABLING,
  WAITING,
  READY,
  TIME_SET,
  TIME_NOT_SET,
} from '../../emulator/isa.js';
import { HOST_ERROR, HOST_KEYBOARD, HOST_SCREEN, MEM_START } from '../../emulator/image.js';
import { Core, type CoreOptions } from '../../emulator/core.js';
import { text } from '../helpers/asm.js';

const DATA = (MOST_NEG + 0x1000) | 0;
const CHAN = (MOST_NEG + 0x0f00) | 0;
/** A second process's workspace (low priority unless said otherwise). */
const P = (MOST_NEG + 0x1800) | 0;

function setup(ops: number[], regs: { A?: number; B?: number; C?: number } = {}, options: CoreOptions = {}): Core {
  const code: number[] = [];
  for (const op of ops) encodeOp(op, code);
  const core = new Core({ memoryBytes: 8192, ...options });
  core.load(Uint8Array.from(code), 0);
  core.HaltOnError = false;
  core.A = regs.A ?? 0;
  core.B = regs.B ?? 0;
  core.C = regs.C ?? 0;
  core.writeWord(CHAN, NOT_PROCESS);
  return core;
}

function step(core: Core): number {
  const c0 = core.cycles;
  core.step();
  return core.cycles - c0;
}

const pre = (op: number) => encodeOp(op).length - 1;
const next = (op: number) => (MEM_START + encodeOp(op).length) | 0;

describe('processes', () => {
  it('startp queues a new process at the current priority with its Iptr in W[-1] (12 cycles)', () => {
    const core = setup([Op.startp], { A: P, B: 40 });
    expect(step(core)).toBe(pre(Op.startp) + 12);
    expect(core.readWord(P - 4)).toBe((next(Op.startp) + 40) | 0);
    expect(core.fptr[1]).toBe(P);
    expect(core.bptr[1]).toBe(P);
    expect(core.active).toBe(true);
    expect(core.Wptr).toBe(core.bootWptr);
  });

  it('startp appends behind processes already queued, linking through W[-2]', () => {
    const core = setup([Op.startp, Op.startp]);
    const Q = (P + 0x100) | 0;
    core.A = P;
    core.step();
    core.A = Q;
    core.step();
    expect(core.fptr[1]).toBe(P);
    expect(core.bptr[1]).toBe(Q);
    expect(core.readWord(P - 8)).toBe(Q);
  });

  it('endp with count > 1 ends the process and decrements the count (13 cycles)', () => {
    const core = setup([Op.endp], { A: DATA });
    core.writeWord(DATA, (MEM_START + 100) | 0);
    core.writeWord(DATA + 4, 2);
    expect(step(core)).toBe(13);
    expect(core.readWord(DATA + 4)).toBe(1);
    expect(core.active).toBe(false);
    expect(core.blockedProcesses()).toMatchObject([
      { wptr: DATA, kind: 'endp', resume: (MEM_START + 100) | 0, iptr: -1 },
    ]);
  });

  it('endp with count 1 continues as the parent: Wptr = A, Iptr = [A]', () => {
    const core = setup([Op.endp], { A: DATA });
    core.writeWord(DATA, (MEM_START + 100) | 0);
    core.writeWord(DATA + 4, 1);
    expect(step(core)).toBe(13);
    expect(core.readWord(DATA + 4)).toBe(0);
    expect(core.active).toBe(true);
    expect(core.Wptr).toBe(DATA);
    expect(core.Iptr).toBe((MEM_START + 100) | 0);
  });

  it('runp queues a low-priority Wdesc (10 cycles)', () => {
    const core = setup([Op.runp], { A: P | 1 });
    core.writeWord(P - 4, (MEM_START + 8) | 0);
    expect(step(core)).toBe(pre(Op.runp) + 10);
    expect(core.fptr[1]).toBe(P);
    expect(core.active && core.priority === 1 && core.Wptr === core.bootWptr).toBe(true);
  });

  it('runp of a high-priority Wdesc preempts the running low-priority process', () => {
    const core = setup([Op.runp], { A: P, B: 11, C: 12 });
    core.writeWord(P - 4, (MEM_START + 8) | 0);
    step(core);
    expect(core.priority).toBe(0);
    expect(core.Wptr).toBe(P);
    expect(core.Iptr).toBe((MEM_START + 8) | 0);
    expect(core.interrupted).toBe(true);
    expect(core.intWptr).toBe(core.bootWptr);
    expect(core.intIptr).toBe(next(Op.runp));
    expect([core.intB, core.intC]).toEqual([11, 12]);
  });

  it('stopp saves Iptr and deschedules without queueing (11 cycles)', () => {
    const core = setup([Op.stopp]);
    expect(step(core)).toBe(pre(Op.stopp) + 11);
    expect(core.active).toBe(false);
    expect(core.readWord(core.bootWptr - 4)).toBe(next(Op.stopp));
    expect(core.fptr[1]).toBe(NOT_PROCESS);
    expect(core.blockedProcesses()).toMatchObject([{ kind: 'stopped', priority: 1 }]);
  });

  it('haltp finishes the core (pfix F; opr 0)', () => {
    expect(encodeOp(Op.haltp)).toEqual([0x2f, 0xf0]);
    const core = setup([Op.haltp]);
    expect(step(core)).toBe(1 + OP_CYCLES[Op.haltp]!);
    expect(core.finished).toBe(true);
    expect(core.state).toBe('finished');
    expect(core.step()).toBe(false);
  });
});

describe('soft channels', () => {
  it('in on an empty channel: channel = Wdesc, W[-3] = destination, deschedule (19 cycles)', () => {
    const core = setup([Op.in], { A: 4, B: CHAN, C: DATA });
    expect(step(core)).toBe(19);
    const w = core.bootWptr;
    expect(core.readWord(CHAN)).toBe(w | 1);
    expect(core.readWord(w - 12)).toBe(DATA);
    expect(core.readWord(w - 4)).toBe(next(Op.in));
    expect(core.active).toBe(false);
    expect(core.blockedProcesses()).toEqual([
      { wptr: w, resume: next(Op.in), iptr: 1, priority: 1, kind: 'input', channel: CHAN },
    ]);
  });

  it('in with an outputter waiting copies, resets the channel, queues the outputter (2w + 19)', () => {
    const core = setup([Op.in], { A: 10, B: CHAN, C: DATA });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA + 0x100);
    for (let i = 0; i < 10; i++) core.writeByte(DATA + 0x100 + i, 0x41 + i);
    expect(step(core)).toBe(19 + 2 * 3);
    expect(text(core.mem8.slice(0x1000, 0x100a))).toBe('ABCDEFGHIJ');
    expect(core.readByte(DATA + 10)).toBe(0);
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
    expect(core.fptr[1]).toBe(P);
    expect(core.active).toBe(true);
  });

  it('out on an empty channel waits with its source pointer in W[-3] (19 cycles)', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    expect(step(core)).toBe(19);
    expect(core.readWord(CHAN)).toBe(core.bootWptr | 1);
    expect(core.readWord(core.bootWptr - 12)).toBe(DATA);
    expect(core.blockedProcesses()[0]).toMatchObject({ kind: 'output', channel: CHAN });
  });

  it('out to a waiting inputter copies into its buffer and queues it', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    core.writeWord(DATA, 0x12345678);
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA + 0x40);
    expect(step(core)).toBe(19 + 2);
    expect(core.readWord(DATA + 0x40)).toBe(0x12345678);
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
    expect(core.fptr[1]).toBe(P);
  });

  it('out to a waiting high-priority inputter preempts the low-priority outputter', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    core.writeWord(CHAN, P); // high priority Wdesc
    core.writeWord(P - 12, DATA + 0x40);
    core.writeWord(P - 4, (MEM_START + 50) | 0);
    step(core);
    expect(core.priority).toBe(0);
    expect(core.Wptr).toBe(P);
    expect(core.interrupted).toBe(true);
    expect(core.intIptr).toBe(next(Op.out));
  });

  it('out to an ALT that is waiting: sets Ready, queues the ALTer, and waits itself', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, WAITING);
    expect(step(core)).toBe(19);
    expect(core.readWord(P - 12)).toBe(READY);
    expect(core.readWord(CHAN)).toBe(core.bootWptr | 1);
    expect(core.readWord(core.bootWptr - 12)).toBe(DATA);
    // The ALTer was queued and, the outputter having blocked, runs next.
    expect(core.Wptr).toBe(P);
    expect(core.active).toBe(true);
  });

  it('out to an ALT that is still enabling: sets Ready but never queues it', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, ENABLING);
    step(core);
    expect(core.readWord(P - 12)).toBe(READY);
    expect(core.fptr[1]).toBe(NOT_PROCESS);
    expect(core.active).toBe(false);
  });

  it('out to an ALT already Ready changes nothing but the channel', () => {
    const core = setup([Op.out], { A: 4, B: CHAN, C: DATA });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, READY);
    step(core);
    expect(core.readWord(P - 12)).toBe(READY);
    expect(core.fptr[1]).toBe(NOT_PROCESS);
    expect(core.readWord(CHAN)).toBe(core.bootWptr | 1);
  });

  it('outword stores A at W[0] and sends 4 bytes from there (23 cycles)', () => {
    const core = setup([Op.outword], { A: -2, B: CHAN });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA);
    expect(step(core)).toBe(23);
    expect(core.readWord(core.bootWptr)).toBe(-2);
    expect(core.readWord(DATA)).toBe(-2);
    expect(core.fptr[1]).toBe(P);
  });

  it('outword on an empty channel waits with W[-3] = Wptr', () => {
    const core = setup([Op.outword], { A: 77, B: CHAN });
    expect(step(core)).toBe(23);
    expect(core.readWord(core.bootWptr - 12)).toBe(core.bootWptr);
    expect(core.readWord(core.bootWptr)).toBe(77);
  });

  it('outbyte sends one byte (23 cycles)', () => {
    const core = setup([Op.outbyte], { A: 0x1ff, B: CHAN });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA);
    core.writeWord(DATA, -1);
    expect(step(core)).toBe(23);
    expect(core.readWord(DATA)).toBe(0xffffff00 | 0xff);
    expect(core.readByte(DATA)).toBe(0xff);
    expect(core.readByte(DATA + 1)).toBe(0xff);
  });

  it('resetch returns the old channel word and empties the channel (3 cycles)', () => {
    const core = setup([Op.resetch], { A: CHAN, B: 5 });
    core.writeWord(CHAN, P | 1);
    expect(step(core)).toBe(pre(Op.resetch) + 3);
    expect(core.A).toBe(P | 1);
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
  });

  it('a zero-length transfer only synchronises', () => {
    const core = setup([Op.in], { A: 0, B: CHAN, C: DATA });
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA + 0x40);
    expect(step(core)).toBe(19);
    expect(core.fptr[1]).toBe(P);
  });
});

describe('host device channels', () => {
  it('out to the screen appends bytes (2w + 19) and the process continues', () => {
    const core = setup([Op.out], { A: 5, B: HOST_SCREEN, C: DATA });
    core.mem8.set(Buffer.from('hello'), 0x1000);
    expect(step(core)).toBe(19 + 4);
    expect(core.active).toBe(true);
    expect(text(core.screenOutput())).toBe('hello');
  });

  it('outbyte and outword to the screen', () => {
    const core = setup([Op.outbyte, Op.outword], { A: 0x41, B: HOST_SCREEN });
    expect(step(core)).toBe(23);
    core.A = 0x44434241;
    core.B = HOST_SCREEN;
    expect(step(core)).toBe(23);
    expect(text(core.screenOutput())).toBe('AABCD');
  });

  it('the error channel goes to onError', () => {
    const got: number[] = [];
    const core = setup([Op.outbyte], { A: 0x45, B: HOST_ERROR }, { onError: (b) => got.push(...b) });
    core.step();
    expect(got).toEqual([0x45]);
    expect(core.screenOutput().length).toBe(0);
  });

  it('in from the keyboard takes stdin bytes, then 255 for ever (end of file)', () => {
    const core = setup([Op.in, Op.in], { A: 3, B: HOST_KEYBOARD, C: DATA }, { stdin: Uint8Array.from([1, 2]) });
    expect(step(core)).toBe(19 + 2);
    expect([core.readByte(DATA), core.readByte(DATA + 1), core.readByte(DATA + 2)]).toEqual([1, 2, 255]);
    core.A = 1;
    core.B = HOST_KEYBOARD;
    core.C = DATA + 8;
    step(core);
    expect(core.readByte(DATA + 8)).toBe(255);
  });

  it('input from the screen channel is a run-time error', () => {
    const core = setup([Op.in], { A: 1, B: HOST_SCREEN, C: DATA });
    core.step();
    expect(core.fault?.reason).toBe('input from an output-only host channel');
  });

  it('on a core without the host, device channels are not connected', () => {
    const core = setup([Op.outbyte], { A: 1, B: HOST_SCREEN }, { x: 1, y: 0 });
    core.step();
    expect(core.state).toBe('error');
    expect(core.fault).toMatchObject({ reason: 'channel is not connected', instruction: 'outbyte', offset: 0 });
  });

  it('a hard link address is not connected', () => {
    const core = setup([Op.out], { A: 1, B: (MOST_NEG + 4) | 0, C: DATA });
    core.step();
    expect(core.fault?.reason).toBe('channel is not connected');
  });
});

describe('ALT instructions', () => {
  it('alt sets State = Enabling (2 cycles)', () => {
    const core = setup([Op.alt]);
    expect(step(core)).toBe(pre(Op.alt) + 2);
    expect(core.readWord(core.bootWptr - 12)).toBe(ENABLING);
  });

  it('talt also sets TLink = TimeNotSet (4 cycles)', () => {
    const core = setup([Op.talt]);
    expect(step(core)).toBe(pre(Op.talt) + 4);
    expect(core.readWord(core.bootWptr - 12)).toBe(ENABLING);
    expect(core.readWord(core.bootWptr - 16)).toBe(TIME_NOT_SET);
  });

  it('enbc on an empty channel writes own Wdesc (5 cycles)', () => {
    const core = setup([Op.alt, Op.enbc]);
    core.step();
    core.A = 1;
    core.B = CHAN;
    core.C = 9;
    expect(step(core)).toBe(pre(Op.enbc) + 5);
    expect(core.readWord(CHAN)).toBe(core.bootWptr | 1);
    expect(core.readWord(core.bootWptr - 12)).toBe(ENABLING);
    expect([core.A, core.B]).toEqual([1, 9]);
  });

  it('enbc with an outputter waiting sets Ready (7 cycles); any non-zero guard is TRUE', () => {
    const core = setup([Op.alt, Op.enbc]);
    core.step();
    core.writeWord(CHAN, P | 1);
    core.A = 5;
    core.B = CHAN;
    expect(step(core)).toBe(pre(Op.enbc) + 7);
    expect(core.readWord(core.bootWptr - 12)).toBe(READY);
    expect(core.readWord(CHAN)).toBe(P | 1);
  });

  it('enbc with a FALSE guard does nothing; with own Wdesc already there does nothing', () => {
    const core = setup([Op.alt, Op.enbc, Op.enbc]);
    core.step();
    core.A = 0;
    core.B = CHAN;
    core.step();
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
    core.writeWord(CHAN, core.bootWptr | 1);
    core.A = 1;
    core.B = CHAN;
    core.step();
    expect(core.readWord(core.bootWptr - 12)).toBe(ENABLING);
  });

  it('enbc on the keyboard is ready', () => {
    const core = setup([Op.alt, Op.enbc]);
    core.step();
    core.A = 1;
    core.B = HOST_KEYBOARD;
    expect(step(core)).toBe(pre(Op.enbc) + 7);
    expect(core.readWord(core.bootWptr - 12)).toBe(READY);
  });

  it('enbs sets Ready for a TRUE guard (3 cycles)', () => {
    const core = setup([Op.alt, Op.enbs, Op.enbs]);
    core.step();
    core.A = 0;
    expect(step(core)).toBe(pre(Op.enbs) + 3);
    expect(core.readWord(core.bootWptr - 12)).toBe(ENABLING);
    core.A = -7;
    core.step();
    expect(core.readWord(core.bootWptr - 12)).toBe(READY);
  });

  it('enbt keeps the earliest time (8 cycles)', () => {
    const core = setup([Op.talt, Op.enbt, Op.enbt, Op.enbt]);
    core.step();
    core.A = 1;
    core.B = 500;
    expect(step(core)).toBe(pre(Op.enbt) + 8);
    expect(core.readWord(core.bootWptr - 16)).toBe(TIME_SET);
    expect(core.readWord(core.bootWptr - 20)).toBe(500);
    core.A = 1;
    core.B = 300;
    core.step();
    expect(core.readWord(core.bootWptr - 20)).toBe(300);
    core.A = 1;
    core.B = 400;
    core.step();
    expect(core.readWord(core.bootWptr - 20)).toBe(300);
  });

  it('altwt with a ready guard continues with W[0] = -1 (5 cycles)', () => {
    const core = setup([Op.alt, Op.enbs, Op.altwt]);
    core.step();
    core.A = 1;
    core.step();
    expect(step(core)).toBe(pre(Op.altwt) + 5);
    expect(core.readWord(core.bootWptr)).toBe(-1);
    expect(core.active).toBe(true);
  });

  it('altwt with nothing ready waits (17 cycles) until an output makes it ready', () => {
    const core = setup([Op.alt, Op.enbc, Op.altwt]);
    core.step();
    core.A = 1;
    core.B = CHAN;
    core.step();
    expect(step(core)).toBe(pre(Op.altwt) + 17);
    expect(core.readWord(core.bootWptr - 12)).toBe(WAITING);
    expect(core.active).toBe(false);
    expect(core.blockedProcesses()).toMatchObject([{ kind: 'alt' }]);
  });

  it('taltwt when the time has passed continues (15 cycles)', () => {
    const core = setup([Op.talt, Op.enbt, Op.taltwt]);
    core.cycles = 20 * 1000; // timer = 1000
    core.step();
    core.A = 1;
    core.B = 999;
    core.step();
    expect(step(core)).toBe(pre(Op.taltwt) + 15);
    expect(core.active).toBe(true);
    expect(core.readWord(core.bootWptr)).toBe(-1);
  });

  it('taltwt with a future time joins the timer queue (48 cycles) and the timer makes it ready', () => {
    const core = setup([Op.talt, Op.enbt, Op.taltwt, Op.diss]);
    core.step();
    core.A = 1;
    core.B = 100;
    core.step();
    expect(step(core)).toBe(pre(Op.taltwt) + 48);
    const w = core.bootWptr;
    expect(core.active).toBe(false);
    expect(core.tptr[1]).toBe(w);
    expect(core.readWord(w - 20)).toBe(101);
    expect(core.readWord(w - 12)).toBe(WAITING);
    expect(core.nextEventCycle).toBe(101 * 20);
    expect(core.run(101 * 20 + 10)).toBe('running');
    expect(core.cycles).toBeGreaterThanOrEqual(101 * 20);
    expect(core.readWord(w - 12)).toBe(READY);
    expect(core.readWord(w - 16)).toBe(TIME_SET);
  });

  it('disc: own Wdesc is reset and not selected; a waiting outputter is selected (8 cycles)', () => {
    const core = setup([Op.disc, Op.disc, Op.disc]);
    const w = core.bootWptr;
    core.writeWord(w, -1);
    core.writeWord(CHAN, w | 1);
    core.C = CHAN;
    core.B = 1;
    core.A = 20;
    expect(step(core)).toBe(pre(Op.disc) + 8);
    expect(core.A).toBe(0);
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
    core.writeWord(CHAN, P | 1);
    core.C = CHAN;
    core.B = 1;
    core.A = 30;
    core.step();
    expect(core.A).toBe(1);
    expect(core.readWord(w)).toBe(30);
    expect(core.readWord(CHAN)).toBe(P | 1);
    core.C = CHAN;
    core.B = 1;
    core.A = 40;
    core.step();
    expect(core.A).toBe(0); // already selected
    expect(core.readWord(w)).toBe(30);
  });

  it('disc with a FALSE guard still undoes its own enable but selects nothing', () => {
    const core = setup([Op.disc]);
    const w = core.bootWptr;
    core.writeWord(w, -1);
    core.writeWord(CHAN, w | 1);
    core.C = CHAN;
    core.B = 0;
    core.A = 20;
    core.step();
    expect(core.A).toBe(0);
    expect(core.readWord(CHAN)).toBe(NOT_PROCESS);
    expect(core.readWord(w)).toBe(-1);
  });

  it('diss selects a TRUE guard if nothing is selected (4 cycles)', () => {
    const core = setup([Op.diss, Op.diss]);
    const w = core.bootWptr;
    core.writeWord(w, -1);
    core.B = 0;
    core.A = 8;
    expect(step(core)).toBe(pre(Op.diss) + 4);
    expect(core.A).toBe(0);
    core.B = 2;
    core.A = 8;
    core.step();
    expect(core.A).toBe(1);
    expect(core.readWord(w)).toBe(8);
  });

  it('dist removes the process from the timer queue and selects a passed time (23 cycles)', () => {
    const core = setup([Op.talt, Op.enbt, Op.enbc, Op.taltwt, Op.dist, Op.dist]);
    const w = core.bootWptr;
    core.step();
    core.A = 1;
    core.B = 1000;
    core.step();
    core.A = 1;
    core.B = CHAN;
    core.step();
    core.step(); // waits on the timer queue
    expect(core.tptr[1]).toBe(w);
    // An outputter arrives: the ALT becomes ready before its time.
    core.writeWord(CHAN, P | 1);
    core.writeWord(P - 12, DATA);
    core.writeWord(w - 12, READY);
    core.fptr[1] = w;
    core.bptr[1] = w;
    core.step(); // resumes; dist with time 1000 not yet passed
    expect(core.Wptr).toBe(w);
    expect(core.tptr[1]).toBe(NOT_PROCESS);
    expect(core.readWord(w - 16)).toBe(TIME_SET);
    expect(core.A).toBe(0);
    expect(core.nextEventCycle).toBe(Infinity);
    core.cycles = 20 * 2000;
    core.C = 1000;
    core.B = 1;
    core.A = 12;
    expect(step(core)).toBe(pre(Op.dist) + 23);
    expect(core.A).toBe(1);
    expect(core.readWord(w)).toBe(12);
  });
});

describe('timers', () => {
  it('ldtimer reads microseconds: cycles / 20 at 20 MHz (2 cycles)', () => {
    const core = setup([Op.ldtimer]);
    core.cycles = 20 * 1234 + 18; // the prefix byte takes one more cycle
    expect(step(core)).toBe(pre(Op.ldtimer) + 2);
    expect(core.A).toBe(1234);
  });

  it('sttimer sets the clock (1 cycle)', () => {
    const core = setup([Op.sttimer, Op.ldtimer], { A: -5, B: 3 });
    expect(step(core)).toBe(pre(Op.sttimer) + 1);
    expect(core.A).toBe(3);
    core.step();
    expect(core.A).toBe(-5);
  });

  it('tin with a time in the past continues (4 cycles)', () => {
    const core = setup([Op.tin], { A: 10 });
    core.cycles = 20 * 11;
    expect(step(core)).toBe(pre(Op.tin) + 4);
    expect(core.active).toBe(true);
  });

  it('tin with a future time waits: stores time + 1, Enabling in W[-3] (30 cycles)', () => {
    const core = setup([Op.tin, Op.ldtimer], { A: 30 });
    core.cycles = 20 * 20 - 1;
    expect(step(core)).toBe(pre(Op.tin) + 30);
    const w = core.bootWptr;
    expect(core.active).toBe(false);
    expect(core.tptr[1]).toBe(w);
    expect(core.readWord(w - 20)).toBe(31);
    expect(core.readWord(w - 12)).toBe(ENABLING);
    expect(core.nextEventCycle).toBe(31 * 20);
    expect(core.state).toBe('idle');
    core.run(31 * 20 - 1);
    expect(core.active).toBe(false);
    expect(core.cycles).toBe(400 + 30); // idle: it stops where it ran out of work
    core.run(31 * 20 + 5);
    expect(core.cycles).toBeGreaterThanOrEqual(31 * 20);
    expect(core.A).toBe(31);
    // Idle time is not busy time.
    expect(core.busyCycles).toBeLessThan(100);
  });

  it('AFTER wraps around: a time just below the clock modulo 2^32 is in the past', () => {
    const core = setup([Op.sttimer, Op.tin], { A: MOST_NEG + 5, B: (MOST_NEG + 5 - 10) | 0 });
    core.step(); // clock = MostNeg + 5 (i.e. past the wrap)
    core.A = 0x7ffffff0; // before the clock, modulo 2^32
    core.step();
    expect(core.active).toBe(true);
  });
});
