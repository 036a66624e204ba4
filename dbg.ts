import { startTestPortal } from "./test/support/portal";
import { createStaff } from "./test/support/staff";
import { launchChromium } from "./test/support/browser";
const p = await startTestPortal("pglite");
const b = await launchChromium();
try {
  await createStaff(p, "investigator", "a@okestro.example");
  const page = await b.newPage();
  page.on("console", (m) => console.error("console:", m.type(), m.text()));
  page.on("pageerror", (e) => console.error("pageerror:", e));
  page.on("requestfailed", (r) => console.error("reqfail:", r.url(), r.failure()?.errorText));
  await page.goto(`${p.url}/report?lang=en`);
  await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
  await page.getByLabel(/^Title/).fill("t");
  await page.getByLabel(/^Description/).fill("d");
  await page.locator('input[name="consentReport"]').check();
  await page.waitForTimeout(1000);
  await page.getByRole("button", { name: "Encrypt and submit" }).click();
  await page.waitForTimeout(5000);
  console.error(await page.locator(".progress-area").textContent(), await page.locator("main").innerText().then(t => t.slice(0, 300)));
  await page.screenshot({ path: "/tmp/shot.png", fullPage: false });
} finally { console.error(p.logs.slice(-8).join("\n")); await b.close(); await p.stop(); }
