// The machine's event stream: what the debugger and trace exporters watch. Producers check `active` before they
// build an event, so a run nobody watches pays one boolean test per scheduling decision and per packet.

export interface Coord {
  readonly x: number;
  readonly y: number;
}

export type MachineEvent =
  /**
   * A process starts or resumes running on a core: from a run queue, or (`resumed`) the low-priority process a
   * high-priority one interrupted. `iptr` is the code offset where it carries on (-1 outside the code).
   */
  | {
      readonly kind: 'scheduled';
      readonly cycle: number;
      readonly core: Coord;
      readonly wptr: number;
      readonly iptr?: number;
      readonly resumed?: boolean;
    }
  /**
   * A process is descheduled to wait (on a channel, a timer, an ALT, or STOP). `iptr` is the code offset of its
   * resume point; `channel` the channel word's address, for input and output; `done` the cycle at which the
   * instruction that blocked has finished (the processor is free from then).
   */
  | {
      readonly kind: 'blocked';
      readonly cycle: number;
      readonly done?: number;
      readonly core: Coord;
      readonly wptr: number;
      readonly waiting: string;
      readonly iptr?: number;
      readonly channel?: number;
    }
  /**
   * A PAR branch or a core's boot process has finished. For a branch, `join` is the PAR's join block and `last`
   * says whether it was the last branch, so that the process that started the PAR carries on (with Wptr = join).
   */
  | {
      readonly kind: 'ended';
      readonly cycle: number;
      readonly core: Coord;
      readonly wptr: number;
      readonly join?: number;
      readonly last?: boolean;
    }
  /** A process joins a run queue (started, woken, or put back at a timeslice). */
  | { readonly kind: 'ready'; readonly cycle: number; readonly core: Coord; readonly wptr: number }
  /** The running process stops running without waiting: a timeslice, or a high-priority process interrupts it. */
  | {
      readonly kind: 'descheduled';
      readonly cycle: number;
      readonly core: Coord;
      readonly wptr: number;
      readonly reason: 'timeslice' | 'interrupted';
    }
  /** A message passes on a channel inside one core (`channel` is the channel word's address). */
  | {
      readonly kind: 'message';
      readonly cycle: number;
      readonly core: Coord;
      readonly channel: number;
      readonly sender: number;
      readonly receiver: number;
      readonly bytes: number;
    }
  /** A message enters the mesh on channel `channel` (index in the image's channel table); `sender` is its Wptr. */
  | {
      readonly kind: 'sent';
      readonly cycle: number;
      readonly channel: number;
      readonly from: Coord;
      readonly to: Coord;
      readonly bytes: number;
      readonly sender?: number;
    }
  /**
   * The receiver has taken a message; `receiver` is its Wptr (absent when a host device takes it); `value` is the
   * message's first word (or its bytes, if it is shorter).
   */
  | {
      readonly kind: 'received';
      readonly cycle: number;
      readonly channel: number;
      readonly from: Coord;
      readonly to: Coord;
      readonly bytes: number;
      readonly value: number;
      readonly receiver?: number;
    }
  /** A fault lost the message on channel `channel` (emulator/faults.ts): the receiver never sees it. */
  | {
      readonly kind: 'lost';
      readonly cycle: number;
      readonly channel: number;
      readonly from: Coord;
      readonly to: Coord;
      readonly bytes: number;
    }
  /** A packet crosses a physical link (starting at `cycle`, busy for `busyCycles`). */
  | {
      readonly kind: 'link';
      readonly cycle: number;
      readonly from: Coord;
      readonly to: Coord;
      readonly channel: number;
      readonly bytes: number;
      readonly busyCycles: number;
    };

export type MachineEventListener = (e: MachineEvent) => void;

export class EventBus {
  private readonly listeners: { fn: MachineEventListener; processes: boolean }[] = [];
  /** Whether anyone listens: producers of the network's events test this before building one. */
  active = false;
  /**
   * Whether anyone listens to the processes' events (scheduled, blocked, ended, ready, descheduled, message): the
   * cores test this, so a listener that wants only the network's traffic costs the cores nothing.
   */
  processes = false;

  /** Listen; with `processes: false`, to the network's events only (sent, received, link, lost). */
  subscribe(fn: MachineEventListener, options: { processes?: boolean } = {}): () => void {
    const entry = { fn, processes: options.processes ?? true };
    this.listeners.push(entry);
    this.update();
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
      this.update();
    };
  }

  private update(): void {
    this.active = this.listeners.length > 0;
    this.processes = this.listeners.some((l) => l.processes);
  }

  emit(e: MachineEvent): void {
    const network = e.kind === 'sent' || e.kind === 'received' || e.kind === 'link' || e.kind === 'lost';
    for (const l of this.listeners) if (network || l.processes) l.fn(e);
  }
}
