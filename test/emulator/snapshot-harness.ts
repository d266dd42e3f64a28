// Programs for the snapshot tests: every .occ file under test/programs and programs that compiles, with
// the options its `-- args:` lines give and the keyboard bytes of its `-- stdin:` lines, and a way to make machines
// whose output goes wherever the test points it (the callbacks are shared by a machine and its restored copies).

import { join } from 'node:path';
import { Machine, type MachineOptions } from '../../emulator/machine.js';
import type { Image } from '../../emulator/image.js';
import { KeyboardTape } from '../../emulator/keyboard-tape.js';
import { allPrograms, loadProgram as loadRunnable } from '../helpers/program-files.js';

export const root = join(import.meta.dirname, '..', '..');

export interface Program {
  readonly name: string;
  readonly image: Image;
  readonly options: MachineOptions;
  readonly stdin: Uint8Array;
}

/** Compile one program file as `occmesh run` would; null if it does not compile. */
export function loadProgram(path: string): Program | null {
  const p = loadRunnable(path);
  if (!p) return null;
  const options: MachineOptions = {
    profile: p.profile,
    ...(p.memoryBytes !== undefined ? { memoryBytes: p.memoryBytes } : {}),
    ...(p.faults ? { faults: p.faults } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
  };
  return { name: p.name, image: p.image, options, stdin: p.stdin };
}

export function allProgramFiles(): string[] {
  return allPrograms();
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
