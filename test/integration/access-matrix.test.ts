// Every staff and administration route against every kind of caller, with the
// expected answer for each pair: the server checks access for every route and
// every role, and an excluded investigator meets the same 404 as for a case
// that does not exist; an affiliate reviewer reaches only their own
// affiliate's shares, and every share of the other affiliate is a 404. (Issue 8 extends this to a matrix generated from the
// route files.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { openCase } from "../../app/reporter/followup-client";
import { encryptMessage, loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { attachments } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import { StaffClient } from "../../app/staff/staff-client";
import { cookieFetch, firstSignIn } from "../support/staff-session";
import { createShare } from "../../app/staff/share-builder";
import { archiveCase, type ArchivableCase } from "../../app/staff/archive-builder";
import { caseForSharing } from "../support/sharing";

type Caller = "anonymous" | "reporter" | "pending" | "investigator" | "excluded" | "admin" | "cloud" | "agi";
/** ok = 2xx; anything unexpected shows as its status and fails the row. */
type Outcome = "ok" | "unauth" | "forbidden" | "hidden" | "login" | `status ${number}`;
// "pending": right password, second factor not yet given.
const CALLERS: Caller[] = ["anonymous", "reporter", "pending", "investigator", "excluded", "admin", "cloud", "agi"];

interface Ids {
  reportId: string;
  caseNumber: string;
  attachmentId: string;
  userId: string;
  cloudShare: string;
  agiShare: string;
  archiveId: string;
  archivedFileId: string;
}

interface RouteCase {
  name: string;
  method: "GET" | "POST";
  path: (ids: Ids) => string;
  body?: unknown;
  expect: Record<Caller, Outcome>;
}

const investigatorOnly = (excluded: Outcome): Record<Caller, Outcome> => ({
  anonymous: "unauth",
  reporter: "unauth",
  pending: "unauth",
  investigator: "ok",
  excluded,
  admin: "forbidden",
  cloud: "forbidden",
  agi: "forbidden",
});
const adminOnly: Record<Caller, Outcome> = { anonymous: "unauth", reporter: "unauth", pending: "unauth", investigator: "forbidden", excluded: "forbidden", admin: "ok", cloud: "forbidden", agi: "forbidden" };
/** Affiliate routes: every other role is refused; a reviewer reaches only their own affiliate's shares (else the same 404). */
const affiliateOnly = (cloud: Outcome, agi: Outcome, signedOut: Outcome = "unauth"): Record<Caller, Outcome> => ({
  anonymous: signedOut,
  reporter: signedOut,
  pending: signedOut,
  investigator: "forbidden",
  excluded: "forbidden",
  admin: "forbidden",
  cloud,
  agi,
});
// A syntactically valid aead-v1 record (one 256-byte block): the server cannot tell it from real feedback.
const FEEDBACK = { id: "7b0c5b38-9a51-4f0e-9d2c-6a1f3e2b9c10", body: Buffer.concat([Buffer.from([1]), Buffer.alloc(296, 7)]).toString("base64url") };
const anyStaff: Record<Caller, Outcome> = { anonymous: "unauth", reporter: "unauth", pending: "unauth", investigator: "ok", excluded: "ok", admin: "ok", cloud: "ok", agi: "ok" };

const ROUTES: RouteCase[] = [
  { name: "inbox API", method: "GET", path: () => "/api/staff/cases", expect: investigatorOnly("ok") },
  { name: "case action", method: "POST", path: (i) => `/api/staff/cases/${i.reportId}/priority`, body: { priority: "high" }, expect: investigatorOnly("hidden") },
  { name: "grant candidates", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/grants`, expect: investigatorOnly("hidden") },
  { name: "attachment download", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/attachments/${i.attachmentId}`, expect: investigatorOnly("hidden") },
  { name: "own account", method: "GET", path: () => "/api/staff/me", expect: anyStaff },
  { name: "invitations", method: "POST", path: () => "/api/staff/invitations", body: { email: "new@okestro.example", role: "investigator" }, expect: adminOnly },
  { name: "categories", method: "POST", path: () => "/api/admin/categories", body: { nameKo: "테스트", nameEn: "Test" }, expect: adminOnly },
  { name: "account administration", method: "POST", path: (i) => `/api/admin/staff/${i.userId}/unlock`, expect: adminOnly },
  { name: "audit log", method: "GET", path: () => "/api/admin/audit", expect: adminOnly },
  { name: "statistics", method: "GET", path: () => "/api/admin/statistics", expect: adminOnly },
  { name: "case shares", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/shares`, expect: investigatorOnly("hidden") },
  { name: "affiliate reviewers", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/reviewers?affiliate=cloud`, expect: investigatorOnly("hidden") },
  { name: "case view API", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/view`, expect: investigatorOnly("hidden") },
  { name: "archive recipients", method: "GET", path: (i) => `/api/staff/cases/${i.reportId}/admins`, expect: investigatorOnly("hidden") },
  { name: "legal hold", method: "POST", path: (i) => `/api/staff/cases/${i.reportId}/holds`, body: { reason: "litigation" }, expect: investigatorOnly("hidden") },
  { name: "archive list", method: "GET", path: () => "/api/admin/archives", expect: adminOnly },
  { name: "archive", method: "GET", path: (i) => `/api/admin/archives/${i.archiveId}`, expect: adminOnly },
  { name: "archived file", method: "GET", path: (i) => `/api/admin/archives/${i.archiveId}/files/${i.archivedFileId}`, expect: adminOnly },
  { name: "archive pages", method: "GET", path: () => "/admin/archives", expect: { anonymous: "login", reporter: "login", pending: "login", investigator: "forbidden", excluded: "forbidden", admin: "ok", cloud: "forbidden", agi: "forbidden" } },
  { name: "affiliate share list", method: "GET", path: () => "/api/affiliate/shares", expect: affiliateOnly("ok", "ok") },
  { name: "Cloud share", method: "GET", path: (i) => `/api/affiliate/shares/${i.cloudShare}`, expect: affiliateOnly("ok", "hidden") },
  { name: "AGI share", method: "GET", path: (i) => `/api/affiliate/shares/${i.agiShare}`, expect: affiliateOnly("hidden", "ok") },
  { name: "Cloud share file", method: "GET", path: (i) => `/api/affiliate/shares/${i.cloudShare}/attachments/${i.attachmentId}`, expect: affiliateOnly("ok", "hidden") },
  { name: "AGI share file", method: "GET", path: (i) => `/api/affiliate/shares/${i.agiShare}/attachments/${i.attachmentId}`, expect: affiliateOnly("hidden", "ok") },
  { name: "Cloud share feedback", method: "POST", path: (i) => `/api/affiliate/shares/${i.cloudShare}/feedback`, body: FEEDBACK, expect: affiliateOnly("ok", "hidden") },
  { name: "AGI share feedback", method: "POST", path: (i) => `/api/affiliate/shares/${i.agiShare}/feedback`, body: { ...FEEDBACK, id: "0d6f2a41-3c8e-4b7a-8e19-52c4a7d0f3b6" }, expect: affiliateOnly("hidden", "ok") },
  { name: "affiliate page", method: "GET", path: () => "/affiliate", expect: affiliateOnly("ok", "ok", "login") },
  { name: "Cloud share page", method: "GET", path: (i) => `/affiliate/shares/${i.cloudShare}`, expect: affiliateOnly("ok", "hidden", "login") },
  { name: "AGI share page", method: "GET", path: (i) => `/affiliate/shares/${i.agiShare}`, expect: affiliateOnly("hidden", "ok", "login") },
  {
    name: "inbox page",
    method: "GET",
    path: () => "/staff",
    expect: { anonymous: "login", reporter: "login", pending: "login", investigator: "ok", excluded: "ok", admin: "forbidden", cloud: "forbidden", agi: "forbidden" },
  },
  {
    name: "case page",
    method: "GET",
    path: (i) => `/staff/cases/${i.caseNumber}`,
    expect: { anonymous: "login", reporter: "login", pending: "login", investigator: "ok", excluded: "hidden", admin: "forbidden", cloud: "forbidden", agi: "forbidden" },
  },
  {
    name: "administration page",
    method: "GET",
    path: () => "/admin",
    expect: { anonymous: "login", reporter: "login", pending: "login", investigator: "forbidden", excluded: "forbidden", admin: "ok", cloud: "forbidden", agi: "forbidden" },
  },
  {
    name: "reporter case API",
    method: "GET",
    path: () => "/api/followup/case",
    expect: { anonymous: "unauth", reporter: "ok", pending: "unauth", investigator: "unauth", excluded: "unauth", admin: "unauth", cloud: "unauth", agi: "unauth" },
  },
];

async function classify(r: Response): Promise<Outcome> {
  if (r.status === 302 || r.status === 303) return (r.headers.get("location") ?? "").startsWith("/staff/login") ? "login" : `status ${r.status}`;
  if (r.status === 401) return "unauth";
  if (r.status === 403) return "forbidden";
  if (r.status === 404) return "hidden";
  if (r.status >= 200 && r.status < 300) return "ok";
  return `status ${r.status}`;
}

for (const backend of await backends()) {
  describe(`access-control matrix on ${backend}`, () => {
    let portal: TestPortal;
    const fetchers = new Map<Caller, typeof fetch>();
    let investigator: StaffClient;
    const ids: Ids = { reportId: "", caseNumber: "", attachmentId: "", userId: "", cloudShare: "", agiShare: "", archiveId: "", archivedFileId: "" };

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      const inv = await createStaff(portal, "investigator", "inv@okestro.example");
      const excl = await createStaff(portal, "investigator", "excl@okestro.example");
      await createStaff(portal, "admin", "admin@okestro.example");
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]);
      await createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi"]);
      ids.userId = inv.id;
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "matrix",
          body: { description: "matrix", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [excl.id],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [memoryFile("m.txt", "text/plain", Buffer.from("m"))],
        info,
        { baseUrl: portal.url },
      );
      ids.reportId = r.reportId;
      ids.caseNumber = r.caseNumber;
      ids.attachmentId = (await portal.services.db.select().from(attachments))[0]!.id;
      fetchers.set("anonymous", (input, init) => fetch(input, { ...init, redirect: "manual" }));
      const pendingClient = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      expect(await pendingClient.signIn("inv@okestro.example", PASSWORD)).toBe("totp_setup");
      const pendingFetch = pendingClient.options.fetch as typeof fetch;
      fetchers.set("pending", (input, init) => pendingFetch(input, { ...init, redirect: "manual" }));
      const reporter = await openCase(r.receiptCode, { baseUrl: portal.url });
      const bearer = reporter.session.beaconToken!;
      fetchers.set("reporter", (input, init) => fetch(input, { ...init, redirect: "manual", headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${bearer}` } }));
      for (const [caller, email] of [
        ["investigator", "inv@okestro.example"],
        ["excluded", "excl@okestro.example"],
        ["admin", "admin@okestro.example"],
        ["cloud", "cloud@okestro.example"],
        ["agi", "agi@okestro.example"],
      ] as const) {
        // The signed-in client's fetch carries its session cookie.
        const s = await firstSignIn(portal.url, email, PASSWORD);
        const withCookie = s.client.options.fetch as typeof fetch;
        fetchers.set(caller, (input, init) => withCookie(input, { ...init, redirect: "manual" }));
        if (caller === "investigator") investigator = s.client;
      }
      // One share of the case with each affiliate, both holding the attachment.
      const c = await caseForSharing(portal, ids.reportId, inv.id, investigator.keyPair!);
      const share = (affiliate: "cloud" | "agi") =>
        createShare(investigator, c.ref, c.keys, { affiliate, purpose: "fact_finding", purposeNote: null, retainUntil: null, fields: { title: c.title }, redacted: [], files: c.files });
      ids.cloudShare = (await share("cloud")).shareId;
      ids.agiShare = (await share("agi")).shareId;
      // A second case, closed and moved into the archive for the administrator.
      const other = await submitEncryptedReport(
        { categoryId: info.categories[0]!.id, title: "archived", body: { description: "archived", details: "", periodFrom: null, periodTo: null }, identity: null, excludedInvestigators: [], consentReport: true, consentOptional: true, consentAffiliateIdentity: false },
        [memoryFile("a.txt", "text/plain", Buffer.from("a"))],
        info,
        { baseUrl: portal.url },
      );
      const o = await caseForSharing(portal, other.reportId, inv.id, investigator.keyPair!);
      const summaryId = newRecordId();
      await investigator.caseOp(other.reportId, "status", { to: "closed", outcome: "referred", summary: { id: summaryId, body: toBase64Url(encryptMessage(o.keys.reportKey, other.reportId, summaryId, { author: "investigator", kind: "message", text: "done" })) } });
      ids.archiveId = (await archiveCase(investigator, await investigator.get<ArchivableCase>(`/api/staff/cases/${other.reportId}/view`), o.keys, null, "national_tax")).archiveId;
      ids.archivedFileId = o.files[0]!.id;
    });
    afterAll(async () => {
      await portal?.stop();
    });

    for (const route of ROUTES) {
      it(`${route.name}: ${route.method} ${route.path({ reportId: ":id", caseNumber: ":case", attachmentId: ":file", userId: ":user", cloudShare: ":cloudShare", agiShare: ":agiShare", archiveId: ":archive", archivedFileId: ":file" })}`, async () => {
        const got: Record<string, Outcome> = {};
        for (const caller of CALLERS) {
          const r = await fetchers.get(caller)!(`${portal.url}${route.path(ids)}`, {
            method: route.method,
            headers: route.body ? { "Content-Type": "application/json" } : {},
            body: route.body ? JSON.stringify(route.body) : undefined,
          });
          got[caller] = await classify(r);
          await r.arrayBuffer().catch(() => {});
        }
        expect(got).toEqual(route.expect);
      });
    }

    it("shows the excluded investigator nothing of the case in any answer", async () => {
      for (const path of ["/api/staff/cases", "/staff", `/api/staff/cases?case=${ids.caseNumber}`, "/api/staff/me"]) {
        const body = await (await fetchers.get("excluded")!(`${portal.url}${path}`, {})).text();
        expect(body).not.toContain(ids.reportId);
        expect(body).not.toContain(ids.caseNumber);
      }
      // The same requests from the investigator who holds the case do show it (the check can fail).
      expect(await (await fetchers.get("investigator")!(`${portal.url}/api/staff/cases`, {})).text()).toContain(ids.caseNumber);
    });
  });
}
