// Properties of the code and the package as a whole: no switch has a case that can never be reached (a duplicate
// label), and every dependency with an install script is reviewed in package.json's `allowScripts`, so `npm ci`
// runs clean.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('repository hygiene', () => {
  it('has no duplicate case labels in any switch', () => {
    const duplicates: string[] = [];
    for (const path of ['compiler', 'emulator', 'cli'].flatMap((d) => sources(join(root, d)))) {
      const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        if (ts.isSwitchStatement(node)) {
          const seen = new Set<string>();
          for (const clause of node.caseBlock.clauses) {
            if (!ts.isCaseClause(clause)) continue;
            const label = clause.expression.getText(file);
            if (seen.has(label)) {
              const { line } = file.getLineAndCharacterOfPosition(clause.getStart(file));
              duplicates.push(`${path.slice(root.length + 1)}:${line + 1}: case ${label}`);
            }
            seen.add(label);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(duplicates).toEqual([]);
  });

  it('reviews every install script of the locked dependencies', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
    };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path, p]) => ({ name: path.replace(/^.*node_modules\//, ''), version: p.version }));
    // The lock records no `resolved` URLs, so npm can only match approvals by name (a pinned `name@version` works
    // too).
    const reviewed = (d: { name: string; version?: string }): boolean =>
      pkg.allowScripts?.[d.name] !== undefined || pkg.allowScripts?.[`${d.name}@${d.version}`] !== undefined;
    expect(withScripts.filter((d) => !reviewed(d))).toEqual([]);
  });
});
