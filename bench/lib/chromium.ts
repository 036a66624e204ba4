// Debian's Chromium through playwright-core; never a downloaded browser.
import { chromium, type Browser } from "playwright-core";

import { CHROMIUM_ARGS as TEST_ARGS, CHROMIUM_PATH } from "../../test/support/browser";

export { CHROMIUM_PATH };
/** The tests' flags, plus --headless for the bare CDP driver, which starts Chromium itself. */
export const CHROMIUM_ARGS = ["--headless", ...TEST_ARGS];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
