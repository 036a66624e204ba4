// The access-control matrix, generated from the routes: every route module in
// app/routes and every method it answers, from the API routes' declarations
// (every op of the case dispatcher too) must have rows here, with the expected
// outcome for each kind of caller; a route or op without rows fails the suite, so a new one cannot be
// missed. Callers: anonymous, a reporter session, a staff member who gave the
// password but not the second factor ("pending"), an investigator holding the
// case, one the reporter excluded, an administrator, and a reviewer of OKESTRO
// Cloud and of OKESTRO AGI. An excluded investigator meets the same 404 as for
// a case that does not exist; a reviewer reaches only their own affiliate's
// shares. Run alone with `npm run test:security`.
import { openIdentityWithReason } from "../support/identity";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { openCase } from "../../app/reporter/followup-client";
import { caseOps } from "../../app/staff/wire";
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
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)
import { uploadPartRoute } from "../../server/upload-parts";
import { endpointsOf } from "../../app/.server/platform/api-route";
import { loadRouteModule } from "../support/api-routes";

type Caller = "anonymous" | "reporter" | "pending" | "investigator" | "excluded" | "admin" | "cloud" | "agi";
/** ok = 2xx; bad = 400; anything else shows as its status and fails the row. */
type Outcome = "ok" | "bad" | "unauth" | "forbidden" | "hidden" | "login" | `status ${number}`;
const CALLERS: Caller[] = ["anonymous", "reporter", "pending", "investigator", "excluded", "admin", "cloud", "agi"];
type Method = "GET" | "POST" | "PUT" | "DELETE";

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

interface Row {
  name: string;
  path: (ids: Ids) => string;
  body?: unknown;
  expect: Record<Caller, Outcome>;
  /** Rows that end sessions run after all others. */
  last?: boolean;
}

const all = (o: Outcome): Record<Caller, Outcome> => Object.fromEntries(CALLERS.map((c) => [c, o])) as Record<Caller, Outcome>;
const only = (yes: Caller[], ok: Outcome, no: Outcome, signedOut: Outcome = "unauth"): Record<Caller, Outcome> =>
  Object.fromEntries(CALLERS.map((c) => [c, yes.includes(c) ? ok : ["anonymous", "reporter", "pending"].includes(c) ? signedOut : no])) as Record<
    Caller,
    Outcome
  >;
const STAFF: Caller[] = ["investigator", "excluded", "admin", "cloud", "agi"];
const investigatorOnly = (excluded: Outcome, ok: Outcome = "ok"): Record<Caller, Outcome> => ({ ...only(["investigator"], ok, "forbidden"), excluded });
const adminOnly = (ok: Outcome = "ok") => only(["admin"], ok, "forbidden");
const anyStaff = (ok: Outcome = "ok") => only(STAFF, ok, "forbidden");
const affiliateOnly = (cloud: Outcome, agi: Outcome, signedOut: Outcome = "unauth"): Record<Caller, Outcome> => ({
  ...only([], "ok", "forbidden", signedOut),
  cloud,
  agi,
});
const reporterOnly = (ok: Outcome = "ok"): Record<Caller, Outcome> => ({ ...all("unauth"), reporter: ok });
const page = (who: Caller[], excluded?: Outcome): Record<Caller, Outcome> => ({ ...only(who, "ok", "forbidden", "login"), ...(excluded ? { excluded } : {}) });
// A syntactically valid aead-v1 record of one 256-byte block: the server cannot tell it from real feedback.
const record256 = Buffer.concat([Buffer.from([1]), Buffer.alloc(296, 7)]).toString("base64url");
const uuid0 = "00000000-0000-4000-8000-000000000000";

/** Case ops with a body valid enough to reach the access check; the rest are refused by their schema first (400), for everyone allowed in. */
const VALID_OP_BODIES: Partial<Record<keyof typeof caseOps, unknown>> = {
  priority: { priority: "high" },
  assign: { assigneeId: null },
  events: { event: "decrypted" },
  holds: { reason: "litigation" },
  // The server checks only the shape of a mask record: the same id again from the same investigator is a retry.
  masks: { id: "00000000-0000-4000-8000-0000000000a1", body: record256 },
  export: { parts: ["report"], signingKey: Buffer.alloc(32, 9).toString("base64url") },
};

