import { defineConfig } from '@playwright/test';

// End-to-end tests drive Debian's Chromium (`apt-get install chromium`); Playwright's own browser
// download cannot run on these machines. The flags keep Chromium off the (closed) network.
export default defineConfig({
  testDir: 'test/e2e',
  use: {
    headless: true,
    launchOptions: {
      executablePath: process.env['PRINTO_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
