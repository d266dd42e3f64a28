#!/usr/bin/env node
// `npm start`: runs the built command line with the given arguments, or, when the TypeScript has not been built
// (an install with scripts skipped, say), says so plainly instead of failing with a module-not-found trace.

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/occmesh.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write(
    'occmesh is not built yet: run `npm run build` first (`npm ci` builds it unless scripts are skipped)\n',
  );
  process.exit(1);
}
await import(pathToFileURL(built).href);
