import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests run onnxruntime sessions that use both cores; two files at a time is enough.
    maxWorkers: 2,
  },
});
