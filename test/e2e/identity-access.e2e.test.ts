// End to end in Chromium (ADR 052): an investigator's browser receives nothing that opens the reporter's
// identity, in any response, before a reason is recorded; with the approval setting (switched on by an
// administrator on /admin/settings) nothing is released until a second investigator, who sees the reason and
// not the identity, approves; then the identity opens on the first investigator's page, and the reporter's
// follow-up page says when and why their identity was accessed.
import { eq } from "drizzle-orm";
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64Url } from "../../crypto";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";

const WHO = { name: "MKE2ENAME Hong", email: "mke2e-hong@example.org", phone: "010-5555-0199" };
const REASON = "MKE2EREASON: the protection officer must arrange a transfer";

describe.skipIf(!chromiumAvailable())("the identity behind a recorded reason in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let receipt: string;
  let caseNumber: string;
  /** What would open the identity: the stored record and its key wrap, as they travel (base64url). */
  let secrets: string[];
  const errors: string[] = [];
  /** Every response body each investigator's browser received, as text, with its URL. */
  const received = new Map<string, { url: string; body: string }[]>();

  const watch = async (who: string) => {
    const page = await watchedPage(browser, errors);
    const bodies: { url: string; body: string }[] = [];
    received.set(who, bodies);
    page.on("response", (r: Response) => {
      // Every response, documents, scripts, data requests and API answers alike; a body that cannot be read
      // (a redirect) has nothing in it.
      void r
        .body()
        .then((b) => bodies.push({ url: r.url(), body: b.toString("latin1") }))
        .catch(() => bodies.push({ url: r.url(), body: "" }));
    });
    return page;
  };
  /** The responses so far that carry any of the secrets (after the page settled). */
  const leaks = async (who: string, page: Page) => {
    await page.waitForLoadState("networkidle");
    return received
      .get(who)!
      .filter((r) => secrets.some((s) => r.body.includes(s)) || r.body.includes(WHO.name) || r.body.includes(WHO.email))
      .map((r) => r.url);
  };
  const openCase = async (page: Page, email: string) => {
    await signInFirstTimeInBrowser(page, portal.url, email, /\/staff\?/);
    await page.getByRole("link", { name: caseNumber }).click();
    await expect.poll(() => page.getByTestId("staff-case-title").textContent(), { timeout: 30_000 }).toBe("MKE2ETITLE");
    await page.getByTestId("identity-share-rule").waitFor();
  };

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park"]);
    await createStaff(portal, "admin", "admin@okestro.example", ["--name", "Admin"]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "MKE2ETITLE",
        body: { description: "A description", details: "", periodFrom: null, periodTo: null },
        identity: WHO,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: true,
      },
      [],
      info,
      { baseUrl: portal.url },
    );
    receipt = r.receiptCode;
    caseNumber = r.caseNumber;
    const [row] = await portal.services.db.select().from(reports).where(eq(reports.id, r.reportId));
    secrets = [toBase64Url(row!.identityCt!), toBase64Url(row!.identityKeyWrapped!)];
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  let lee: Page;
  let park: Page;

  it("lets an administrator require a second investigator's approval on /admin/settings", async () => {
    const admin = await watchedPage(browser, errors);
    await signInFirstTimeInBrowser(admin, portal.url, "admin@okestro.example", /\/admin/);
    await admin.goto(`${portal.url}/admin/settings?lang=en`);
    await admin.getByLabel("A second investigator must approve each access").check();
    await admin.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => admin.getByTestId("identity-settings").textContent(), { timeout: 15_000 }).toContain("Done");
    await admin.reload();
    expect(await admin.getByLabel("A second investigator must approve each access").isChecked()).toBe(true);
  });

  it("sends the investigator's browser nothing of the identity before a reason, nor while the request waits", async () => {
    lee = await watch("lee");
    await openCase(lee, "lee@okestro.example");
    expect(await lee.locator("section", { has: lee.locator("#s-identity") }).textContent()).toContain("sent to your browser only after you record why");
    expect(await lee.getByTestId("identity-released").count()).toBe(0);
    expect(await leaks("lee", lee)).toEqual([]);
    // A reason is required.
    await lee.getByRole("button", { name: "Record the reason and ask for approval" }).click();
    expect(await lee.getByLabel(/^Why you need it/).evaluate((e: HTMLTextAreaElement) => e.validity.valueMissing)).toBe(true);
    await lee.getByLabel("Reason", { exact: true }).selectOption("protection_measures");
    await lee.getByLabel(/^Why you need it/).fill(REASON);
    await lee.getByRole("button", { name: "Record the reason and ask for approval" }).click();
    await lee.getByTestId("identity-waiting").waitFor({ timeout: 30_000 });
    await lee.getByRole("button", { name: "Check again" }).click();
    await lee.getByTestId("identity-waiting").waitFor();
    expect(await leaks("lee", lee)).toEqual([]);
    expect(received.get("lee")!.some((r) => r.url.includes("/identity/request"))).toBe(true);
  });

  it("lets a second investigator approve after reading the reason, without the identity reaching them", async () => {
    park = await watch("park");
    await openCase(park, "park@okestro.example");
    const pending = park.getByTestId("identity-pending");
    await pending.waitFor({ timeout: 30_000 });
    expect(await pending.textContent()).toContain(REASON);
    expect(await pending.textContent()).toContain("Protection measures for the reporter");
    await park.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => park.getByTestId("identity-accesses").textContent(), { timeout: 30_000 }).toMatch(/released/);
    expect(await leaks("park", park)).toEqual([]);
    expect(await park.getByTestId("identity-released").count()).toBe(0);
  });

  it("then releases the identity to the first investigator, and the inspection sees it arrive", async () => {
    await lee.getByRole("button", { name: "Check again" }).click();
    const shown = lee.getByTestId("identity-released");
    await shown.waitFor({ timeout: 30_000 });
    expect(await shown.textContent()).toContain(WHO.name);
    expect(await shown.textContent()).toContain(WHO.phone);
    // The same inspection now finds the released key wrap: it would have caught it earlier.
    expect((await leaks("lee", lee)).some((u) => u.includes("/identity/state"))).toBe(true);
    expect(await lee.getByTestId("identity-accesses").textContent()).toMatch(/Lee.*Protection measures for the reporter.*released \(Park\)/s);
  });

  it("tells the reporter on the follow-up page when and why their identity was accessed, not the words", async () => {
    const page = await watchedPage(browser, errors);
    await page.goto(`${portal.url}/status?lang=en`);
    await page.locator('input[name="receipt"]').fill(receipt);
    await page.getByRole("button", { name: "Open my case" }).click();
    const list = page.getByTestId("identity-accesses");
    await list.waitFor({ timeout: 30_000 });
    const text = (await list.textContent())!;
    expect(text).toMatch(/\d{4}.*an investigator opened your contact details\. Reason: Protection measures for the reporter/);
    expect(await page.locator("body").textContent()).not.toContain("MKE2EREASON");
    expect(errors).toEqual([]);
  });
});
