// A keyboard source that remembers what it delivered, so that a machine restored from a snapshot reads the same
// keyboard bytes again when it re-executes. The machine asks its keyboard function for one byte at a time; a
// function's own state (how far through the input it is) is not part of the machine, so a snapshot cannot copy it.
// A tape records every value it hands out; a snapshot notes the tape's position and restoring one winds the tape
// back to it (emulator/snapshot.ts), after which reads replay the recording until it runs out and then ask the
// real source again.

import type { KeyboardSource } from './core.js';

/** The tape behind each tape's `source` function, so that a snapshot can find the tapes a machine reads. */
const TAPES = new WeakMap<KeyboardSource, KeyboardTape>();

export class KeyboardTape {
  /** Give this to the machine as its `stdin`. */
  readonly source: KeyboardSource;
  /** Every value handed out so far, in order (-1 included: the end of input is replayed too). */
  private readonly recorded: number[] = [];
  private pos = 0;

  constructor(private readonly input: KeyboardSource) {
    this.source = () => this.next();
    TAPES.set(this.source, this);
  }

  /** The tape whose `source` this is, if it is one. */
  static of(source: KeyboardSource): KeyboardTape | undefined {
    return TAPES.get(source);
  }

  /** How many reads the machine has made. */
  get position(): number {
    return this.pos;
  }

  /** How many values have been recorded (reads beyond this ask the real source). */
  get length(): number {
    return this.recorded.length;
  }

  /** Wind the tape to `position` (at most its length): the next read replays the value recorded there. */
  seek(position: number): void {
    if (!Number.isInteger(position) || position < 0 || position > this.recorded.length) {
      throw new RangeError(`keyboard tape position ${position} is outside 0..${this.recorded.length}`);
    }
    this.pos = position;
  }

  private next(): number {
    if (this.pos < this.recorded.length) return this.recorded[this.pos++]!;
    const b = this.input();
    this.recorded.push(b);
    this.pos++;
    return b;
  }
}
