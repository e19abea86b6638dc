import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests run onnxruntime sessions that use both cores; two files at a time is enough.
    maxWorkers: 2,
    projects: [
      // Fast: one module or rule at a time, in process (`npm run test:unit`).
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/e2e/**'] } },
      // End to end: the built CLI on real models, whole-model references against PyTorch, documented snippets.
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/e2e/report/global-setup.ts'] } },
    ],
  },
});
