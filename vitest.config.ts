// The test runner's settings: every test/**/*.test.ts suite, with a timeout long enough for the mesh tests.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30000,
  },
});
