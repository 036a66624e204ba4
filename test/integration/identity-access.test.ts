// The reporter's identity behind a recorded reason (ADR 052), through the real server on PGlite and
// PostgreSQL: nothing that opens the identity reaches an investigator before a reason; every role at the
// routes; bad input refused with nothing kept; the approval setting (a second investigator decides, never
// their own request; refused requests release nothing); the audit rows; the reporter's view names the day and
// the reason code's words, never the free text; sharing the identity needs a released access.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptAccessReason, loadSodium, newRecordId, openEnvelope, fromBase64Url, toBase64Url, type ReporterIdentity } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { decideIdentity, identityState, openReleasedIdentity, reasonText, requestIdentity } from "../../app/staff/identity-access";
import { createShare, openSharedPackage } from "../../app/staff/share-builder";
import type { CaseShare, StaffCaseView } from "../../app/staff/wire";
import type { IdentityState } from "../../app/shared/identity-wire";
import { auditLog, identityAccesses, reports, shares } from "../../db/schema";
import { isUniqueViolation } from "../../app/.server/platform/db-errors";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const WHO: ReporterIdentity = { name: "MKIDNAME-4b1", email: "mkid-4b1@example.org", phone: "010-0000-4b1" };
const FREE_TEXT = "MKIDREASON-9e2 the protection officer needs to call";

