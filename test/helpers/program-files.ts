// The repository's .occ programs as machines ready to run: compiled with the options their `-- args:` line gives,
// with their `-- stdin:` lines as keyboard input. Used by the tests that compare two ways of running a program.

import { readFileSync } from 'node:fs';
import { findPrograms } from './programs.js';
import { join, relative } from 'node:path';
import { compileSource, type CompileOptions } from '../../compiler/compile.js';
import type { Image } from '../../emulator/image.js';
import { Machine, type MachineOptions } from '../../emulator/machine.js';
import { PROFILES, type Profile } from '../../emulator/profiles.js';
import { parseFaults } from '../../cli/faults.js';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Every program under test/programs and programs/. */
export function allPrograms(): string[] {
  return [...findPrograms(join(repoRoot, 'test', 'programs')), ...findPrograms(join(repoRoot, 'programs'))];
}

export interface RunnableProgram {
  readonly name: string;
  readonly image: Image;
  readonly profile: Profile;
  readonly memoryBytes?: number;
  /** Keyboard bytes (its `-- stdin:` lines, each with a newline). */
  readonly stdin: Uint8Array;
  /** Its `--faults` and `--seed`. */
  readonly faults?: MachineOptions['faults'];
  readonly seed?: number;
}

/** Compile a program as `occmesh run` would with its `-- args:`; null if it does not compile (an error test). */
export function loadProgram(path: string): RunnableProgram | null {
  const text = readFileSync(path, 'latin1');
  const args: string[] = [];
  let stdin = '';
  for (const line of text.split(/\r?\n/)) {
    const m = /--\s*(args|stdin):\s?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'args')
      args.push(
        ...m[2]!
          .trim()
          .split(/\s+/)
          .filter((a) => a !== ''),
      );
    else stdin += m[2]!.replace(/\r$/, '') + '\n';
  }
  const options: { -readonly [K in keyof CompileOptions]: CompileOptions[K] } = {};
  let profile: Profile = PROFILES.t800;
  let memoryBytes: number | undefined;
  let faults: MachineOptions['faults'];
  let seed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--no-checks') options.rangeChecks = false;
    else if (a === '--spread') options.spread = true;
    else if (a === '--mesh') {
      const [w, h] = args[++i]!.split('x').map(Number);
      options.mesh = { width: w!, height: h! };
    } else if (a === '--mem') {
      const v = args[++i]!;
      memoryBytes = Number(v.replace(/[kKmM]$/, '')) * (/[kK]$/.test(v) ? 1024 : /[mM]$/.test(v) ? 1 << 20 : 1);
      options.memoryBytes = memoryBytes;
    } else if (a === '--profile') profile = PROFILES[args[++i] as keyof typeof PROFILES];
    else if (a === '--faults') faults = parseFaults(args[++i]!);
    else if (a === '--seed') seed = Number(args[++i]!);
  }
  // Named as from the repository's root (the tests run there), so that messages and screens show the same path
  // on every machine.
  const result = compileSource(relative(process.cwd(), path) || path, text, {
    ...options,
    loader: (p) => {
      try {
        return readFileSync(p, 'latin1');
      } catch {
        return null;
      }
    },
  });
  if (!result.image) return null;
  return {
    name: relative(repoRoot, path),
    image: result.image,
    profile,
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    stdin: Buffer.from(stdin, 'latin1'),
    ...(faults ? { faults } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** A machine for the program; its screen output collects in `out`, its error output in `err`. */
export function machineFor(
  p: RunnableProgram,
  out: number[],
  extra: MachineOptions = {},
  err: number[] = out,
): Machine {
  const input = p.stdin;
  let next = 0;
  return new Machine(p.image, {
    profile: p.profile,
    ...(p.memoryBytes !== undefined ? { memoryBytes: p.memoryBytes } : {}),
    ...(p.faults ? { faults: p.faults } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    stdin: () => (next < input.length ? input[next++]! : -1),
    onScreen: (b) => out.push(...b),
    onError: (b) => err.push(...b),
    ...extra,
  });
}
