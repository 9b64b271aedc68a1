import { defineConfig } from 'vitest/config';

// One command runs everything (npm test): unit, integration (real ffmpeg, real RTSP server) and
// end-to-end (real Chromium). Files run one at a time: this machine has 2 cores, and the
// integration and e2e files each start ffmpeg, an RTSP server and sometimes a browser.
export default defineConfig({
  define: { __CONSOLE_VERSION__: JSON.stringify('test') },
  test: {
    fileParallelism: false,
    // Each run in a temporary folder of its own; leftovers listed and failed after the suite.
    // (each runs once per project with queued tests; demoClipsSetup acts for the e2e project only)
    globalSetup: ['tests/helpers/tempLeakCheck.ts', 'tests/helpers/demoClipsSetup.ts'],
    setupFiles: ['tests/helpers/tempCleanup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 30000 } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 90000, hookTimeout: 90000 } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 180000, hookTimeout: 120000 } },
    ],
  },
});
