// A mesh's cores keep their memories in shared buffers (machine.ts, ARENA_BYTES) so that untouched memory is never
// resident: each core still sees exactly its own `memoryBytes`, zeroed, and nothing of its neighbours'.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { Machine } from '../../emulator/machine.js';

const ring = join(import.meta.dirname, '..', '..', 'programs', 'mesh', 'token_ring.occ');
const image = compileSource(ring, readFileSync(ring, 'latin1')).image!;

describe('core memory on a mesh', () => {
  it('gives each core its own zeroed slice of a shared buffer', () => {
    const m = new Machine(image, { memoryBytes: 8192, onScreen: () => {} });
    expect(m.cores.length).toBe(4);
    const offsets = m.cores.map((c) => c.mem8.byteOffset);
    expect(new Set(m.cores.map((c) => c.mem8.buffer)).size).toBe(1);
    expect(offsets).toEqual([0, 8192, 16384, 24576]);
    for (const c of m.cores) {
      expect(c.mem8.length).toBe(8192);
      expect(c.mem32.length).toBe(2048);
      expect(c.mem32.byteOffset).toBe(c.mem8.byteOffset);
    }
    // A write at the top of one core's memory is not seen at the bottom of the next one's.
    const next = m.cores[1]!.mem32[0];
    m.cores[0]!.mem32[2047] = 0x5a5a5a5a;
    expect(m.cores[1]!.mem32[0]).toBe(next);
    expect(m.cores[0]!.mem8[8191]).toBe(0x5a);
  });

  it('gives a lone core a buffer of its own', () => {
    const single = compileSource('one.occ', `PROC p (CHAN BYTE kyb?, scr!, err!)\n  scr ! 'k'\n:\n`).image!;
    const one = new Machine(single, { onScreen: () => {} });
    expect(one.cores[0]!.mem8.byteOffset).toBe(0);
    expect(one.cores[0]!.mem8.buffer.byteLength).toBe(one.cores[0]!.memoryBytes);
  });
});