for (const backend of await backends()) {
  describe(`identity behind a recorded reason on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff, park: SignedInStaff, kim: SignedInStaff, admin: SignedInStaff, cloud: SignedInStaff;
    const ids: Record<string, string> = {};
    let withId: { reportId: string; caseNumber: string; receipt: string };
    let anonymous: { reportId: string };

    const submit = async (identity: ReporterIdentity | null, exclude: string[] = []) => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "MKIDTITLE",
          body: { description: "A description", details: "", periodFrom: null, periodTo: null },
          identity,
          excludedInvestigators: exclude,
          consentReport: true,
          consentOptional: identity !== null,
          consentAffiliateIdentity: identity !== null,
        },
        [],
        info,
        { baseUrl: portal.url },
      );
      return { reportId: r.reportId, caseNumber: r.caseNumber, receipt: r.receiptCode };
    };
    const keysOf = async (who: SignedInStaff, reportId: string) => {
      const v = await who.client.get<StaffCaseView>(`/api/staff/cases/${reportId}/view`);
      return openEnvelope(fromBase64Url(v.envelope), reportId, who.client.keyPair!);
    };
    const raw = (who: SignedInStaff | null, method: string, path: string, body?: unknown) =>
      who
        ? who.client.options.fetch!(`${portal.url}${path}`, {
            method,
            headers: body === undefined ? {} : { "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          })
        : fetch(`${portal.url}${path}`, {
            method,
            headers: { "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
    const auditOf = async (reportId: string) =>
      (await portal.services.db.select().from(auditLog).where(eq(auditLog.reportId, reportId))).filter((e) => e.action.startsWith("identity."));

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      for (const [name, role, extra] of [
        ["lee", "investigator", []],
        ["park", "investigator", []],
        ["kim", "investigator", []],
        ["admin", "admin", []],
        ["cloud", "affiliate", ["--affiliate", "cloud"]],
      ] as const) {
        ids[name] = (await createStaff(portal, role, `${name}@okestro.example`, ["--name", name.toUpperCase(), ...extra])).id;
      }
      const signIn = (n: string) => firstSignIn(portal.url, `${n}@okestro.example`, PASSWORD);
      [lee, park, kim, admin, cloud] = [await signIn("lee"), await signIn("park"), await signIn("kim"), await signIn("admin"), await signIn("cloud")];
      withId = await submit(WHO);
      anonymous = await submit(null, [ids.kim!]);
    });
    afterAll(() => portal?.close());

    it("sends nothing that opens the identity before a reason: not with the case, not in the state", async () => {
      const [row] = await portal.services.db.select().from(reports).where(eq(reports.id, withId.reportId));
      expect(row!.identityKeyWrapped).not.toBeNull();
      const secrets = [toBase64Url(row!.identityCt!), toBase64Url(row!.identityKeyWrapped!)];
      const view = await (await raw(lee, "GET", `/api/staff/cases/${withId.reportId}/view`)).text();
      const page = await (await raw(lee, "GET", `/staff/cases/${withId.caseNumber}`)).text();
      const state = await (await raw(lee, "GET", `/api/staff/cases/${withId.reportId}/identity/state`)).text();
      for (const text of [view, page, state]) for (const s of secrets) expect(text).not.toContain(s);
      const parsed = JSON.parse(state) as IdentityState;
      expect(parsed).toMatchObject({ hasIdentity: true, requireApproval: false, released: null, accesses: [] });
      expect(parsed.reasons.map((r) => r.code)).toContain("protection_measures");
    });

    it("lets only investigators who hold the case reach the routes", async () => {
      const state = (id: string) => `/api/staff/cases/${id}/identity/state`;
      expect((await raw(null, "GET", state(withId.reportId))).status).toBe(401);
      expect((await raw(admin, "GET", state(withId.reportId))).status).toBe(403);
      expect((await raw(cloud, "GET", state(withId.reportId))).status).toBe(403);
      // Excluded from the case: it does not exist for kim.
      expect((await raw(kim, "GET", state(anonymous.reportId))).status).toBe(404);
      const body = { id: newRecordId(), reasonCode: "verify_facts", reason: toBase64Url(new Uint8Array(297).fill(1)) };
      expect((await raw(kim, "POST", `/api/staff/cases/${anonymous.reportId}/identity/request`, body)).status).toBe(404);
      expect((await raw(admin, "POST", `/api/staff/cases/${withId.reportId}/identity/request`, body)).status).toBe(403);
      expect((await raw(cloud, "POST", `/api/staff/cases/${withId.reportId}/identity/decide`, { accessId: body.id, decision: "approve" })).status).toBe(403);
      expect((await raw(lee, "GET", `/api/staff/cases/${withId.reportId}/identity/other`)).status).toBe(404);
      expect((await raw(lee, "GET", "/api/admin/identity-access")).status).toBe(403);
      expect((await raw(null, "POST", "/api/admin/identity-access", { requireApproval: true, reasons: [] })).status).toBe(401);
    });

    it("refuses bad input and keeps nothing of it", async () => {
      const keys = await keysOf(lee, withId.reportId);
      const id = newRecordId();
      const reason = toBase64Url(encryptAccessReason(keys.caseKey, withId.reportId, id, FREE_TEXT));
      const post = (body: unknown) => raw(lee, "POST", `/api/staff/cases/${withId.reportId}/identity/request`, body);
      const code = async (r: Response) => ({ status: r.status, code: ((await r.json()) as { error: { code: string } }).error.code });
      expect((await post({ id, reasonCode: "verify_facts" })).status).toBe(400);
      expect(await code(await post({ id, reasonCode: "made_up", reason }))).toEqual({ status: 400, code: "bad_reason" });
      expect(await code(await post({ id, reasonCode: "Verify facts!", reason }))).toMatchObject({ status: 400 });
      expect(await code(await post({ id, reasonCode: "verify_facts", reason: toBase64Url(new Uint8Array(300)) }))).toMatchObject({ status: 400 });
      expect((await post({ id, reasonCode: "verify_facts", reason, extra: 1 })).status).toBe(400);
      expect((await post({ id: "not-a-uuid", reasonCode: "verify_facts", reason })).status).toBe(400);
      const none = await keysOf(lee, anonymous.reportId);
      const noneId = newRecordId();
      const noneReason = toBase64Url(encryptAccessReason(none.caseKey, anonymous.reportId, noneId, FREE_TEXT));
      expect(
        await code(
          await raw(lee, "POST", `/api/staff/cases/${anonymous.reportId}/identity/request`, { id: noneId, reasonCode: "verify_facts", reason: noneReason }),
        ),
      ).toEqual({ status: 409, code: "no_identity" });
      expect(await portal.services.db.select().from(identityAccesses)).toEqual([]);
      expect(await auditOf(withId.reportId)).toEqual([]);
    });

    it("releases at once without the approval setting, to that investigator only, and audits it", async () => {
      const keys = await keysOf(lee, withId.reportId);
      expect(await requestIdentity(lee.client, keys, withId.reportId, "protection_measures", FREE_TEXT)).toEqual({ state: "released" });
      const state = await identityState(lee.client, withId.reportId);
      expect(openReleasedIdentity(state, keys, withId.reportId)).toEqual(WHO);
      expect(state.accesses).toHaveLength(1);
      expect(reasonText(keys, withId.reportId, state.accesses[0]!)).toBe(FREE_TEXT);
      // Park holds the case too, but recorded no reason: still nothing.
      expect((await identityState(park.client, withId.reportId)).released).toBeNull();
      await expect(requestIdentity(lee.client, keys, withId.reportId, "verify_facts", "again")).rejects.toMatchObject({
        status: 409,
        code: "already_released",
      });
      const rows = await auditOf(withId.reportId);
      expect(rows.map((r) => [r.action, r.actorId, r.details.reason])).toEqual([
        ["identity.requested", ids.lee, "protection_measures"],
        ["identity.released", ids.lee, "protection_measures"],
      ]);
      // The audit log holds the code, never the free text.
      expect(JSON.stringify(rows)).not.toContain("MKIDREASON");
    });

    it("lets administrators edit the reasons and require approval, and checks what they send", async () => {
      const post = (body: unknown) => raw(admin, "POST", "/api/admin/identity-access", body);
      const current = (await (await raw(admin, "GET", "/api/admin/identity-access")).json()) as { reasons: { code: string }[] };
      expect(current.reasons.map((r) => r.code)).toEqual(["contact_reporter", "protection_measures", "legal_obligation", "verify_facts", "reporter_consent"]);
      const reasons = [
        { code: "protection_measures", ko: "보호 조치", en: "Protection", active: true },
        { code: "audit_request", ko: "감사 요청", en: "An auditor's request", active: true },
      ];
      expect((await post({ requireApproval: true, reasons: [...reasons, reasons[0]] })).status).toBe(400);
      expect((await post({ requireApproval: true, reasons: reasons.map((r) => ({ ...r, active: false })) })).status).toBe(400);
      expect((await post({ requireApproval: true, reasons: [{ ...reasons[0], ko: " " }] })).status).toBe(400);
      expect((await post({ requireApproval: true, reasons: [{ ...reasons[0], code: "Bad Code" }] })).status).toBe(400);
      const saved = (await (await post({ requireApproval: true, reasons })).json()) as {
        requireApproval: boolean;
        reasons: { code: string; active: boolean }[];
      };
      expect(saved.requireApproval).toBe(true);
      // Dropped codes stay, retired, so earlier accesses keep their words.
      expect(saved.reasons.find((r) => r.code === "verify_facts")).toMatchObject({ active: false });
      expect((await identityState(park.client, withId.reportId)).reasons.map((r) => r.code)).toEqual(["protection_measures", "audit_request"]);
      const [entry] = (await portal.services.db.select().from(auditLog).where(eq(auditLog.action, "identity.settings_changed"))).slice(-1);
      expect(entry).toMatchObject({ actorId: ids.admin, details: { requireApproval: true, reasons: 2 } });
    });

    it("with approval, releases nothing until a second investigator approves; refusals release nothing", async () => {
      const parkKeys = await keysOf(park, withId.reportId);
      await expect(requestIdentity(park.client, parkKeys, withId.reportId, "verify_facts", "retired")).rejects.toMatchObject({ code: "bad_reason" });
      expect(await requestIdentity(park.client, parkKeys, withId.reportId, "audit_request", FREE_TEXT)).toEqual({ state: "pending" });
      let state = await identityState(park.client, withId.reportId);
      expect(state.released).toBeNull();
      const pending = state.accesses.find((a) => a.staffUserId === ids.park)!;
      expect(pending).toMatchObject({ state: "pending", reasonCode: "audit_request", reasonLabel: { en: "An auditor's request" } });
      await expect(requestIdentity(park.client, parkKeys, withId.reportId, "audit_request", "twice")).rejects.toMatchObject({ code: "request_pending" });
      // Not their own request.
      await expect(decideIdentity(park.client, withId.reportId, pending.id, "approve")).rejects.toMatchObject({ status: 403, code: "own_request" });
      // Kim can read this case: the approver sees the reason, and still no identity.
      const kimKeys = await keysOf(kim, withId.reportId);
      const kimView = await identityState(kim.client, withId.reportId);
      expect(
        reasonText(
          kimKeys,
          withId.reportId,
          kimView.accesses.find((a) => a.id === pending.id)!,
        ),
      ).toBe(FREE_TEXT);
      expect(kimView.released).toBeNull();
      expect(await decideIdentity(kim.client, withId.reportId, pending.id, "approve")).toEqual({ state: "released" });
      await expect(decideIdentity(lee.client, withId.reportId, pending.id, "refuse")).rejects.toMatchObject({ code: "not_pending" });
      state = await identityState(park.client, withId.reportId);
      expect(openReleasedIdentity(state, parkKeys, withId.reportId)).toEqual(WHO);
      expect((await identityState(kim.client, withId.reportId)).released).toBeNull();

      // Kim asks and Lee refuses: nothing for Kim, and Kim may ask again.
      await requestIdentity(kim.client, kimKeys, withId.reportId, "protection_measures", "kim's reason");
      const kims = (await identityState(lee.client, withId.reportId)).accesses.find((a) => a.staffUserId === ids.kim)!;
      expect(await decideIdentity(lee.client, withId.reportId, kims.id, "refuse")).toEqual({ state: "refused" });
      expect((await identityState(kim.client, withId.reportId)).released).toBeNull();
      expect(await requestIdentity(kim.client, kimKeys, withId.reportId, "protection_measures", "once more")).toEqual({ state: "pending" });

      const rows = await auditOf(withId.reportId);
      expect(rows.slice(2).map((r) => [r.action, r.actorId, r.details.staffUserId ?? null])).toEqual([
        ["identity.requested", ids.park, null],
        ["identity.approved", ids.kim, ids.park],
        ["identity.released", ids.kim, ids.park],
        ["identity.requested", ids.kim, null],
        ["identity.refused", ids.lee, ids.kim],
        ["identity.requested", ids.kim, null],
      ]);
      const stored = await portal.services.db
        .select()
        .from(identityAccesses)
        .where(and(eq(identityAccesses.reportId, withId.reportId), eq(identityAccesses.state, "released")));
      expect(stored.map((a) => a.staffUserId).sort()).toEqual([ids.lee, ids.park].sort());
    });

    it("tells the reporter the day and the reason of each release, never the free text", async () => {
      const session = await openCase(withId.receipt, { baseUrl: portal.url });
      const view = session.case;
      expect(view.identityAccesses.map((a) => a.reasonCode)).toEqual(["protection_measures", "audit_request"]);
      expect(view.identityAccesses[1]!.label).toEqual({ ko: "감사 요청", en: "An auditor's request" });
      expect(view.identityAccesses[0]!.releasedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(JSON.stringify(view)).not.toContain("MKIDREASON");
      // The page without JavaScript says the same.
      const plain = await (
        await fetch(`${portal.url}/status/plain?lang=en`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "203.0.113.9" },
          body: new URLSearchParams({ intent: "open", receipt: withId.receipt }).toString(),
        })
      ).text();
      expect(plain).toContain('data-testid="identity-accesses"');
      expect(plain).toMatch(/An auditor(&#x27;|')s request/);
      expect(plain).not.toContain("MKIDREASON");
    });

    it("keeps one open access per investigator when requests race (migration 0016's index)", async () => {
      const fresh = await submit(WHO);
      const keys = await keysOf(lee, fresh.reportId);
      // No row exists yet, so the row lock cannot serialise these: the partial unique index must.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => requestIdentity(lee.client, keys, fresh.reportId, "protection_measures", `race ${i}`)),
      );
      const done = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as { status: number; code: string }] : []));
      expect(done).toHaveLength(1);
      expect(done[0]!.value).toEqual({ state: "pending" });
      expect(refused.map((e) => [e.status, e.code])).toEqual(Array.from({ length: 5 }, () => [409, "request_pending"]));
      const rows = await portal.services.db
        .select()
        .from(identityAccesses)
        .where(and(eq(identityAccesses.reportId, fresh.reportId), eq(identityAccesses.staffUserId, ids.lee!)));
      expect(rows.map((r) => r.state)).toEqual(["pending"]);
      expect((await auditOf(fresh.reportId)).map((r) => r.action)).toEqual(["identity.requested"]);
      // The database itself refuses a second open access, whatever writes it; a refused one may repeat.
      const second = { ...rows[0]!, id: newRecordId() };
      await expect(portal.services.db.insert(identityAccesses).values(second)).rejects.toSatisfy((e) => isUniqueViolation(e, "identity_accesses_open_idx"));
      await expect(portal.services.db.insert(identityAccesses).values({ ...second, state: "released" })).rejects.toSatisfy((e) =>
        isUniqueViolation(e, "identity_accesses_open_idx"),
      );
      await portal.services.db.insert(identityAccesses).values({ ...second, state: "refused", decidedBy: ids.park });
      await portal.services.db.insert(identityAccesses).values({ ...second, id: newRecordId(), state: "refused", decidedBy: ids.park });
      // Kim approves the one request; the next one is answered already_released.
      expect(await decideIdentity(kim.client, fresh.reportId, rows[0]!.id, "approve")).toEqual({ state: "released" });
      const again = await Promise.allSettled(
        Array.from({ length: 3 }, () => requestIdentity(lee.client, keys, fresh.reportId, "protection_measures", "again")),
      );
      expect(again.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "fulfilled"))).toEqual(Array(3).fill("already_released"));
    });

    it("lets only an investigator the identity was released to share it, with the reporter's consent", async () => {
      const selection = (fields: Record<string, unknown>) => ({
        affiliate: "cloud" as const,
        purpose: "fact_finding" as const,
        purposeNote: null,
        retainUntil: null,
        fields: { title: "MKIDTITLE", ...fields },
        redacted: [],
        files: [],
      });
      const ref = { id: withId.reportId, caseNumber: withId.caseNumber };
      const kimKeys = await keysOf(kim, withId.reportId);
      await expect(createShare(kim.client, ref, kimKeys, selection({ name: WHO.name }))).rejects.toMatchObject({ status: 409, code: "identity_not_accessed" });
      const leeKeys = await keysOf(lee, withId.reportId);
      await expect(createShare(lee.client, ref, leeKeys, selection({ name: WHO.name }))).resolves.toMatchObject({ version: 1 });
      // Without the identity, nothing changes for Kim.
      await expect(createShare(kim.client, ref, kimKeys, selection({}))).resolves.toMatchObject({ version: 1 });
    });

    it("keeps a share carrying the identity from a colleague it was not released to, on every route that lists shares", async () => {
      const stored = await portal.services.db.select().from(shares).where(eq(shares.reportId, withId.reportId));
      const withName = stored.find((r) => r.items.includes("name"))!;
      const without = stored.find((r) => !r.items.includes("name"))!;
      const secret = [toBase64Url(withName.packageCt!), toBase64Url(withName.shareKeyCt!)];
      const listOf = async (who: SignedInStaff) => {
        const listed = (await who.client.get<{ shares: CaseShare[] }>(`/api/staff/cases/${withId.reportId}/shares`)).shares;
        const viewed = (await who.client.get<{ shares: CaseShare[] }>(`/api/staff/cases/${withId.reportId}/view`)).shares;
        expect(viewed).toEqual(listed);
        return new Map(listed.map((x) => [x.id, x]));
      };
      // Kim holds the case but recorded no reason: the identity's share is listed without what opens it.
      const kims = await listOf(kim);
      expect(kims.get(withName.id)).toMatchObject({ items: withName.items, state: "active", package: null, shareKey: null, identityWithheld: true });
      expect(kims.get(without.id)).toMatchObject({ package: toBase64Url(without.packageCt!), identityWithheld: false });
      for (const path of [`/api/staff/cases/${withId.reportId}/shares`, `/api/staff/cases/${withId.reportId}/view`, `/staff/cases/${withId.caseNumber}`]) {
        const text = await (await raw(kim, "GET", path)).text();
        for (const s of secret) expect(text).not.toContain(s);
      }
      // Lee opened the identity with a reason: the share opens in Lee's browser, with the name in it.
      const lees = await listOf(lee);
      expect(lees.get(withName.id)).toMatchObject({ package: secret[0], shareKey: secret[1], identityWithheld: false });
      const pkg = openSharedPackage(await keysOf(lee, withId.reportId), withId.reportId, lees.get(withName.id)!);
      expect(pkg?.fields.name).toBe(WHO.name);
      // Kim's request from the approval test still waits: a pending request opens nothing. Once a second
      // investigator approves it, the same share opens for Kim too.
      const asked = (await identityState(kim.client, withId.reportId)).accesses.find((a) => a.staffUserId === ids.kim && a.state === "pending")!;
      expect(asked).toBeDefined();
      expect((await listOf(kim)).get(withName.id)).toMatchObject({ package: null, shareKey: null, identityWithheld: true });
      await decideIdentity(lee.client, withId.reportId, asked.id, "approve");
      expect((await listOf(kim)).get(withName.id)).toMatchObject({ package: secret[0], shareKey: secret[1], identityWithheld: false });
    });
  });
}
