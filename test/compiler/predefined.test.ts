// The predefined routines (lib/predefined.occ): compiled into a program only when it names one, hidden by a
// program's own definition, and SQRT's body is the FPU's square root (compiler/codegen/intrinsics.ts).

import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { disassemble } from '../../emulator/disasm.js';

function image(text: string) {
  const r = compileSource('main.occ', text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.image!;
}

const withSqrt = 'PROC main (CHAN BYTE scr!)\n  REAL32 x:\n  x := SQRT (2.0(REAL32))\n:\n';

describe('predefined routines', () => {
  it('are left out of a program that names none of them', () => {
    const img = image('PROC main (CHAN BYTE scr!)\n  scr ! 65\n:\n');
    expect(img.debug[0]!.procs.map((p) => p.name)).toEqual(['main']);
  });
  it('bring in only the one a program calls', () => {
    expect(
      image(withSqrt)
        .debug[0]!.procs.map((p) => p.name)
        .sort(),
    ).toEqual(['SQRT', 'main']);
  });
  it('give SQRT a body of the FPU square root steps, with the error flag cleared after them', () => {
    const text = disassemble(image(withSqrt));
    const body = text.slice(text.indexOf('PROC SQRT'), text.indexOf('ret', text.indexOf('PROC SQRT')));
    const selectors = [...body.matchAll(/ldc (\d+)\n\s+\S+\s+\S+ \S+\s+fpentry/g)].map((m) => Number(m[1]));
    expect(selectors).toEqual([1, 2, 2, 3, 156]);
  });
  it("are hidden by a program's own definition", () => {
    const img = image('INT FUNCTION SQRT (VAL INT n) IS n:\nPROC main (CHAN BYTE scr!)\n  scr ! BYTE SQRT (65)\n:\n');
    const sqrt = img.debug[0]!.procs.filter((p) => p.name === 'SQRT');
    expect(sqrt.length).toBe(1);
    expect(disassemble(img)).not.toContain('fpentry');
  });
});
