// End to end in Chromium: submit a report, come back with the receipt, read
// it, exchange messages with an investigator (whose side goes through the
// server's domain API until the investigator workspace lands), add a file,
// ask for deletion, log out, and find nothing of the case in the browser; leave
// the page and come Back, and find the receipt form, not the case.
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptFileMeta, decryptMessage, encryptMessage, newRecordId } from "../../crypto";
import { appendMessage } from "../../app/.server/dialogue/dialogue";
import { attachments, messages, privacyRequests, reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, leaveAndGoBack, watchedPage } from "../support/browser";
import { investigatorReportKey } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

describe.skipIf(!chromiumAvailable())("reporter follow-up in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let receipt: string;
  const errors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "choi@okestro.example");
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("submits a report and gets a receipt", async () => {
    await page.goto(`${portal.url}/report?lang=en`);
    await page.getByLabel(/^Type of report/).selectOption({ index: 2 });
    await page.getByLabel(/^Title/).fill("Follow-up E2E title");
    await page.getByLabel(/^Description/).fill("Something happened in the warehouse");
    await page.locator('input[name="consentReport"]').check();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    receipt = (await page.getByTestId("receipt-code").textContent({ timeout: 60_000 }))!.trim();
    expect(receipt).toHaveLength(24);
  });

  it("refuses a typo before any request and opens the case with the right code", async () => {
    await page.goto(`${portal.url}/`);
    await page.getByRole("link", { name: /Follow your case/ }).click();
    await page.waitForURL(/\/status/);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const typo = receipt.slice(0, -1) + (receipt.endsWith("0") ? "1" : "0");
    await page.locator('input[name="receipt"]').fill(typo);
    await page.getByRole("button", { name: "Open my case" }).click();
    await expect(page.getByRole("alert").first().textContent()).resolves.toMatch(/typo/);
    expect(requests.filter((u) => u.includes("/api/followup"))).toEqual([]);

    await page.locator('input[name="receipt"]').fill(receipt.toLowerCase());
    await page.getByRole("button", { name: "Open my case" }).click();
    await expect(page.getByTestId("case-title").textContent({ timeout: 30_000 })).resolves.toBe("Follow-up E2E title");
    expect(await page.getByTestId("case-status").textContent()).toMatch(/^Received/);
    expect(await page.locator("body").textContent()).toMatch(/acknowledge your report by/);
  });

  it("exchanges messages with an investigator", async () => {
    const [row] = await portal.services.db.select().from(reports);
    const inv = await investigatorReportKey(portal.services, row!.id, "choi@okestro.example", PASSWORD);
    const qid = newRecordId();
    await appendMessage(
      portal.services,
      row!.id,
      {
        id: qid,
        body: encryptMessage(inv.reportKey, row!.id, qid, { author: "investigator", kind: "question", text: "Which warehouse? <img src=x onerror=alert(1)>" }),
      },
      { author: "investigator", staffUserId: inv.staffUserId },
    );
    await page.getByRole("button", { name: "Check for new messages" }).click();
    // The refresh is asynchronous: wait for the new message rather than reading the list at once.
    await expect.poll(() => page.getByTestId("dialogue").textContent()).toContain("Which warehouse? <img src=x onerror=alert(1)>");
    await page.locator('textarea[name="message"]').fill("Warehouse 3, night shift");
    await page.getByRole("button", { name: "Encrypt and send" }).click();
    await expect.poll(() => page.getByTestId("dialogue").textContent()).toContain("Warehouse 3, night shift");
    const mine = (await portal.services.db.select().from(messages).where(eq(messages.reportId, row!.id))).find((m) => m.author === "reporter")!;
    expect(decryptMessage(inv.reportKey, row!.id, mine.id, mine.bodyCt, "reporter").text).toBe("Warehouse 3, night shift");
  });

  it("adds a file and asks for deletion", async () => {
    await page.locator('input[name="attachments"]').setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.alloc(300_000, 7) });
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("Download photo.jpg");
    const [row] = await portal.services.db.select().from(reports);
    const inv = await investigatorReportKey(portal.services, row!.id, "choi@okestro.example", PASSWORD);
    const [a] = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, row!.id));
    expect(decryptFileMeta(inv.reportKey, row!.id, a!.id, a!.metaCt)).toEqual({ name: "photo.jpg", type: "image/jpeg", size: 300_000 });

    // A correction without its text is refused on the page, naming the field.
    await page.getByLabel(/^Correction/).check();
    await page.getByRole("button", { name: "Send the request" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("Details (for a correction: the corrected text): This field is required.");
    expect(await page.getByTestId("privacy-confirm").count()).toBe(0);
    // Deletion is sent only after the page has said what it means, and confirmed.
    await page.getByLabel("Deletion of my report").check();
    await page.getByRole("button", { name: "Send the request" }).click();
    const confirm = page.getByTestId("privacy-confirm");
    expect(await confirm.textContent()).toMatch(/your whole case is destroyed at once.*investigation of what you reported then ends.*nothing can be restored/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("privacy-confirm-title");
    await page.getByRole("button", { name: "Go back" }).click();
    expect(await confirm.count()).toBe(0);
    await page.getByRole("button", { name: "Send the request" }).click();
    expect(await portal.services.db.select().from(privacyRequests)).toEqual([]);
    await page.getByRole("button", { name: "Yes, send the request" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("An answer is due by");
    expect(await confirm.count()).toBe(0);
    expect(await page.getByTestId("privacy-requests").textContent()).toMatch(/Deletion of my report/);
    const [req] = await portal.services.db.select().from(privacyRequests);
    expect(req).toMatchObject({ kind: "deletion", state: "open" });
  });

  it("logs out and leaves nothing of the case in the browser", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("You have logged out");
    expect(await page.locator("body").textContent()).not.toContain("Follow-up E2E title");
    const storage = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      cookie: document.cookie,
      caches: "caches" in window ? (await caches.keys()).length : 0,
      idb: "databases" in indexedDB ? (await indexedDB.databases()).length : 0,
    }));
    expect(storage).toEqual({ local: 0, session: 0, cookie: "", caches: 0, idb: 0 });
    expect(errors).toEqual([]);
  });

  it("shows the receipt form, not the case, on Back after leaving an opened case, whether or not the back/forward cache restores it", async () => {
    // "on": Chromium as reporters have it does not keep this page (a no-store document that fetched no-store
    // responses), so Back loads it afresh ("back_forward"). "forced": the page is restored from the cache, as
    // another browser may do, and would show the case again but for its pageshow reload ("reload").
    for (const bfcache of ["on", "forced"] as const) {
      const b = await launchChromium({ bfcache });
      try {
        const p = await watchedPage(b, errors);
        await p.goto(`${portal.url}/status?lang=en`);
        await p.locator('input[name="receipt"]').fill(receipt);
        await p.getByRole("button", { name: "Open my case" }).click();
        await p.getByTestId("case-title").waitFor({ timeout: 30_000 });
        const how = await leaveAndGoBack(p, `${portal.url}/privacy?lang=en`);
        if (bfcache === "forced") expect(how, "restored from the cache, then reloaded").toBe("reload");
        await p.locator('input[name="receipt"]').waitFor({ timeout: 30_000 });
        expect(await p.locator("body").textContent()).not.toContain("Follow-up E2E title");
      } finally {
        await b.close();
      }
    }
    expect(errors).toEqual([]);
  });
});
