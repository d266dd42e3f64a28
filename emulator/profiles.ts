// Machine profiles: the processor clock and the link and router figures of the machine being modelled. Every figure
// and where it comes from is in docs/machine.md ("Profiles").
//
// Link time is kept in ticks, TICKS_PER_CYCLE to a processor cycle, so that figures that are not whole cycles
// (an Epiphany hop costs 1.5 cycles, a link moves 8 bytes per cycle) stay exact. Cores see whole cycles: an event
// at tick t reaches a core at cycle ceil(t / TICKS_PER_CYCLE).

export const TICKS_PER_CYCLE = 8;

export type ProfileName = 't800' | 'epiphany';

export interface Profile {
  readonly name: ProfileName;
  /** Processor clock; TIMER counts microseconds of emulated time. */
  readonly clockHz: number;
  /** Ticks a physical link needs to move one byte of a message. */
  readonly byteTicks: number;
  /** Ticks a router adds per hop before a packet moves on to the next link. */
  readonly hopTicks: number;
  /** Ticks an acknowledgement occupies per hop on its way back (on top of hopTicks). */
  readonly ackTicks: number;
  /** Bytes of a message per packet: virtual channels sharing a link take turns packet by packet. */
  readonly packetBytes: number;
  /** Longest stretch, in cycles, that cores run before link events are exchanged while several cores are busy. */
  readonly windowCycles: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  // 20 MHz T800; 20 Mbit/s links: one bit per cycle. A data byte is an 11-bit packet; with the T800's overlapped
  // acknowledge the 2-bit acks travel on the other wire during the data, so a stream moves one byte per 11 bits.
  // A routing switch (the C004) adds about 2 bit periods per hop.
  t800: {
    name: 't800',
    clockHz: 20_000_000,
    byteTicks: 11 * 8,
    hopTicks: 2 * 8,
    ackTicks: 2 * 8,
    packetBytes: 32,
    windowCycles: 256,
  },
  // 1 GHz Epiphany eMesh: 8 bytes per cycle per link, 1.5 cycles per router hop; an acknowledgement is one
  // 8-byte write transaction back (one cycle on the link).
  epiphany: {
    name: 'epiphany',
    clockHz: 1_000_000_000,
    byteTicks: 1,
    hopTicks: 12,
    ackTicks: 8,
    packetBytes: 32,
    windowCycles: 256,
  },
};

export function profileNamed(name: string): Profile | undefined {
  return Object.prototype.hasOwnProperty.call(PROFILES, name) ? PROFILES[name as ProfileName] : undefined;
}

/** One-way bandwidth of a link in bytes per second. */
export function linkBandwidth(p: Profile): number {
  return (p.clockHz * TICKS_PER_CYCLE) / p.byteTicks;
}
