// The disassembler: an image's code as instructions, interleaved with the source lines they came from. It reads
// only the image (never the compiler), so it works on any .omx file.

import { decode, Fn } from './isa.js';
import { entryAt, MEM_START, type CoreDebug, type CoreImage, type Image } from './image.js';

export function disassemble(image: Image): string {
  const out: string[] = [];
  image.cores.forEach((core, i) => {
    if (i > 0) out.push('');
    out.push(...disassembleCore(image, core, image.debug[i]!));
  });
  return out.join('\n') + '\n';
}

const JUMPS = new Set<number>([Fn.j, Fn.cj, Fn.call]);

function disassembleCore(image: Image, core: CoreImage, debug: CoreDebug): string[] {
  const out: string[] = [];
  out.push(
    `core (${core.x}, ${core.y}): ${core.code.length} bytes of code and constants at #${hex(MEM_START >>> 0, 8)}, ` +
      `entry ${hex(core.entry, 4)}, workspace ${core.workspaceWords} words`,
  );
  const procStarts = new Map(debug.procs.map((p) => [p.offset, p]));
  const dataAt = new Map(debug.data.map((d) => [d.offset, d]));
  let lastLine: string | null = null;
  let offset = 0;
  let afterData = false;
  while (offset < core.code.length) {
    const proc = procStarts.get(offset);
    if (proc) {
      out.push('', `PROC ${proc.name}  (${image.files[proc.file]?.path ?? '?'}:${proc.line})`);
      lastLine = null;
    }
    if (offset === core.entry) {
      out.push('', 'boot process');
      lastLine = null;
    }
    const data = dataAt.get(offset);
    if (data) {
      const bytes = core.code.subarray(data.offset, data.offset + data.length);
      out.push(`  ${hex(offset, 4)}  constant ${data.length} byte${data.length === 1 ? '' : 's'}  ${quote(bytes)}`);
      offset += data.length;
      afterData = true;
      continue;
    }
    // Zero bytes that word-align the next constant, or the end of the code after the last one, are not code.
    const next = debug.data.find((d) => d.offset > offset);
    const padEnd = next ? next.offset : afterData ? core.code.length : offset;
    if (padEnd > offset && padEnd - offset < 4 && core.code.subarray(offset, padEnd).every((b) => b === 0)) {
      out.push(`  ${hex(offset, 4)}  (alignment padding)`);
      offset = padEnd;
      continue;
    }
    const line = entryAt(debug.lines, offset);
    if (line) {
      const key = `${line.file}:${line.line}`;
      if (key !== lastLine) {
        const file = image.files[line.file];
        const text = file ? (file.text.split('\n')[line.line - 1] ?? '').trimEnd() : '';
        out.push(`      -- ${file?.path ?? '?'}:${line.line}  ${text.trim()}`);
        lastLine = key;
      }
    }
    afterData = false;
    const ins = decode(core.code, offset);
    if (ins.length === 0) break;
    const bytes = Array.from(core.code.subarray(offset, offset + ins.length), (b) => hex(b, 2)).join(' ');
    let text = ins.name;
    if (ins.fn !== Fn.opr && ins.fn !== -1) {
      text += ` ${ins.operand}`;
      if (JUMPS.has(ins.fn)) text += `  -> ${hex(offset + ins.length + ins.operand, 4)}`;
    }
    out.push(`  ${hex(offset, 4)}  ${bytes.padEnd(12)}  ${text}`);
    offset += ins.length;
  }
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

function quote(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 10) s += '*n';
    else if (b === 13) s += '*c';
    else if (b === 9) s += '*t';
    else if (b === 34) s += '*"';
    else if (b === 42) s += '**';
    else if (b >= 32 && b < 127) s += String.fromCharCode(b);
    else s += `*#${hex(b, 2)}`;
  }
  return s + '"';
}