/** Every route module × method, with its rows. Keys are "<file> <METHOD>". */
const MATRIX: Record<string, Row[]> = {
  "$.tsx GET": [{ name: "unknown page", path: () => "/no/such/page", expect: all("hidden") }],
  "$.tsx POST": [{ name: "unknown page, posted", path: () => "/no/such/page", expect: all("hidden") }],
  "_reporter._index.tsx GET": [{ name: "landing page", path: () => "/", expect: all("ok") }],
  "_reporter.privacy.tsx GET": [{ name: "privacy notice", path: () => "/privacy", expect: all("ok") }],
  "_reporter.report.tsx GET": [{ name: "report form", path: () => "/report", expect: all("ok") }],
  "_reporter.report.tsx POST": [{ name: "report form without JavaScript", path: () => "/report", expect: all("bad") }],
  "_reporter.status.tsx GET": [{ name: "follow-up page", path: () => "/status", expect: all("ok") }],
  "_reporter.status_.plain.tsx GET": [{ name: "follow-up without JavaScript", path: () => "/status/plain", expect: all("ok") }],
  "_reporter.status_.plain.tsx POST": [
    { name: "follow-up without JavaScript, posted (a JSON body: only forms are read)", path: () => "/status/plain", expect: all("status 415") },
  ],
  "admin._index.tsx GET": [
    { name: "administration overview", path: () => "/admin", expect: page(["admin"]) },
    // An old single-page link is sent on to its section, for an administrator only.
    {
      name: "administration page with an old audit filter",
      path: () => "/admin?action=case.&case=COR-AAAA-BBBB",
      expect: { ...page(["admin"]), admin: "status 302" },
    },
  ],
  "admin.accounts.tsx GET": [{ name: "administration: accounts", path: () => "/admin/accounts", expect: page(["admin"]) }],
  "admin.invitations.tsx GET": [{ name: "administration: invitations", path: () => "/admin/invitations", expect: page(["admin"]) }],
  "admin.categories.tsx GET": [{ name: "administration: categories", path: () => "/admin/categories", expect: page(["admin"]) }],
  "admin.audit.tsx GET": [{ name: "administration: audit log", path: () => "/admin/audit", expect: page(["admin"]) }],
  "admin.statistics.tsx GET": [{ name: "administration: statistics", path: () => "/admin/statistics", expect: page(["admin"]) }],
  "admin.settings.tsx GET": [{ name: "administration: settings", path: () => "/admin/settings", expect: page(["admin"]) }],
  "admin.archives._index.tsx GET": [{ name: "archive list page", path: () => "/admin/archives", expect: page(["admin"]) }],
  "admin.archives.$archiveId.tsx GET": [{ name: "archived case page", path: (i) => `/admin/archives/${i.archiveId}`, expect: page(["admin"]) }],
  "affiliate._index.tsx GET": [{ name: "affiliate page", path: () => "/affiliate", expect: affiliateOnly("ok", "ok", "login") }],
  "affiliate.shares.$shareId.tsx GET": [
    { name: "Cloud share page", path: (i) => `/affiliate/shares/${i.cloudShare}`, expect: affiliateOnly("ok", "hidden", "login") },
    { name: "AGI share page", path: (i) => `/affiliate/shares/${i.agiShare}`, expect: affiliateOnly("hidden", "ok", "login") },
  ],
  "api.admin.archives.ts GET": [{ name: "archive list", path: () => "/api/admin/archives", expect: adminOnly() }],
  "api.admin.archives.$archiveId.ts GET": [
    { name: "archive", path: (i) => `/api/admin/archives/${i.archiveId}`, expect: adminOnly() },
    { name: "archive that does not exist", path: () => `/api/admin/archives/${uuid0}`, expect: adminOnly("hidden") },
  ],
  "api.admin.archives.$archiveId.files.$fileId.ts GET": [
    { name: "archived file", path: (i) => `/api/admin/archives/${i.archiveId}/files/${i.archivedFileId}`, expect: adminOnly() },
  ],
  "api.admin.archives.$archiveId.grants.ts POST": [
    { name: "archive grant", path: (i) => `/api/admin/archives/${i.archiveId}/grants`, body: {}, expect: adminOnly("bad") },
  ],
  "api.admin.audit.ts GET": [{ name: "audit log", path: () => "/api/admin/audit", expect: adminOnly() }],
  "api.admin.categories.ts POST": [
    { name: "categories", path: () => "/api/admin/categories", body: { nameKo: "테스트", nameEn: "Test" }, expect: adminOnly() },
  ],
  "api.admin.identity-access.ts GET": [{ name: "identity access settings", path: () => "/api/admin/identity-access", expect: adminOnly() }],
  "api.admin.identity-access.ts POST": [
    {
      name: "identity access settings saved",
      path: () => "/api/admin/identity-access",
      body: { requireApproval: false, reasons: [{ code: "verify_facts", ko: "사실관계 확인", en: "Verifying facts", active: true }] },
      expect: adminOnly(),
    },
  ],
  "api.admin.staff.$userId.$op.ts POST": [{ name: "account administration", path: (i) => `/api/admin/staff/${i.userId}/unlock`, expect: adminOnly() }],
  "api.admin.statistics.ts GET": [{ name: "statistics", path: () => "/api/admin/statistics", expect: adminOnly() }],
  "api.admin.statistics.csv.ts GET": [{ name: "statistics as CSV", path: () => "/api/admin/statistics/csv", expect: adminOnly() }],
  "api.affiliate.shares.ts GET": [{ name: "affiliate share list", path: () => "/api/affiliate/shares", expect: affiliateOnly("ok", "ok") }],
  "api.affiliate.shares.$shareId.ts GET": [
    { name: "Cloud share", path: (i) => `/api/affiliate/shares/${i.cloudShare}`, expect: affiliateOnly("ok", "hidden") },
    { name: "AGI share", path: (i) => `/api/affiliate/shares/${i.agiShare}`, expect: affiliateOnly("hidden", "ok") },
  ],
  "api.affiliate.shares.$shareId.attachments.$attachmentId.ts GET": [
    { name: "Cloud share file", path: (i) => `/api/affiliate/shares/${i.cloudShare}/attachments/${i.attachmentId}`, expect: affiliateOnly("ok", "hidden") },
    { name: "AGI share file", path: (i) => `/api/affiliate/shares/${i.agiShare}/attachments/${i.attachmentId}`, expect: affiliateOnly("hidden", "ok") },
  ],
  "api.affiliate.shares.$shareId.feedback.ts POST": [
    {
      name: "Cloud share feedback",
      path: (i) => `/api/affiliate/shares/${i.cloudShare}/feedback`,
      body: { id: "7b0c5b38-9a51-4f0e-9d2c-6a1f3e2b9c10", body: record256 },
      expect: affiliateOnly("ok", "hidden"),
    },
    {
      name: "AGI share feedback",
      path: (i) => `/api/affiliate/shares/${i.agiShare}/feedback`,
      body: { id: "0d6f2a41-3c8e-4b7a-8e19-52c4a7d0f3b6", body: record256 },
      expect: affiliateOnly("hidden", "ok"),
    },
  ],
  "api.followup.attachments.$attachmentId.ts GET": [
    { name: "reporter's attachment", path: (i) => `/api/followup/attachments/${i.attachmentId}`, expect: reporterOnly() },
  ],
  "api.followup.attachments.ts POST": [{ name: "reporter attaches a file", path: () => "/api/followup/attachments", body: {}, expect: reporterOnly("bad") }],
  "api.followup.case.ts GET": [{ name: "reporter case API", path: () => "/api/followup/case", expect: reporterOnly() }],
  "api.followup.identity.ts POST": [{ name: "reporter identity", path: () => "/api/followup/identity", body: {}, expect: reporterOnly("bad") }],
  "api.followup.messages.ts POST": [{ name: "reporter message", path: () => "/api/followup/messages", body: {}, expect: reporterOnly("bad") }],
  "api.followup.privacy-requests.ts POST": [{ name: "privacy request", path: () => "/api/followup/privacy-requests", body: {}, expect: reporterOnly("bad") }],
  "api.followup.uploads.ts POST": [{ name: "reporter upload", path: () => "/api/followup/uploads", body: {}, expect: reporterOnly("bad") }],
  "api.followup.session.ts GET": [{ name: "keep-alive", path: () => "/api/followup/session", expect: reporterOnly() }],
  // Opening a session takes a receipt look-up value and a proof of work (ADR 032), not a session: without the proof it
  // is 428 for everyone (test/security/abuse.test.ts has the rest).
  "api.followup.session.ts POST": [
    { name: "open a session", path: () => "/api/followup/session", body: { lookup: Buffer.alloc(32, 9).toString("base64url") }, expect: all("status 428") },
  ],
  "api.followup.session.ts DELETE": [{ name: "log out of follow-up", path: () => "/api/followup/session", expect: reporterOnly(), last: true }],
  "api.followup.session.end.ts POST": [
    { name: "tab-close beacon", path: () => "/api/followup/session/end", body: { token: "x" }, expect: all("ok"), last: true },
  ],
  "api.intake.info.ts GET": [{ name: "intake info", path: () => "/api/intake/info", expect: all("ok") }],
  "api.pow.challenge.ts GET": [
    { name: "proof-of-work challenge", path: () => "/api/pow/challenge?action=report", expect: all("ok") },
    { name: "proof-of-work challenge for no action", path: () => "/api/pow/challenge?action=nothing", expect: all("bad") },
  ],
  "api.intake.reports.ts POST": [{ name: "submission", path: () => "/api/intake/reports", body: {}, expect: all("bad") }],
  "api.intake.uploads.ts POST": [{ name: "new upload", path: () => "/api/intake/uploads", body: {}, expect: all("bad") }],
  "api.intake.uploads.$uploadId.ts GET": [{ name: "upload status without its token", path: () => `/api/intake/uploads/${uuid0}`, expect: all("hidden") }],
  "api.intake.uploads.$uploadId.ts DELETE": [{ name: "cancel upload without its token", path: () => `/api/intake/uploads/${uuid0}`, expect: all("hidden") }],
  "server/upload-parts.ts PUT": [{ name: "upload part without its token", path: () => `/api/intake/uploads/${uuid0}/parts/0`, expect: all("hidden") }],
  "api.intake.uploads.$uploadId.complete.ts POST": [
    { name: "complete upload without its token", path: () => `/api/intake/uploads/${uuid0}/complete`, expect: all("hidden") },
  ],
  "api.staff.activate.$token.ts GET": [{ name: "activation link that does not exist", path: () => "/api/staff/activate/not-a-token", expect: all("hidden") }],
  // The body is checked before the token: a malformed activation is refused without looking the token up.
  "api.staff.activate.$token.ts POST": [
    { name: "activation with a token that does not exist (invalid body)", path: () => "/api/staff/activate/not-a-token", body: {}, expect: all("bad") },
  ],
  "api.staff.cases.ts GET": [{ name: "inbox API", path: () => "/api/staff/cases", expect: investigatorOnly("ok") }],
  "api.staff.case-titles.ts GET": [
    { name: "case titles for the title search", path: () => "/api/staff/case-titles", expect: investigatorOnly("ok") },
    { name: "case titles, a later batch", path: (ids) => `/api/staff/case-titles?after=${ids.reportId}&limit=1`, expect: investigatorOnly("ok") },
  ],
  "api.staff.cases.$reportId.attachments.$attachmentId.ts GET": [
    { name: "attachment download", path: (i) => `/api/staff/cases/${i.reportId}/attachments/${i.attachmentId}`, expect: investigatorOnly("hidden") },
  ],
  "api.staff.cases.$reportId.$op.ts GET": ["grants", "reviewers?affiliate=cloud", "shares", "view", "admins"].map((op) => ({
    name: `case ${op.split("?")[0]}`,
    path: (i: Ids) => `/api/staff/cases/${i.reportId}/${op}`,
    expect: investigatorOnly("hidden"),
  })),
  "api.staff.cases.$reportId.$op.ts POST": (Object.keys(caseOps) as (keyof typeof caseOps)[]).map((op) =>
    op in VALID_OP_BODIES
      ? { name: `case op ${op}`, path: (i: Ids) => `/api/staff/cases/${i.reportId}/${op}`, body: VALID_OP_BODIES[op], expect: investigatorOnly("hidden") }
      : { name: `case op ${op} (invalid body)`, path: (i: Ids) => `/api/staff/cases/${i.reportId}/${op}`, body: {}, expect: investigatorOnly("bad", "bad") },
  ),
  // The identity behind a recorded reason (ADR 052): only investigators who hold the case.
  "api.staff.cases.$reportId.identity.$op.ts GET": [
    { name: "identity state", path: (i) => `/api/staff/cases/${i.reportId}/identity/state`, expect: investigatorOnly("hidden") },
  ],
  "api.staff.cases.$reportId.identity.$op.ts POST": [
    {
      name: "identity request (invalid body)",
      path: (i) => `/api/staff/cases/${i.reportId}/identity/request`,
      body: {},
      expect: investigatorOnly("bad", "bad"),
    },
    {
      name: "identity decision on no request",
      path: (i) => `/api/staff/cases/${i.reportId}/identity/decide`,
      body: { accessId: uuid0, decision: "approve" },
      expect: investigatorOnly("hidden", "hidden"),
    },
  ],
  "api.staff.invitations.ts POST": [
    { name: "invitations", path: () => "/api/staff/invitations", body: { email: "new@okestro.example", role: "investigator" }, expect: adminOnly() },
  ],
  "api.staff.login.ts POST": [
    {
      name: "password step with a wrong password",
      path: () => "/api/staff/login",
      body: { email: "nobody@okestro.example", authKey: Buffer.alloc(32).toString("base64url") },
      expect: all("unauth"),
    },
  ],
  "api.staff.logout.ts POST": [{ name: "sign-out", path: () => "/api/staff/logout", expect: all("ok"), last: true }],
  "api.staff.me.ts GET": [{ name: "own account", path: () => "/api/staff/me", expect: anyStaff() }],
  "api.staff.notifications.ts GET": [{ name: "own notifications", path: () => "/api/staff/notifications", expect: anyStaff() }],
  "api.staff.notifications.read.ts POST": [{ name: "mark notifications read", path: () => "/api/staff/notifications/read", body: {}, expect: anyStaff() }],
  "api.staff.notification-prefs.ts POST": [
    { name: "notification preference", path: () => "/api/staff/notification-prefs", body: { mode: "immediate" }, expect: anyStaff() },
  ],
  "api.staff.password.ts POST": [{ name: "password change (invalid body)", path: () => "/api/staff/password", body: {}, expect: anyStaff("bad") }],
  "api.staff.prelogin.ts POST": [{ name: "pre-login salt", path: () => "/api/staff/prelogin", body: { email: "nobody@okestro.example" }, expect: all("ok") }],
  "api.staff.recover.ts POST": [{ name: "recovery (invalid body)", path: () => "/api/staff/recover", body: {}, expect: all("bad") }],
  // Only a session that gave the password and not yet the code may give the code.
  "api.staff.second-factor.ts POST": [
    { name: "second factor (invalid code format)", path: () => "/api/staff/second-factor", body: { code: "x" }, expect: { ...all("bad") } },
  ],
  // Only a password-only session may enrol, and this one's account enrolled meanwhile in another session: 409.
  "api.staff.totp-setup.ts GET": [
    { name: "authenticator enrolment", path: () => "/api/staff/totp-setup", expect: { ...all("unauth"), pending: "status 409" } },
  ],
  "api.staff.totp-setup.ts POST": [{ name: "authenticator confirmation (invalid body)", path: () => "/api/staff/totp-setup", body: {}, expect: all("bad") }],
  "healthz.ts GET": [{ name: "health", path: () => "/healthz", expect: all("ok") }],
  "livez.ts GET": [{ name: "liveness", path: () => "/livez", expect: all("ok") }],
  "readyz.ts GET": [{ name: "readiness", path: () => "/readyz", expect: all("ok") }],
  "staff._index.tsx GET": [{ name: "inbox page", path: () => "/staff", expect: page(["investigator", "excluded"]) }],
  "staff.account.tsx GET": [{ name: "account page", path: () => "/staff/account", expect: page(STAFF) }],
  "staff.activate.$token.tsx GET": [{ name: "activation page with a token that does not exist", path: () => "/staff/activate/not-a-token", expect: all("ok") }],
  "staff.cases.$caseNumber.tsx GET": [{ name: "case page", path: (i) => `/staff/cases/${i.caseNumber}`, expect: page(["investigator"], "hidden") }],
  "staff.verify.tsx GET": [{ name: "export verification page", path: () => "/staff/verify", expect: page(["investigator", "excluded", "admin"]) }],
  "staff.login.tsx GET": [{ name: "sign-in page", path: () => "/staff/login", expect: all("ok") }],
  "staff.recover.tsx GET": [{ name: "recovery page", path: () => "/staff/recover", expect: all("ok") }],
};

