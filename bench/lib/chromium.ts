// Debian's Chromium through playwright-core; never a downloaded browser.
//
// The flags are the tests' (test/support/browser.ts), repeated here because that
// module imports vitest's `expect`, which throws outside a vitest run: importing
// it made `npm run bench` fail at start-up. Keep the two lists alike.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** As the tests start it: without the background-networking flags Chromium keeps dialling out. */
export const TEST_CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** The tests' flags, plus --headless for the bare CDP driver, which starts Chromium itself. */
export const CHROMIUM_ARGS = ["--headless", ...TEST_CHROMIUM_ARGS];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
