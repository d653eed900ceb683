import { defineConfig } from 'vitest/config';
import { TEST_DB } from './test/helpers/paths.js';

// Two projects: `unit` runs the engine in process and needs no build (`npm run test:unit`);
// `cli` spawns the built bin/quire.js or imports dist/ (`npm test` builds first, then runs both).
// A test file outside test/cli/ is a unit test.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Fixture projects say `database: ${QUIRE_TEST_DB}`.
    env: { QUIRE_TEST_DB: TEST_DB },
    hookTimeout: 120_000,
    // Vitest's default on 2 cores is one file at a time; many files mostly wait on child processes,
    // PostgreSQL or Chromium, so two at once keeps `npm test` within its time.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/cli/**'], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 90_000 },
      },
    ],
  },
});
