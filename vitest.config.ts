import { defineConfig } from 'vitest/config';
import { TEST_DB } from './test/helpers/paths.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Fixture projects say `database: ${QUIRE_TEST_DB}`.
    env: { QUIRE_TEST_DB: TEST_DB },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
