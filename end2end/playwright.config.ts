import { defineConfig } from "@playwright/test";

// The test script starts the real server on a random port and passes its
// address; Chromium is Debian's, so nothing is downloaded.
const baseURL = process.env.USAJILI_E2E_URL;
if (!baseURL) throw new Error("USAJILI_E2E_URL is not set: run the tests with scripts/test.sh");

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    viewport: { width: 360, height: 740 },
    trace: "off",
  },
});
