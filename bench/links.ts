// Link figures for `npm run bench`: for each profile, the one-way bandwidth a bulk transfer between neighbours
// reaches against the link's theoretical rate, and the latency a word message adds per hop.

import { encode, encodeOp, Fn, Op } from '../emulator/isa.js';
import { MESH_CHANNEL_BASE, type Image, type MeshChannelInfo } from '../emulator/image.js';
import { Machine } from '../emulator/machine.js';
import { linkBandwidth, PROFILES, type Profile } from '../emulator/profiles.js';

const chan = MESH_CHANNEL_BASE;

/** `times` transfers of `n` bytes on mesh channel 0 (`in` when receiving, `out` when sending), after `delay` ldc's. */
function transfer(op: number, n: number, times: number, delay = 0): Uint8Array {
  const b: number[] = [];
  for (let i = 0; i < delay; i++) encode(Fn.ldc, 0, b);
  for (let i = 0; i < times; i++) {
    encode(Fn.ldlp, -n / 4 - 8, b);
    encode(Fn.ldc, chan, b);
    encode(Fn.ldc, n, b);
    encodeOp(op, b);
  }
  encodeOp(Op.haltp, b);
  return Uint8Array.from(b);
}

function image(width: number, to: number, send: Uint8Array, receive: Uint8Array): Image {
  const channels: MeshChannelInfo[] = [{ name: 'c', from: { x: 0, y: 0 }, to: { x: to, y: 0 } }];
  const core = (x: number, code: Uint8Array) => ({ x, y: 0, code, entry: 0, workspaceWords: 8192 });
  const dbg = { lines: [], checks: [], procs: [], data: [] };
  return {
    format: 'occmesh-image',
    version: 1,
    mesh: { width, height: 1 },
    cores: [core(0, send), core(to, receive)],
    files: [],
    debug: [dbg, dbg],
    channels,
  };
}

function receiverFinish(img: Image, profile: Profile, x: number): number {
  const m = new Machine(img, { profile, memoryBytes: 1 << 17 });
  if (m.run().status !== 'finished') throw new Error('link bench did not finish');
  return m.cores.find((c) => c.x === x)!.finishCycle;
}

export interface LinkNumbers {
  readonly profile: string;
  /** Bytes per second a bulk transfer reaches, and the link's theoretical rate. */
  readonly measured: number;
  readonly theory: number;
  readonly percent: number;
  readonly hopCycles: number;
}

/** The figures for every profile (emulated, so the same on every run). */
export function linkNumbers(): LinkNumbers[] {
  const out: LinkNumbers[] = [];
  for (const profile of Object.values(PROFILES)) {
    const n = 16384;
    const times = 8;
    const cycles = receiverFinish(image(2, 1, transfer(Op.out, n, times), transfer(Op.in, n, times)), profile, 1);
    const measured = (n * times) / (cycles / profile.clockHz);
    const theory = linkBandwidth(profile);
    const arrival = (d: number): number =>
      receiverFinish(image(d + 1, d, transfer(Op.out, 4, 1, 100), transfer(Op.in, 4, 1)), profile, d);
    const perHop = (arrival(9) - arrival(1)) / 8;
    out.push({ profile: profile.name, measured, theory, percent: (100 * measured) / theory, hopCycles: perHop });
  }
  return out;
}

export function linkFigures(): string[] {
  const lines: string[] = [];
  for (const { profile: name, measured, theory, hopCycles: perHop } of linkNumbers()) {
    const profile = PROFILES[name as keyof typeof PROFILES]!;
    lines.push(
      `links, ${profile.name}: bulk transfer ${(measured / 1e6).toFixed(3)} MB/s of ${(theory / 1e6).toFixed(3)} MB/s ` +
        `(${((100 * measured) / theory).toFixed(1)}%); latency ${perHop} cycles per hop ` +
        `(${((perHop / profile.clockHz) * 1e9).toFixed(1)} ns)`,
    );
  }
  return lines;
}
