// Real Chromium from Debian (never a downloaded browser), driven by playwright-core.
// Under CI a missing Chromium fails the run instead of skipping it.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import { CI } from "./backends";
import { PASSWORD } from "./staff";
import { totpCode } from "./staff-session";

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

/**
 * Playwright launches Chromium with the back/forward cache off (--disable-back-forward-cache). `bfcache: "on"`
 * keeps it on, as in a reporter's browser; `"forced"` also ignores its blocklists (a Chromium testing parameter),
 * so that a page Chromium would not keep, such as one that fetched a `no-store` response, is restored anyway.
 */
export function launchChromium(options: { bfcache?: "on" | "forced"; microphone?: string } = {}): Promise<Browser> {
  const args = [...CHROMIUM_ARGS];
  if (options.bfcache === "forced") args.push("--enable-features=BackForwardCache:should_ignore_blocklists/true");
  // `microphone`: a WAV file Chromium plays as its microphone (looping), with the permission prompt granted.
  if (options.microphone) {
    args.push("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-audio-capture=${options.microphone}`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
    ignoreDefaultArgs: options.bfcache ? ["--disable-back-forward-cache"] : [],
  });
}

/**
 * Leaves the page for `elsewhere` (a full navigation) and goes Back; returns how the document then shown was
 * loaded: "back_forward" (afresh) or "reload" (restored from the back/forward cache, then reloaded by the page's
 * pageshow handler). Fails if the document that was left stays on screen (restored and not reloaded).
 */
export async function leaveAndGoBack(page: Page, elsewhere: string): Promise<"back_forward" | "reload"> {
  await page.goto(elsewhere);
  // A restored page fires no load event: wait for the commit, then for a document that was not restored.
  await page.goBack({ waitUntil: "commit" });
  const how = () => page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).type);
  await expect.poll(how, { timeout: 15_000, message: "Back ends on a fresh document, not the one that was left" }).toBeOneOf(["back_forward", "reload"]);
  return (await how()) as "back_forward" | "reload";
}

/** Whether a request leaves `origin` (the portal's): `data:` and `blob:` URLs name no server; WebSocket URLs compare as HTTP. */
export function leavesOrigin(url: string, origin: string): boolean {
  const u = new URL(url.replace(/^ws/, "http"));
  return u.protocol !== "data:" && u.protocol !== "blob:" && u.origin !== origin;
}

/** First sign-in of an account in the browser: password, authenticator enrolment (QR code), recovery codes, then the role's home page. */
export async function signInFirstTimeInBrowser(page: Page, baseUrl: string, email: string, home: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/staff/login?lang=en`);
  await page.getByLabel(/^Email address/).fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent({ timeout: 30_000 }))!;
  expect(await page.getByRole("img", { name: /QR code/ }).getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
  await page.getByLabel(/^Authenticator code/).fill(totpCode(secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByTestId("recovery-codes").waitFor({ timeout: 30_000 });
  expect(await page.getByTestId("recovery-codes").locator("li").count()).toBe(10);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(home);
}

/**
 * A page in a fresh context that records in `errors` page errors, CSP refusals (and whatever else `watch` matches),
 * and any request (subresource, fetch, worker, WebSocket) to an origin other than that of its first document.
 */
export async function watchedPage(browser: Browser, errors: string[], options: { locale?: string; watch?: RegExp } = {}): Promise<Page> {
  const page = await (await browser.newContext({ locale: options.locale ?? "en-US" })).newPage();
  const watch = options.watch ?? /Content Security Policy|Refused to/i;
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (watch.test(m.text())) errors.push(m.text());
  });
  let origin: string | undefined;
  const request = (url: string) => {
    origin ??= new URL(url).origin;
    if (leavesOrigin(url, origin)) errors.push(`request to another origin: ${url}`);
  };
  page.on("request", (r) => request(r.url()));
  page.on("websocket", (ws) => request(ws.url()));
  return page;
}
