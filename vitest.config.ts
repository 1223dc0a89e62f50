import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          // Each file brings up its own CUPS test bed (cupsd + ippeveprinter); bring-up takes
          // well under a second but print jobs and tear-down take longer than unit tests.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
