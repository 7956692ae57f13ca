import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/unit/: functions called in-process; test/e2e/: the program started as users start it.
    include: ['test/**/*.test.ts'],
    // Training and end-to-end tests run real epochs; a 2-core CI machine needs more than the default 5 s.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The CLI spawned by tests runs the TypeScript sources, so a test never exercises a stale dist/.
    env: { MLP_LAB_FROM_SOURCE: '1' },
  },
});