const ROUTES_DIR = path.join(import.meta.dirname, "../../app/routes");
/** Routes Express answers itself, ahead of Remix. */
const NODE_ROUTES = [uploadPartRoute];

/** "<file> <METHOD>" for every method a route answers: an API route's declared methods (any op), a page's loader = GET and action = POST. */
async function routeMethods(): Promise<string[]> {
  const out: string[] = [];
  for (const file of readdirSync(ROUTES_DIR)) {
    if (file.startsWith("api.")) {
      const { api } = await loadRouteModule(file);
      for (const m of new Set(endpointsOf(api!).map((e) => e.method))) out.push(`${file} ${m}`);
      continue;
    }
    const src = readFileSync(path.join(ROUTES_DIR, file), "utf8");
    if (/export (async )?function loader|export const loader/.test(src)) out.push(`${file} GET`);
    if (/export (async )?function action|export const action/.test(src)) out.push(`${file} POST`);
    // A page without a loader still answers GET with its server-rendered markup (layouts excepted: no URL of their own).
    if (file.endsWith(".tsx") && !out.some((k) => k.startsWith(`${file} GET`)) && file !== "_reporter.tsx") out.push(`${file} GET`);
  }
  for (const route of NODE_ROUTES) for (const { method } of endpointsOf(route.api)) out.push(`${route.file} ${method}`);
  return out.sort();
}

