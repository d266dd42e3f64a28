// Shared pieces of the numeric property tests: compile a generated occam program, run it on the emulator, and
// report what happened in the terms the reference evaluators predict.

import { compileSource } from '../../compiler/compile.js';
import { Machine } from '../../emulator/machine.js';

export type Outcome =
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'compile-error'; readonly message: string }
  | { readonly kind: 'run-time-error'; readonly reason: string };

/** Compile and run a program whose screen output is the value; stop runaway programs at a cycle limit. */
export function runProgram(source: string): Outcome {
  const result = compileSource('property.occ', source);
  if (!result.image) {
    return { kind: 'compile-error', message: result.diagnostics.map((d) => d.message).join('; ') };
  }
  const chunks: Uint8Array[] = [];
  const machine = new Machine(result.image, { onScreen: (b) => chunks.push(b.slice()) });
  const run = machine.run(50_000_000);
  if (run.status === 'error') return { kind: 'run-time-error', reason: run.error?.reason ?? '' };
  if (run.status !== 'finished') throw new Error(`run ended with ${run.status}:\n${source}`);
  return { kind: 'value', text: Buffer.concat(chunks).toString('latin1') };
}

/** An occam PROC that prints an INT64 as 16 hexadecimal digits (shifts only, so it cannot fail). */
export const OUT_HEX64 = String.raw`
PROC out.hex64 (VAL INT64 v, CHAN BYTE out!)
  VAL []BYTE digits IS "0123456789ABCDEF":
  SEQ i = 0 FOR 16
    out ! digits[INT ((v >> (60 - (4 * i))) /\ #F(INT64))]
:
`;

/** The 16 hexadecimal digits of a value's 64-bit two's complement. */
export function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(16, '0');
}
