import { defineConfig } from 'vitest/config';

// Unit and corpus tests run in Node against the real core and the real onnxruntime (onnxruntime-web's Node build).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/unit/**/*.test.ts', 'test/corpus/**/*.test.ts', 'test/cli/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
