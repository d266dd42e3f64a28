// Workspace layout. Every process (a PROC body, or one branch of a PAR) runs with its own workspace pointer and
// owns a frame of word slots above it; everything a process calls or starts lives below its Wptr. All offsets
// are fixed at compile time, so a PAR branch reads its parent's slot j as `ldl j + d` (d = the distance between
// the two workspace pointers) and a PROC's parameters sit at W[size + 1 + i] (docs/codegen.md, Workspace frames).
//
// Sizes are known only once a whole PROC has been generated, so anything that depends on them is a Deferred
// number that the assembler evaluates at the end.

export type Deferred = () => number;

export function deferred(v: number | Deferred): Deferred {
  return typeof v === 'number' ? () => v : v;
}

/**
 * Words below Wptr that the scheduler and instructions use while a process is descheduled (docs/codegen.md,
 * Workspace frames).
 */
export const BELOW_ANY = 2;
export const BELOW_IO = 3;
export const BELOW_TIMER = 5;

/** Words that `call` pushes (return address, A, B, C). */
export const CALL_WORDS = 4;

export class Frame {
  private next: number;
  private high: number;
  private below = BELOW_ANY;
  /** Words needed below Wptr by calls and PARs started from this frame, evaluated lazily. */
  private readonly children: Deferred[] = [];

  constructor(
    /** The frame of the process that started this one (same PROC), or null for a PROC body. */
    readonly parent: Frame | null,
    /** Low slots kept free: W[0], W[1] are scratch (outword buffer, PAR join block) and outgoing parameters. */
    readonly reserved: number,
    /** Words from this frame's Wptr up to its parent's Wptr. */
    readonly distanceToParent: Deferred = () => 0,
  ) {
    this.next = reserved;
    this.high = reserved;
  }

  /** Claim `n` consecutive slots; returns the first. */
  alloc(n: number): number {
    const slot = this.next;
    this.next += n;
    if (this.next > this.high) this.high = this.next;
    return slot;
  }

  /** The allocation point, to be restored with `release` when a scope ends (scopes that never coexist share slots). */
  mark(): number {
    return this.next;
  }

  release(mark: number): void {
    this.next = mark;
  }

  /** Slots in this frame (valid once generation of the frame's process has finished). */
  get size(): number {
    return this.high;
  }

  requireBelow(words: number): void {
    if (words > this.below) this.below = words;
  }

  requireChild(words: Deferred): void {
    this.children.push(words);
  }

  /** Words this process needs below its Wptr. */
  need(): number {
    let n = this.below;
    for (const c of this.children) n = Math.max(n, c());
    return n;
  }

  /** Frame plus everything below it: the space a PAR branch or a callee occupies. */
  total(): number {
    return this.size + this.need();
  }

  /** Word distance from this frame's Wptr up to an enclosing frame's Wptr. */
  distanceTo(target: Frame): Deferred {
    const parts: Deferred[] = [];
    // Up the chain of frames, starting from this one.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let f: Frame | null = this;
    while (f && f !== target) {
      parts.push(f.distanceToParent);
      f = f.parent;
    }
    if (!f) throw new Error('workspace: variable is not in an enclosing frame');
    if (parts.length === 0) return () => 0;
    return () => parts.reduce((s, p) => s + p(), 0);
  }
}
