// The compiler driver: source text to a loadable image, or diagnostics. Data flows one way:
// text -> tokens (lexer) -> AST (parser) -> checked AST (checker) -> instructions (codegen) -> bytes (assembler)
// -> image.

import { assemble } from './assembler.js';
import { check } from './checker.js';
import { generate } from './codegen.js';
import { parse } from './parser.js';
import { checkUsage } from './usage.js';
import { Diagnostics, SourceFile, type Diagnostic } from './source.js';
import { IMAGE_FORMAT, IMAGE_VERSION, type Image } from '../emulator/image.js';

export interface CompileResult {
  /** Null when there were errors. */
  readonly image: Image | null;
  /** Errors and warnings, in source order. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Compile one occam source file. Never throws on bad input: problems come back as diagnostics. */
export function compileSource(path: string, text: string): CompileResult {
  const file = new SourceFile(0, path, text);
  const diags = new Diagnostics();
  const program = parse(file, diags);
  if (diags.errorCount > 0) return { image: null, diagnostics: diags.sorted() };
  const checked = check(program, diags);
  if (checked && diags.errorCount === 0) checkUsage(checked.program, diags);
  if (!checked || diags.errorCount > 0) return { image: null, diagnostics: diags.sorted() };

  const gen = generate(checked);
  const asm = assemble(gen.items);
  const image: Image = {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    mesh: { width: 1, height: 1 },
    cores: [{ x: 0, y: 0, code: asm.code, entry: gen.entry.offset, workspaceWords: gen.workspaceWords() }],
    files: [{ path, text }],
    debug: [{ lines: asm.lines, checks: asm.checks, procs: asm.procs, data: asm.data }],
  };
  return { image, diagnostics: diags.sorted() };
}

/** Parse and check only (`occmesh check`). */
export function checkSource(path: string, text: string): readonly Diagnostic[] {
  const file = new SourceFile(0, path, text);
  const diags = new Diagnostics();
  const program = parse(file, diags);
  if (diags.errorCount === 0) {
    const checked = check(program, diags);
    if (checked && diags.errorCount === 0) checkUsage(checked.program, diags);
  }
  return diags.sorted();
}
