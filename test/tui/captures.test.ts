// The screens in docs/debugger.md are captures of the real debugger, made by this test: each `<!-- capture: NAME -->`
// block there must be exactly what the debugger shows after the keys listed here. Run with UPDATE_CAPTURES=1 to
// write them afresh after a change to the screen.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/program-files.js';
import { debugProgram, idle, KEYS } from '../helpers/virtual-terminal.js';

interface Capture {
  readonly name: string;
  readonly file: string;
  readonly cols: number;
  readonly rows: number;
  /** Keys pressed, each followed by waiting for the debugger to finish what it asked. */
  readonly keys: readonly string[];
}

const CAPTURES: readonly Capture[] = [
  { name: 'token-ring', file: 'programs/mesh/token_ring.occ', cols: 100, rows: 30, keys: ['s', 's', 's', 's', 's'] },
  {
    name: 'breakpoint',
    file: 'programs/mesh/token_ring.occ',
    cols: 100,
    rows: 30,
    keys: [KEYS.tab + KEYS.tab + KEYS.up + KEYS.up + KEYS.up + KEYS.up + KEYS.up + KEYS.up + KEYS.up, 'b', 'c'],
  },
  { name: 'deadlock', file: 'test/programs/mesh/deadlock_two_cores.occ', cols: 100, rows: 30, keys: [' '] },
  {
    name: 'why',
    file: 'test/programs/mesh/deadlock_two_cores.occ',
    cols: 100,
    rows: 30,
    keys: [' ', KEYS.escape, 'w'],
  },
  { name: 'small', file: 'programs/tutorial/3-deadlock.occ', cols: 80, rows: 24, keys: ['n', 'n', 'n'] },
  {
    name: 'heat-8x8',
    file: 'programs/mesh/heat_8x8.occ',
    cols: 100,
    rows: 30,
    keys: ['s', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's'],
  },
  {
    name: 'big-mesh',
    file: 'test/programs/mesh/mesh_64x64.occ',
    cols: 100,
    rows: 30,
    keys: ['s', 's', 's', 'l', 'l', 'j'],
  },
];

const docPath = join(repoRoot, 'docs/debugger.md');

async function capture(c: Capture): Promise<string> {
  const { vt, dbg } = await debugProgram(c.file, c.cols, c.rows, { noColor: true });
  for (const k of c.keys) {
    vt.press(k);
    await idle(vt, dbg);
  }
  const text = vt
    .lines()
    .map((l) => l.trimEnd())
    .join('\n');
  dbg.quit();
  return text;
}

/** A capture block: the marker, the fence, the screen (lines of box drawing and text), the closing fence. */
function blockRe(name: string): RegExp {
  return new RegExp(`(<!-- capture: ${name} -->\\n\`\`\`text\\n)((?:(?!\`\`\`).*\\n)*)(\`\`\`)`);
}

describe('the screens in docs/debugger.md', () => {
  for (const c of CAPTURES) {
    it(
      c.name,
      async () => {
        const screen = await capture(c);
        const doc = readFileSync(docPath, 'utf8');
        const re = blockRe(c.name);
        expect(re.test(doc), `docs/debugger.md has no capture block for ${c.name}`).toBe(true);
        if (process.env.UPDATE_CAPTURES) {
          writeFileSync(
            docPath,
            doc.replace(re, (_m, a: string, _b: string, z: string) => a + screen + '\n' + z),
          );
          return;
        }
        expect(re.exec(doc)![2]).toBe(screen + '\n');
      },
      30_000,
    );
  }
});
