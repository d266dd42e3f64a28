// The machine's event stream: what the debugger and trace exporters watch. Producers check `active` before they
// build an event, so a run nobody watches pays one boolean test per scheduling decision and per packet.

export interface Coord {
  readonly x: number;
  readonly y: number;
}

export type MachineEvent =
  /** A process starts or resumes running on a core. */
  | { readonly kind: 'scheduled'; readonly cycle: number; readonly core: Coord; readonly wptr: number }
  /** A process is descheduled to wait (on a channel, a timer, an ALT, the other branches of a PAR, or STOP). */
  | { readonly kind: 'blocked'; readonly cycle: number; readonly core: Coord; readonly wptr: number; readonly waiting: string }
  /** A PAR branch or a core's boot process has finished. */
  | { readonly kind: 'ended'; readonly cycle: number; readonly core: Coord; readonly wptr: number }
  /** A message enters the mesh on channel `channel` (index in the image's channel table). */
  | { readonly kind: 'sent'; readonly cycle: number; readonly channel: number; readonly from: Coord; readonly to: Coord; readonly bytes: number }
  /** The receiver has taken a message; `value` is its first word (or its bytes, if it is shorter). */
  | {
      readonly kind: 'received';
      readonly cycle: number;
      readonly channel: number;
      readonly from: Coord;
      readonly to: Coord;
      readonly bytes: number;
      readonly value: number;
    }
  /** A fault lost the message on channel `channel` (emulator/faults.ts): the receiver never sees it. */
  | { readonly kind: 'lost'; readonly cycle: number; readonly channel: number; readonly from: Coord; readonly to: Coord; readonly bytes: number }
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
  private readonly listeners: MachineEventListener[] = [];
  /** Whether anyone listens: producers test this before building an event. */
  active = false;

  subscribe(fn: MachineEventListener): () => void {
    this.listeners.push(fn);
    this.active = true;
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
      this.active = this.listeners.length > 0;
    };
  }

  emit(e: MachineEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}