async function classify(r: Response): Promise<Outcome> {
  if (r.status === 302 || r.status === 303) return (r.headers.get("location") ?? "").startsWith("/staff/login") ? "login" : `status ${r.status}`;
  if (r.status === 400) return "bad";
  if (r.status === 401) return "unauth";
  if (r.status === 403) return "forbidden";
  if (r.status === 404) return "hidden";
  if (r.status >= 200 && r.status < 300) return "ok";
  return `status ${r.status}`;
}

describe("the matrix covers every route", () => {
  it("has rows for every route module and method, and no rows for routes that do not exist", async () => {
    const inCode = await routeMethods();
    expect(Object.keys(MATRIX).sort()).toEqual(inCode);
  });
  it("knows every route the server registers outside Remix", () => {
    const src = readFileSync(path.join(import.meta.dirname, "../../server/start.ts"), "utf8");
    const registered = [...src.matchAll(/\bapp\.(?:all|get|post|put|patch|delete)\(\s*([^,]+),/g)].map((m) => m[1]!.trim());
    expect(registered.sort()).toEqual(['"*"', ...NODE_ROUTES.map(() => "uploadPartRoute.path")].sort());
  });
  it("has a row for every case op and every GET op of the dispatcher", async () => {
    const { api } = await loadRouteModule("api.staff.cases.$reportId.$op.ts");
    const ops = endpointsOf(api!);
    const getOps = ops
      .filter((e) => e.method === "GET")
      .map((e) => e.op!)
      .sort();
    const rows = MATRIX["api.staff.cases.$reportId.$op.ts GET"]!.map((r) => r.name.replace("case ", "")).sort();
    expect(rows).toEqual(getOps);
    expect(MATRIX["api.staff.cases.$reportId.$op.ts POST"]!.length).toBe(ops.filter((e) => e.method === "POST").length);
    expect(ops.filter((e) => e.method === "POST").length).toBe(Object.keys(caseOps).length);
  });
});

for (const backend of await backends()) {
  describe(`access-control matrix on ${backend}`, () => {
    let portal: TestPortal;
    const fetchers = new Map<Caller, typeof fetch>();
    let investigator: StaffClient;
    const ids: Ids = { reportId: "", caseNumber: "", attachmentId: "", userId: "", cloudShare: "", agiShare: "", archiveId: "", archivedFileId: "" };

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      // Independent accounts, made side by side (the server's argon2 runs in its thread pool meanwhile).
      const [inv, excl] = await Promise.all([
        createStaff(portal, "investigator", "inv@okestro.example"),
        createStaff(portal, "investigator", "excl@okestro.example"),
        createStaff(portal, "admin", "admin@okestro.example"),
        createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]),
        createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi"]),
      ]);
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
      fetchers.set("reporter", (input, init) =>
        fetch(input, { ...init, redirect: "manual", headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${bearer}` } }),
      );
      // After the pending session above (its account must enrol in another session later), side by side.
      await Promise.all(
        (
          [
            ["investigator", "inv@okestro.example"],
            ["excluded", "excl@okestro.example"],
            ["admin", "admin@okestro.example"],
            ["cloud", "cloud@okestro.example"],
            ["agi", "agi@okestro.example"],
          ] as const
        ).map(async ([caller, email]) => {
          // The signed-in client's fetch carries its session cookie.
          const s = await firstSignIn(portal.url, email, PASSWORD);
          const withCookie = s.client.options.fetch as typeof fetch;
          fetchers.set(caller, (input, init) => withCookie(input, { ...init, redirect: "manual" }));
          if (caller === "investigator") investigator = s.client;
        }),
      );
      // One share of the case with each affiliate, both holding the attachment.
      const c = await caseForSharing(portal, ids.reportId, inv.id, investigator.keyPair!);
      const share = (affiliate: "cloud" | "agi") =>
        createShare(investigator, c.ref, c.keys, {
          affiliate,
          purpose: "fact_finding",
          purposeNote: null,
          retainUntil: null,
          fields: { title: c.title },
          redacted: [],
          files: c.files,
        });
      ids.cloudShare = (await share("cloud")).shareId;
      ids.agiShare = (await share("agi")).shareId;
      // A second case, closed and moved into the archive for the administrator.
      const other = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "archived",
          body: { description: "archived", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [memoryFile("a.txt", "text/plain", Buffer.from("a"))],
        info,
        { baseUrl: portal.url },
      );
      const o = await caseForSharing(portal, other.reportId, inv.id, investigator.keyPair!);
      const summaryId = newRecordId();
      await investigator.caseOp(other.reportId, "status", {
        to: "closed",
        outcome: "referred",
        summary: {
          id: summaryId,
          body: toBase64Url(encryptMessage(o.keys.reportKey, other.reportId, summaryId, { author: "investigator", kind: "message", text: "done" })),
        },
      });
      await openIdentityWithReason(investigator, o.keys, other.reportId, "legal_obligation");
      ids.archiveId = (
        await archiveCase(investigator, await investigator.get<ArchivableCase>(`/api/staff/cases/${other.reportId}/view`), o.keys, null, "national_tax")
      ).archiveId;
      ids.archivedFileId = o.files[0]!.id;
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("shows the excluded investigator nothing of the case in any answer", async () => {
      for (const p of [
        "/api/staff/cases",
        "/api/staff/case-titles",
        "/staff",
        `/api/staff/cases?case=${ids.caseNumber}`,
        "/api/staff/me",
        "/api/staff/notifications",
      ]) {
        const body = await (await fetchers.get("excluded")!(`${portal.url}${p}`, {})).text();
        expect(body).not.toContain(ids.reportId);
        expect(body).not.toContain(ids.caseNumber);
      }
      // The same requests from the investigator who holds the case do show it (the check can fail).
      expect(await (await fetchers.get("investigator")!(`${portal.url}/api/staff/cases`, {})).text()).toContain(ids.caseNumber);
      expect(await (await fetchers.get("investigator")!(`${portal.url}/api/staff/case-titles`, {})).text()).toContain(ids.caseNumber);
    });

    const rows = Object.entries(MATRIX).flatMap(([key, list]) => list.map((row) => ({ key, row })));
    const ordered = [...rows.filter((r) => !r.row.last), ...rows.filter((r) => r.row.last)];
    for (const { key, row } of ordered) {
      const method = key.split(" ").at(-1) as Method;
      it(`${row.name}: ${method} ${row.path({ reportId: ":id", caseNumber: ":case", attachmentId: ":file", userId: ":user", cloudShare: ":cloudShare", agiShare: ":agiShare", archiveId: ":archive", archivedFileId: ":file" })}`, async () => {
        const call = async (caller: Caller) => {
          const r = await fetchers.get(caller)!(`${portal.url}${row.path(ids)}`, {
            method,
            headers: row.body !== undefined ? { "Content-Type": "application/json" } : {},
            body: row.body !== undefined ? JSON.stringify(row.body) : undefined,
          });
          const outcome = await classify(r);
          await r.arrayBuffer().catch(() => {});
          return [caller, outcome] as const;
        };
        // Reads: every caller at once. Writes one caller after another, as a write may hold its target for a moment
        // (a second part for the same upload meanwhile gets 409, whoever sends it).
        const got: Record<string, Outcome> = {};
        if (method === "GET") for (const [caller, outcome] of await Promise.all(CALLERS.map(call))) got[caller] = outcome;
        else
          for (const caller of CALLERS) {
            const [, outcome] = await call(caller);
            got[caller] = outcome;
          }
        expect(got).toEqual(row.expect);
      });
    }
  });
}
