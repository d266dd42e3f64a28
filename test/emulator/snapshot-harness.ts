// Programs for the snapshot tests: every .occ file under test/programs and programs that compiles, with
// the options its `-- args:` lines give and the keyboard bytes of its `-- stdin:` lines, and a way to make machines
// whose output goes wherever the test points it (the callbacks are shared by a machine and its restored copies).

import { parseFaults } from '../../cli/faults.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileSource, type CompileOptions } from '../../compiler/compile.js';
import { Machine, type MachineOptions } from '../../emulator/machine.js';
import type { Image } from '../../emulator/image.js';
import { profileNamed } from '../../emulator/profiles.js';
import { KeyboardTape } from '../../emulator/keyboard-tape.js';

export const root = join(import.meta.dirname, '..', '..');

export interface Program {
  readonly name: string;
  readonly image: Image;
  readonly options: MachineOptions;
  readonly stdin: Uint8Array;
}

function findPrograms(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findPrograms(path));
    else if (name.endsWith('.occ')) found.push(path);
  }
  return found;
}

function sizeOf(text: string): number {
  const m = /^(\d+)([KM]?)$/i.exec(text)!;
  return Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toUpperCase() === 'K' ? 1024 : 1 << 20);
}

/** Compile one program file as `occmesh run` would; null if it does not compile. */
export function loadProgram(path: string): Program | null {
  const text = readFileSync(path, 'latin1');
  const args: string[] = [];
  let stdin = '';
  for (const line of text.split(/\r?\n/)) {
    const m = /--\s*(stdin|args):\s?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'stdin') stdin += m[2]! + '\n';
    else
      args.push(
        ...m[2]!
          .trim()
          .split(/\s+/)
          .filter((a) => a !== ''),
      );
  }
  const compile: { -readonly [K in keyof CompileOptions]: CompileOptions[K] } = {};
  const options: MachineOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--spread') compile.spread = true;
    else if (a === '--no-checks') compile.rangeChecks = false;
    else if (a === '--mesh') {
      const [w, h] = args[++i]!.split('x').map(Number);
      compile.mesh = { width: w!, height: h! };
    } else if (a === '--mem') {
      compile.memoryBytes = sizeOf(args[++i]!);
      options.memoryBytes = compile.memoryBytes;
    } else if (a === '--profile') options.profile = profileNamed(args[++i]!);
    else if (a === '--faults') options.faults = parseFaults(args[++i]!);
    else if (a === '--seed') options.seed = Number(args[++i]!);
    else if (a === '--max-cycles') i++;
  }
  // As the CLI reads them: the preprocessor gives the path to read.
  const loader = (p: string): string | null => {
    try {
      return readFileSync(p, 'latin1');
    } catch {
      return null;
    }
  };
  const result = compileSource(path, text, { ...compile, loader });
  if (!result.image) return null;
  return { name: relative(root, path), image: result.image, options, stdin: Buffer.from(stdin, 'latin1') };
}

export function allProgramFiles(): string[] {
  return [...findPrograms(join(root, 'test', 'programs')), ...findPrograms(join(root, 'programs'))];
}

/** Where a machine's screen and error bytes go: switch `to` between runs. */
export class Output {
  to: { screen: number[]; error: number[] } = { screen: [], error: [] };

  fresh(): { screen: number[]; error: number[] } {
    this.to = { screen: [], error: [] };
    return this.to;
  }
}

/** A machine for the program, reading its keyboard from a tape and writing to `out`. */
export function machineFor(p: Program, out: Output): { machine: Machine; tape: KeyboardTape } {
  let next = 0;
  const tape = new KeyboardTape(() => (next < p.stdin.length ? p.stdin[next++]! : -1));
  const machine = new Machine(p.image, {
    ...p.options,
    stdin: tape.source,
    onScreen: (bytes) => out.to.screen.push(...bytes),
    onError: (bytes) => out.to.error.push(...bytes),
  });
  return { machine, tape };
}
