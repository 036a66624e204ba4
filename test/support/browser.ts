// Real Chromium from Debian (never a downloaded browser), driven by playwright-core.
// Under CI a missing Chromium fails the run instead of skipping it.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { CI } from "./backends";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (CI) throw new Error(`Chromium is required under CI but ${CHROMIUM_PATH} does not exist (apt-get install -y chromium)`);
  return false;
}

/** As this machine's probe starts it: without the background-networking flags Chromium keeps dialling out. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
