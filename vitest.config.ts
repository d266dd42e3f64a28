// The test runner's settings: every test/**/*.test.ts suite, with a timeout long enough for the mesh tests. The
// occmesh processes tests start leave the user's compiled-image cache alone (OCCMESH_NO_CACHE); the cache's own
// tests give it a folder of their own.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30000,
    env: { OCCMESH_NO_CACHE: '1' },
  },
});
