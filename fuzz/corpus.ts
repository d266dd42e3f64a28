// The programs the fuzzer mutates (every .occ under programs/ and test/programs/), and the input with a given
// number for a given seed, so any finding can be made again with `--seed S --only I`.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeInput, Random, type FuzzInput, type InputOptions } from './inputs.js';

export function loadCorpus(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.occ')) out.push(readFileSync(path, 'latin1'));
    }
  };
  walk(join(root, 'programs'));
  walk(join(root, 'test', 'programs'));
  return out;
}

/** Input number `index` of the run with `seed`, and the generator its later stages use. */
export function inputAt(
  seed: number,
  index: number,
  corpus: readonly string[],
  options: InputOptions,
): { input: FuzzInput; rng: Random } {
  const rng = new Random((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  return { input: makeInput(rng, corpus, options), rng };
}
