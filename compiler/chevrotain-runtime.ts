// The chevrotain runtime used by the front end (tokens.ts, lexer.ts, parser.ts), loaded from the single-file ESM
// bundle that the chevrotain package ships (lib/chevrotain.mjs) rather than through its package entry point.
//
// Why: the entry point (lib/src/api.js) is hundreds of small ES modules plus lodash-es, which takes Node 150-200 ms
// to load, a large part of the CLI's start-up budget; the bundle is the same code in one file and loads in under
// 10 ms. The package's "exports" map does not expose the bundle, so it is located next to the resolved entry point.
// If it is missing (a different packaging of chevrotain), the ordinary import is used. All front-end modules must
// take chevrotain from here, so that token types and parsers come from one copy of the library.

import type * as Chevrotain from 'chevrotain';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

async function load(): Promise<typeof Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain');
    const bundle = join(dirname(entry), '..', 'chevrotain.mjs');
    if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;
  } catch {
    // fall through to the package entry point
  }
  return import('chevrotain');
}

const chevrotain = await load();

export const {
  createToken,
  createTokenInstance,
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  Lexer,
  MismatchedTokenException,
  tokenMatcher,
} = chevrotain;

/** The instance type of `Lexer`, under the same name as the class value (as the chevrotain module has it). */
export type Lexer = Chevrotain.Lexer;

export type {
  CustomPatternMatcherReturn,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  ParserMethod,
  TokenType,
} from 'chevrotain';
