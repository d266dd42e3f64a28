// A small assembler for emulator tests: instructions by name with numeric or label-relative operands, prefixes
// chosen by isa.ts's encoder, label distances resolved by iterating until the code size is stable.

import { encode, encodeOp, Fn, Op, isDirect, isOperation } from '../../emulator/isa.js';
import { Core, type CoreOptions } from '../../emulator/core.js';
import { MEM_START } from '../../emulator/image.js';
import type { Image } from '../../emulator/image.js';

/** An operand that is the distance to label `to` from label `from` (default: the end of this instruction). */
export interface LabelRef {
  readonly to: string;
  readonly from?: string;
}

export type Item =
  | { readonly kind: 'fn'; readonly fn: number; readonly operand: number | LabelRef }
  | { readonly kind: 'op'; readonly code: number }
  | { readonly kind: 'label'; readonly name: string }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] };

export const label = (name: string): Item => ({ kind: 'label', name });
export const bytes = (...b: number[]): Item => ({ kind: 'bytes', bytes: b });

/** A direct function or an operation by mnemonic: `I('ldc', 5)`, `I('add')`, `I('j', 'Top')`. */
export function I(name: string, operand?: number | string | LabelRef): Item {
  if (isDirect(name)) {
    const op = operand ?? 0;
    return { kind: 'fn', fn: Fn[name], operand: typeof op === 'string' ? { to: op } : op };
  }
  if (isOperation(name)) return { kind: 'op', code: Op[name] };
  throw new Error(`unknown mnemonic ${name}`);
}

export interface Assembled {
  readonly code: Uint8Array;
  readonly labels: Readonly<Record<string, number>>;
}

export function assemble(items: readonly Item[]): Assembled {
  let labels: Record<string, number> = {};
  let prevSize = -1;
  for (let pass = 0; pass < 20; pass++) {
    const out: number[] = [];
    const next: Record<string, number> = {};
    for (const it of items) {
      switch (it.kind) {
        case 'label':
          next[it.name] = out.length;
          break;
        case 'bytes':
          out.push(...it.bytes);
          break;
        case 'op':
          encodeOp(it.code, out);
          break;
        case 'fn': {
          if (typeof it.operand === 'number') {
            encode(it.fn, it.operand, out);
          } else {
            // Guess the length, then fix the operand relative to the end of the instruction.
            const ref = it.operand;
            const target = labels[ref.to] ?? 0;
            let len = 1;
            for (let k = 0; k < 8; k++) {
              const from = ref.from !== undefined ? (labels[ref.from] ?? 0) : out.length + len;
              const bytesNow = encode(it.fn, target - from, []);
              if (bytesNow.length === len) break;
              len = bytesNow.length;
            }
            const from = ref.from !== undefined ? (labels[ref.from] ?? 0) : out.length + len;
            encode(it.fn, target - from, out);
          }
          break;
        }
      }
    }
    const stable = out.length === prevSize && JSON.stringify(next) === JSON.stringify(labels);
    labels = next;
    prevSize = out.length;
    if (stable) return { code: Uint8Array.from(out), labels };
  }
  throw new Error('assembly did not converge');
}

/** Address of a code offset once loaded at MemStart. */
export const codeAddr = (offset: number): number => (MEM_START + offset) | 0;

/** A core with the program loaded (boot process at low priority, HaltOnError set). */
export function coreWith(
  items: readonly Item[] | Uint8Array,
  options: CoreOptions = {},
): { core: Core; labels: Readonly<Record<string, number>> } {
  const asm = items instanceof Uint8Array ? { code: items, labels: {} } : assemble(items);
  const core = new Core({ memoryBytes: 8192, ...options });
  core.load(asm.code, 0);
  return { core, labels: asm.labels };
}

/** A one-core image for Machine tests. */
export function imageOf(
  items: readonly Item[],
  workspaceWords = 64,
  extra: Partial<{ x: number; y: number }> = {},
): Image {
  const { code } = assemble(items);
  return {
    format: 'occmesh-image',
    version: 1,
    mesh: { width: 1, height: 1 },
    cores: [{ x: extra.x ?? 0, y: extra.y ?? 0, code, entry: 0, workspaceWords }],
    files: [],
    debug: [{ lines: [], checks: [], procs: [], data: [] }],
  };
}

export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}
