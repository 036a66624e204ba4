// Forged requests: every state-changing route refuses a request a browser marks
// as coming from another origin or site, even with a valid staff session or
// reporter token; and in Chromium, a page on another site that tries to make a
// signed-in investigator's browser change a case (form post, no-cors fetch)
// changes nothing, since the session cookie is SameSite=Strict and the origin
// check refuses it anyway.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, totpCode, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)
import { loadRouteModule } from "../support/api-routes";
import { endpointsOf } from "../../app/.server/platform/api-route";

const ROUTES_DIR = path.join(import.meta.dirname, "../../app/routes");

/** Every (path pattern, method) that may change state: the declared methods of API routes, POST for a page's action. */
async function writeRoutes(): Promise<{ file: string; method: string; pattern: string }[]> {
  const out: { file: string; method: string; pattern: string }[] = [];
  for (const file of readdirSync(ROUTES_DIR)) {
    const pattern =
      "/" +
      file
        .replace(/\.tsx?$/, "")
        .split(".")
        .filter((seg) => !seg.startsWith("_") && seg !== "$")
        .join("/");
    if (file.startsWith("api.")) {
      const { api } = await loadRouteModule(file);
      const methods = new Set(
        endpointsOf(api!)
          .map((e) => e.method)
          .filter((m) => m !== "GET"),
      );
      for (const method of methods) out.push({ file, method, pattern });
      continue;
    }
    const src = readFileSync(path.join(ROUTES_DIR, file), "utf8");
    if (/export (async )?function action/.test(src)) out.push({ file, method: "POST", pattern });
  }
  return out;
}

describe("forged requests", () => {
  let portal: TestPortal;
  let lee: SignedInStaff;
  let reportId = "";
  let caseNumber = "";
  let bearer = "";

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0", NOTIFY_INTERVAL_MINUTES: "0" });
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
    const r = await submitTextReport(portal.url, { title: "forgery target", description: "d" });
    reportId = r.reportId;
    caseNumber = r.caseNumber;
    bearer = (await openCase(r.receiptCode, { baseUrl: portal.url })).session.beaconToken!;
  });
  afterAll(async () => {
    await portal?.stop();
  });

  const priority = async () => (await portal.services.db.select({ p: reports.priority }).from(reports).where(eq(reports.id, reportId)))[0]!.p;

  it("refuses every state-changing route from another origin or site, with valid credentials", async () => {
    const routes = await writeRoutes();
    expect(routes.length).toBeGreaterThan(25);
    const staffFetch = lee.client.options.fetch as typeof fetch;
    const fill = (pattern: string) =>
      pattern
        .replace("$reportId", reportId)
        .replace("$op", "priority")
        .replace(/\$[A-Za-z]+/g, "00000000-0000-4000-8000-000000000000");
    const forgeries: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: portal.url.replace("127.0.0.1", "localhost") },
    ];
    // Eight requests at a time: every one is refused, so none changes what another meets.
    const all = routes.flatMap((r) => forgeries.map((forged) => ({ r, forged })));
    for (let i = 0; i < all.length; i += 8) {
      await Promise.all(
        all.slice(i, i + 8).map(async ({ r, forged }) => {
          const headers = { "Content-Type": "application/json", Authorization: `Bearer ${bearer}`, ...forged };
          const res = await staffFetch(`${portal.url}${fill(r.pattern)}`, {
            method: r.method,
            headers,
            body: r.method === "GET" ? undefined : JSON.stringify({ priority: "urgent" }),
            redirect: "manual",
          });
          const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
          expect(res.status, `${r.method} ${r.pattern} with ${JSON.stringify(forged)}`).toBe(403);
          expect(body?.error?.code).toBe("cross_origin");
        }),
      );
    }
    expect(await priority()).toBe("normal");
    // The same request from the portal's own origin goes through (the check can fail).
    const ok = await staffFetch(`${portal.url}/api/staff/cases/${reportId}/priority`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: portal.url },
      body: JSON.stringify({ priority: "high" }),
    });
    expect(ok.status).toBe(200);
    expect(await priority()).toBe("high");
  });

  it.skipIf(!chromiumAvailable())("changes nothing when a page on another site drives a signed-in investigator's browser", async () => {
    const browser = await launchChromium();
    let attacker: Server | null = null;
    try {
      const target = `${portal.url}/api/staff/cases/${reportId}/priority`;
      const html = `<!doctype html><html><body>
        <form id="f" method="POST" action="${target}" enctype="text/plain"><input name='{"priority":"urgent","x":"' value='"}'></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ priority: "urgent" }) })
            .finally(() => document.getElementById("f").submit());
        </script></body></html>`;
      attacker = createServer((_req, res) => {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end(html);
      });
      await new Promise<void>((resolve) => attacker!.listen(0, "localhost", () => resolve()));
      const attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;

      // Both browsers sign in side by side (separate contexts, separate accounts).
      const signInKim = async () => {
        const context = await browser.newContext({ locale: "en-US" });
        const page = await context.newPage();
        await createStaff(portal, "investigator", "kim@okestro.example");
        // A second investigator, who joined after the report and holds no key to it, is driven too.
        await signInFirstTimeInBrowser(page, portal.url, "kim@okestro.example", /\/staff\?/);
        return page;
      };
      // Lee signs in in a browser of their own and then visits the attacker's page.
      const signInLee = async () => {
        const leeContext = await browser.newContext({ locale: "en-US" });
        const leePage = await leeContext.newPage();
        await leePage.goto(`${portal.url}/staff/login?lang=en`);
        await leePage.getByLabel(/^Email address/).fill("lee@okestro.example");
        await leePage.getByLabel(/^Password/).fill(PASSWORD);
        await leePage.getByRole("button", { name: "Sign in" }).click();
        // Lee's authenticator was enrolled from Node; the page asks for a code.
        await leePage.getByLabel(/^Authenticator code/).fill(totpCode(lee.totpSecret, Date.now() + 30_000));
        await leePage.getByRole("button", { name: "Confirm" }).click();
        await leePage.waitForURL(/\/staff\?/, { timeout: 30_000 });
        expect(await leePage.getByTestId("inbox").textContent({ timeout: 30_000 })).toContain(caseNumber);
        return leePage;
      };
      const [page, leePage] = await Promise.all([signInKim(), signInLee()]);
      for (const p of [page, leePage]) {
        await p.goto(attackerUrl);
        // The page's fetch has settled and its form post has been answered once the form's target is shown.
        await p.waitForURL(target, { timeout: 30_000 });
      }
      expect(await priority()).toBe("high");
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    }
  });
});
