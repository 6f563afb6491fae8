import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // builds a stale dist/; names the Debian packages this machine lacks (their tests skip)
    globalSetup: ['test/support/global-setup.ts', 'test/support/system-deps-setup.ts'],
  },
});
