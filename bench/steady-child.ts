// A steady message loop, for counting garbage collections: run as `node --trace-gc --no-concurrent-recompilation
// dist/bench/steady-child.js NAME`, it compiles a benchmark program (chain or commstime, at the size given), runs it
// twice to its end to warm the interpreter up, then on a fresh machine runs its first cycles, prints `steady` and
// runs the rest, then prints `end` and the run's figures. (Without concurrent recompilation V8 optimises a function
// as soon as it is hot; on a loaded machine its background compiler can take a few hundred milliseconds over the
// interpreter, which meanwhile runs unoptimised, and unoptimised JavaScript allocates its numbers.) Every GC line V8
// prints between the two markers is one the emulator caused in its steady state (docs/performance.md; the test
// test/emulator/steady-gc.test.ts expects none). A process of its own, so nothing else allocates meanwhile.

import { BENCH_PROGRAMS, compileText, sourceOf } from './measure.js';
import { Machine } from '../emulator/machine.js';
import { join } from 'node:path';

const PROGRAMS: Record<string, { file: string; size: readonly [string, string] }> = {
  chain: { file: 'chain.occ', size: ['VAL INT messages IS 15000:', 'VAL INT messages IS COUNT:'] },
  commstime: { file: 'commstime_seq.occ', size: ['VAL INT loops IS 200000:', 'VAL INT loops IS COUNT:'] },
  'commstime-par': { file: 'commstime_par.occ', size: ['VAL INT loops IS 200000:', 'VAL INT loops IS COUNT:'] },
};

const [name, count, warm] = process.argv.slice(2);
const program = name !== undefined ? PROGRAMS[name] : undefined;
if (!program || !count) throw new Error(`usage: steady-child ${Object.keys(PROGRAMS).join('|')} COUNT [WARM-CYCLES]`);
const path = join(BENCH_PROGRAMS, program.file);
const image = compileText(path, sourceOf(path, [[program.size[0], program.size[1].replace('COUNT', count)]]));
// The first run, to its end, lets V8 see every path the program takes (its start, its steady loop and its end);
// its end takes paths the optimised interpreter had not seen, which V8 then compiles again, in the second run, with
// all of them. The third, on a fresh machine, is the one measured from `steady` to `end`.
const warmCycles = Number(warm ?? 0);
for (let i = 0; i < 2; i++) {
  const first = new Machine(image, { onScreen: () => {} });
  if (first.run().status !== 'finished') throw new Error('the warming run did not finish');
}
const machine = new Machine(image, { onScreen: () => {} });
if (warmCycles > 0 && machine.run(warmCycles).status !== 'cycle-limit')
  throw new Error('the program ended while warming up');
console.log('steady');
const result = machine.run();
console.log('end');
if (result.status !== 'finished') throw new Error(`run ended with ${result.status}`);
console.log(JSON.stringify({ cycles: result.cycles - warmCycles, instructions: result.instructions }));
