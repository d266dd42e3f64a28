// The compiler driver: source text to a loadable image, or diagnostics. Data flows one way:
// text -> tokens (lexer) -> AST (parser) -> checked AST (checker) -> instructions (codegen) -> bytes (assembler)
// -> image.

import { assemble } from './assembler.js';
import { check } from './checker.js';
import { generate } from './codegen.js';
import { isBundledPath } from './library.js';
import { parse } from './parser.js';
import type { FileLoader } from './preprocess.js';
import { checkUsage } from './usage.js';
import { runtime64 } from './runtime64.js';
import { Diagnostics, SourceFile, type Diagnostic } from './source.js';
import { DEFAULT_MEMORY_BYTES, IMAGE_FORMAT, IMAGE_VERSION, type Image } from '../emulator/image.js';
import { memoryBreakdown, memoryNeeded, place } from './placement.js';

export interface CompileOptions {
  /** Emit subscript, conversion and shift-count range checks (default true; `--no-checks` turns them off). */
  readonly rangeChecks?: boolean;
  /** The mesh size (`--mesh WxH`); by default the smallest that holds the program's placement. */
  readonly mesh?: { readonly width: number; readonly height: number };
  /** Spread the branches of the program's outermost PAR across the mesh (`--spread`). */
  readonly spread?: boolean;
  /** Memory per core (`--mem`), to check that each core's code and workspace fit. */
  readonly memoryBytes?: number;
  /**
   * Reads the files that #INCLUDE and #USE name (the CLI reads real files; tests can serve them from memory).
   * Without it only the bundled library can be included.
   */
  readonly loader?: FileLoader;
}

export interface CompileResult {
  /** Null when there were errors. */
  readonly image: Image | null;
  /** Errors and warnings, in source order. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Compile one occam source file. Never throws on bad input: problems come back as diagnostics. */
export function compileSource(path: string, text: string, options: CompileOptions = {}): CompileResult {
  const file = new SourceFile(0, path, text);
  const files = [file];
  const diags = new Diagnostics();
  const program = parse(file, diags, { preprocess: { loader: options.loader, files } });
  if (diags.errorCount > 0) return { image: null, diagnostics: reported(diags) };
  const checked = check(program, diags);
  if (checked && diags.errorCount === 0) checkUsage(checked.program, diags);
  if (!checked || diags.errorCount > 0) return { image: null, diagnostics: reported(diags) };

  const memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const codegen = { rangeChecks: options.rangeChecks ?? true, runtime: runtime64 };
  const placed = place(checked, { ...options, memoryBytes, codegen }, diags);
  if (placed === 'error') return { image: null, diagnostics: reported(diags) };
  if (placed) {
    const image: Image = {
      format: IMAGE_FORMAT,
      version: IMAGE_VERSION,
      mesh: placed.mesh,
      cores: placed.cores,
      files: files.map((f) => ({ path: f.path, text: f.text })),
      debug: placed.debug,
      channels: placed.channels,
    };
    return { image, diagnostics: reported(diags) };
  }

  const gen = generate(checked, codegen);
  const asm = assemble(gen.items);
  const words = gen.workspaceWords();
  const need = memoryNeeded(asm.code.length, words);
  if (need > memoryBytes) {
    diags.error(
      checked.main.def.name.span,
      `core (0, 0) needs ${need} bytes of memory (${memoryBreakdown(asm.code.length, words)}) but has ${memoryBytes}`,
      `give it more memory with --mem ${Math.ceil(need / 1024)}K`,
    );
    return { image: null, diagnostics: reported(diags) };
  }
  const image: Image = {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    mesh: { width: 1, height: 1 },
    cores: [{ x: 0, y: 0, code: asm.code, entry: gen.entry.offset, workspaceWords: words }],
    files: files.map((f) => ({ path: f.path, text: f.text })),
    debug: [{ lines: asm.lines, checks: asm.checks, procs: asm.procs, data: asm.data, channels: asm.channels, names: asm.names }],
  };
  return { image, diagnostics: reported(diags) };
}

/** Parse and check only (`occmesh check`). */
export function checkSource(path: string, text: string, options: CompileOptions = {}): readonly Diagnostic[] {
  const file = new SourceFile(0, path, text);
  const diags = new Diagnostics();
  const program = parse(file, diags, { preprocess: { loader: options.loader, files: [file] } });
  if (diags.errorCount === 0) {
    const checked = check(program, diags);
    if (checked && diags.errorCount === 0) checkUsage(checked.program, diags);
  }
  return reported(diags);
}

/**
 * The diagnostics to show, in source order. Warnings about the bundled library (a routine the program does not
 * call, say) are not the user's business; its errors still are.
 */
function reported(diags: Diagnostics): Diagnostic[] {
  return diags.sorted().filter((d) => d.severity === 'error' || !isBundledPath(d.span.file.path));
}
