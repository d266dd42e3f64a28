// The links of the selected core: for each direction out of it and into it, the bytes moved, how busy it has been,
// a sparkline of its recent traffic, whether a packet waits for it; and the messages in flight that use them.

import type { Image } from '../../emulator/image.js';
import type { Machine } from '../../emulator/machine.js';
import { BUCKET_CYCLES, sparkline, type Traffic } from '../traffic.js';
import { col, seg, type Line } from '../styled.js';

const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];
const NAMES = ['N', 'E', 'S', 'W'];

export function renderLinks(
  machine: Machine,
  image: Image,
  traffic: Traffic,
  sel: { x: number; y: number },
  width: number,
  height: number,
): Line[] {
  const net = machine.network;
  if (!net) return [[seg('no channel crosses the mesh: the links carry nothing', { fg: 'gray' })]];
  const stats = net.linkStats();
  const stalls = net.stalls();
  const cycle = machine.cycle;
  const out: Line[] = [];
  const spark = Math.max(4, Math.min(24, width - 44));
  out.push([
    seg(
      col(`link`, 16) + col('bytes', 9) + col('busy', 7) + `last ${Math.round((spark * BUCKET_CYCLES) / 1000)}k cycles`,
      { fg: 'gray' },
    ),
  ]);
  for (const outward of [true, false]) {
    for (let d = 0; d < 4; d++) {
      const nx = sel.x + DX[d]!;
      const ny = sel.y + DY[d]!;
      if (nx < 0 || ny < 0 || nx >= net.width || ny >= net.height) continue;
      const from = outward ? sel : { x: nx, y: ny };
      const to = outward ? { x: nx, y: ny } : sel;
      const dir = outward ? d : (d + 2) % 4;
      const s = stats.find((l) => l.from.x === from.x && l.from.y === from.y && l.to.x === to.x && l.to.y === to.y);
      const stall = stalls.find(
        (l) => l.from.x === from.x && l.from.y === from.y && l.to.x === to.x && l.to.y === to.y,
      );
      const busy = s && cycle > 0 ? `${((100 * s.busyCycles) / cycle).toFixed(1)}%` : '0.0%';
      const name = `${outward ? 'out' : 'in '} ${NAMES[dir]} ${outward ? '->' : '<-'} ${nx},${ny}`;
      const line = [
        seg(col(name, 16)),
        seg(col(String(s?.bytes ?? 0), 9)),
        seg(col(busy, 7)),
        seg(sparkline(traffic.history(traffic.id(from.x, from.y, dir), cycle, spark)), { fg: 'green' }),
      ];
      if (stall) line.push(seg(` stalled ${cycle - stall.since}c`, { fg: 'red', bold: true }));
      out.push(line);
    }
  }
  const flights = net.inFlight().filter((f) => {
    const route = net.routeOf(f.channel);
    return (
      route.some((l) => (l.from.x === sel.x && l.from.y === sel.y) || (l.to.x === sel.x && l.to.y === sel.y)) ||
      (f.from.x === sel.x && f.from.y === sel.y)
    );
  });
  out.push([seg(flights.length === 0 ? 'no message in flight here' : 'in flight:', { fg: 'gray' })]);
  for (const f of flights) {
    const name = image.channels?.[f.channel]?.name ?? `#${f.channel}`;
    const state = f.arrived
      ? 'arrived, not yet input'
      : f.left === 0
        ? 'last bytes on their way'
        : `${f.left} bytes left`;
    out.push([seg(`  \`${name}\` (${f.from.x},${f.from.y}) -> (${f.to.x},${f.to.y}) ${f.bytes} bytes, ${state}`)]);
  }
  return out.slice(0, height);
}
