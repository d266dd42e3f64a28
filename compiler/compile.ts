// The compiler driver: source text to a loadable image, or diagnostics. It calls the stages in order, and no stage
// calls the next:
//   preprocess (directives, #INCLUDE; each file lexed by lexRaw) -> layout (NL/INDENT/OUTDENT) -> parse (AST)
//   -> check (names, types, constants) -> usage (occam's parallel usage rules)
//   -> placement (PLACED PAR, --spread: one image per core, generating each core's code) or codegen
//   -> assemble (bytes and debug tables) -> image.

import type { IToken } from './chevrotain-runtime.js';
import { assemble } from './assembler.js';
import type { Program } from './ast.js';
import { check, type CheckedProgram } from './checker/index.js';
import { generate } from './codegen/index.js';
import { layout } from './lexer.js';
import { isBundledPath } from './library.js';
import { preparsedLibrary, type LibraryStore } from './library-cache.js';
import { parseTokens, type ParseOptions } from './parser.js';
import { preprocess, type FileLoader, type PreprocessOptions } from './preprocess.js';
import { checkUsage } from './usage.js';
import { usageChecks } from './pragmas.js';
import { RUNTIME64_SOURCE } from './runtime64.js';
import { Diagnostics, SourceFile, type Diagnostic } from './source.js';
import {
  DEFAULT_MEMORY_BYTES,
  SINGLE_CORE_MEMORY_BYTES,
  IMAGE_FORMAT,
  IMAGE_VERSION,
  type Image,
} from '../emulator/image.js';
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
  /**
   * Take the bundled library's definitions from its one parse in this process (library-cache.ts) rather than
   * parsing it again (default true; the images are the same either way, which a test checks).
   */
  readonly preparsedLibrary?: boolean;
  /** Keeps the parsed library between processes (the CLI's cache folder); without it, it is parsed once per process. */
  readonly libraryStore?: LibraryStore;
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
  const checked = checkedProgram(file, files, diags, options);
  if (!checked) return { image: null, diagnostics: reported(diags) };

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
  const coreBytes = options.memoryBytes ?? SINGLE_CORE_MEMORY_BYTES;
  if (need > coreBytes) {
    diags.error(
      checked.main.def.name.span,
      `core (0, 0) needs ${need} bytes of memory (${memoryBreakdown(asm.code.length, words)}) but has ${coreBytes}`,
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
    debug: [
      {
        lines: asm.lines,
        checks: asm.checks,
        procs: asm.procs,
        data: asm.data,
        channels: asm.channels,
        names: asm.names,
        fairAlts: asm.fairAlts,
      },
    ],
  };
  return { image, diagnostics: reported(diags) };
}

/** Parse and check only (`occmesh check`). */
export function checkSource(path: string, text: string, options: CompileOptions = {}): readonly Diagnostic[] {
  const file = new SourceFile(0, path, text);
  const diags = new Diagnostics();
  checkedProgram(file, [file], diags, options);
  return reported(diags);
}

/** The front end: preprocess, layout, parse, check, usage rules. Null when any of them found an error. */
function checkedProgram(
  file: SourceFile,
  files: SourceFile[],
  diags: Diagnostics,
  options: CompileOptions,
): CheckedProgram | null {
  const store = options.libraryStore;
  const preparsed =
    options.preparsedLibrary === false
      ? undefined
      : (path: string, text: string) => preparsedLibrary(path, text, store);
  const program = parseSource(file, diags, { preprocess: { loader: options.loader, files, preparsed } });
  if (diags.errorCount > 0) return null;
  const checked = check(program, diags);
  if (checked && diags.errorCount === 0) checkUsage(checked.program, diags, usageChecks(file));
  return checked && diags.errorCount === 0 ? checked : null;
}

/**
 * The token stream the parser reads: the preprocessor's tokens (every file it brought in, each lexed by
 * `lexRaw`), after the layout pass.
 */
export function lexSource(file: SourceFile, diags: Diagnostics, options: PreprocessOptions = {}): IToken[] {
  return layout(file, diags, preprocess(file, diags, options));
}

/** Preprocess, lay out and parse a source file: its AST. Never throws: every problem is added to `diags`. */
export function parseSource(
  file: SourceFile,
  diags: Diagnostics,
  options: ParseOptions & { readonly preprocess?: PreprocessOptions } = {},
): Program {
  return parseTokens(file, lexSource(file, diags, options.preprocess), diags, options);
}

/**
 * The diagnostics to show, in source order. Warnings about the bundled library (a routine the program does not
 * call, say) are not the user's business; its errors still are.
 */
function reported(diags: Diagnostics): Diagnostic[] {
  return diags.sorted().filter((d) => d.severity === 'error' || !isBundledPath(d.span.file.path));
}

/** The program with the predefined FUNCTIONs' definitions in front, when one of its files names one of them. */
/** Parse and check the INT64 runtime library. It is part of occmesh, so an error in it is a bug: it throws. */
function runtime64(): CheckedProgram {
  const file = new SourceFile(-1, 'occmesh-runtime.occ', RUNTIME64_SOURCE);
  const diags = new Diagnostics();
  const program = parseSource(file, diags);
  const checked = diags.errorCount === 0 ? check(program, diags) : null;
  if (!checked || diags.errorCount > 0) {
    throw new Error(
      `occmesh's INT64 runtime library does not compile: ${diags
        .sorted()
        .map((d) => d.message)
        .join('; ')}`,
    );
  }
  return checked;
}
