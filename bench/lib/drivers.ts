// The two ways the benchmarks drive Chromium: playwright-core, and the bare CDP
// driver (./cdp.ts) whose pages upload without DevTools network instrumentation.
import type { Browser, Page } from "playwright-core";
import type { CdpBrowser } from "./cdp";

/** What the form flow needs from a browser driver. */
export interface FormDriver {
  name: "playwright" | "cdp";
  goto(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  setInputFiles(selector: string, files: string[]): Promise<void>;
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

export async function playwrightDriver(browser: Browser): Promise<FormDriver> {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  return {
    name: "playwright",
    goto: async (url) => void (await page.goto(url, { waitUntil: "load" })),
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    setInputFiles: (selector, files) => page.setInputFiles(selector, files),
    click: (selector) => page.click(selector),
    close: () => context.close(),
  };
}

export async function cdpDriver(browser: CdpBrowser): Promise<FormDriver> {
  const page = await browser.newPage();
  return {
    name: "cdp",
    goto: (url) => page.goto(url),
    evaluate: <T>(expression: string) => page.evaluate<T>(expression),
    setInputFiles: (selector, files) => page.setInputFiles(selector, files),
    click: (selector) => page.click(selector),
    close: () => page.close(),
  };
}
