// `occmesh debug`: open the terminal debugger (tui/) on a compiled image, on the real terminal. The debugger and
// its widget library load only here, so the other commands start without them.

import type { Image } from '../emulator/image.js';
import { LoadError } from '../emulator/machine.js';
import type { Profile } from '../emulator/profiles.js';
import type { FaultSpec } from '../emulator/faults.js';

export interface DebugTerminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

interface DebugIO {
  stderr(text: string): void;
  terminal?(): DebugTerminal | null;
}

/** Run the debugger until the user quits: exit code 0, 1 if the image cannot be loaded, 64 without a terminal. */
export async function debugCommand(
  file: string,
  image: Image,
  options: {
    profile: Profile;
    memoryBytes?: number;
    keys?: Uint8Array;
    keysEnd?: boolean;
    faults?: FaultSpec;
    seed?: number;
    /** False with --no-jit. */
    jit?: boolean;
  },
  io: DebugIO,
): Promise<number> {
  const tty = io.terminal?.() ?? null;
  if (!tty) {
    io.stderr(
      'occmesh: debug needs a terminal (standard input and output must both be one); use `occmesh run` otherwise\n',
    );
    return 64;
  }
  const { startDebugger } = await import('../tui/app.js');
  let dbg;
  try {
    dbg = startDebugger({
      image,
      profile: options.profile,
      ...(options.memoryBytes !== undefined ? { memoryBytes: options.memoryBytes } : {}),
      // A record's keys, and whether its input ended after them.
      ...(options.keys ? { keys: options.keys, keysEnd: options.keysEnd ?? false } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.jit === false ? { jit: false } : {}),
      input: tty.input,
      output: tty.output,
      ...(process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' ? { noColor: true } : {}),
    });
  } catch (e) {
    if (e instanceof LoadError) {
      io.stderr(`${file}: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    await dbg.done;
  } catch (e) {
    // The terminal is restored by now: say what went wrong, plainly.
    io.stderr(
      `occmesh debug: internal error: ${(e as Error).message}\n  this is a bug in occmesh: please report it with the program\n`,
    );
    return 2;
  }
  return 0;
}
