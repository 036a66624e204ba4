// Intake through the real server on PGlite and on PostgreSQL: the reporter's
// client code encrypts, the server stores, an investigator decrypts, and no
// marker typed by the reporter is anywhere in the database, blobs or logs.
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, IntakeError, submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import type { IntakeInfo } from "../../app/intake/wire";
import { attachments, reportExclusions, reportKeyEnvelopes, reports, staffNotifications, uploads } from "../../db/schema";
import { DataDirBusyError, lockDataDir } from "../../app/.server/platform/data-lock";
import { backends } from "../support/backends";
import { memoryFile, patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { powFor } from "../support/pow";
import { scanLines, scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const M = (field: string) => `MARK3R-${field}-7f3a9c`;
const MARKERS = ["title", "description", "details", "name", "email", "phone", "fileName1", "fileName2", "fileBody1", "fileBody2"].map(M);

function draft(info: IntakeInfo, overrides: Partial<ReportDraft> = {}): ReportDraft {
  return {
    categoryId: info.categories[0]!.id,
    title: `${M("title")} 회계 부정 보고`,
    body: {
      description: `${M("description")}\n설명 with "quotes" & <b>tags</b>`,
      details: `${M("details")} 세부`,
      periodFrom: "2026-01-05",
      periodTo: "2026-03-31",
    },
    identity: { name: `${M("name")} 홍길동`, email: `${M("email")}@example.com`, phone: `010-${M("phone")}` },
    excludedInvestigators: [],
    consentReport: true,
    consentOptional: true,
    consentAffiliateIdentity: false,
    ...overrides,
  };
}

/** A POST as a client would send it, with a solved proof of work where the route needs one (test/support/pow.ts). */
async function post(portal: TestPortal, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${portal.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(await powFor(portal.url, path, headers)) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

for (const backend of await backends()) {
  describe(`intake on ${backend}`, () => {
    let portal: TestPortal;
    let inv1: string;
    let inv2: string;

    beforeAll(async () => {
      portal = await startTestPortal(backend, { UPLOAD_TTL_HOURS: "1" });
    });
    afterAll(async () => {
      await portal?.stop();
    });

    if (backend === "pglite") {
      it("keeps a second process (the CLI, another server) off the embedded database while it runs", () => {
        expect(() => lockDataDir(portal.dataDir)).toThrow(DataDirBusyError);
      });
    }

    it("answers /healthz with the database status", async () => {
      const r = await fetch(`${portal.url}/healthz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ status: "ok", database: { kind: backend, status: "up" } });
    });

    it("keeps the form closed while no investigator exists", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      expect(info.open).toBe(false);
      expect(info.categories.length).toBeGreaterThan(5);
      const html = await (await fetch(`${portal.url}/report?lang=en`)).text();
      expect(html).toContain('data-testid="intake-closed"');
      expect(html).not.toContain('name="title"');
    });

    it("creates investigators with the CLI and opens the form", async () => {
      inv1 = (await createStaff(portal, "investigator", "inv1@okestro.example", ["--name", "Investigator One"])).id;
      inv2 = (await createStaff(portal, "investigator", "inv2@okestro.example", ["--name", "Investigator Two"])).id;
      await createStaff(portal, "admin", "admin@okestro.example");
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      expect(info.open).toBe(true);
      // Reporters see investigators (to exclude them) but never admins, emails or private keys.
      expect(info.investigators.map((i) => i.displayName).sort()).toEqual(["Investigator One", "Investigator Two"]);
      expect(JSON.stringify(info)).not.toContain("okestro.example");
      const html = await (await fetch(`${portal.url}/report?lang=en`)).text();
      for (const name of [
        "category",
        "title",
        "description",
        "details",
        "periodFrom",
        "periodTo",
        "reporterName",
        "email",
        "phone",
        "attachments",
        "excludedInvestigators",
        "consentReport",
        "consentAffiliateIdentity",
      ]) {
        expect(html).toContain(`name="${name}"`);
      }
      // The optional-items consent is asked where the first optional item is given, not before
      // (test/e2e/report-form.e2e.test.ts); only the form without JavaScript, inside <noscript>, always shows it (ADR 043).
      expect(html.replace(/<noscript>[\s\S]*?<\/noscript>/g, "")).not.toContain('name="consentOptional"');
    });

    it("refuses weak passwords and duplicate accounts at user:create", async () => {
      await expect(portal.cli("user:create", "--role", "investigator", "--email", "x@okestro.example", "--password-file", "/nonexistent")).rejects.toThrow(
        /cannot read/,
      );
      await expect(createStaff(portal, "investigator", "inv1@okestro.example")).rejects.toThrow(/already exists/);
      await expect(createStaff(portal, "affiliate", "aff@okestro.example")).rejects.toThrow(/--affiliate/);
      const reviewer = await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]);
      expect(reviewer.output).toMatch(/Recovery key/);
    });

    let reportId: string;
    const file1 = patternedBytes(9 * 1024 * 1024 + 123, M("fileBody1")); // two upload parts
    const file2 = patternedBytes(70_000, M("fileBody2"));

    it("stores a report whose every field decrypts for a non-excluded investigator only", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const progress: number[] = [];
      const submitted = await submitEncryptedReport(
        draft(info, { excludedInvestigators: [inv2] }),
        [memoryFile(`${M("fileName1")}.pdf`, "application/pdf", file1), memoryFile(`${M("fileName2")} 증거.txt`, "text/plain", file2)],
        info,
        { baseUrl: portal.url, onProgress: (p) => p.phase === "uploading" && progress.push(p.sentBytes) },
      );
      reportId = submitted.reportId;
      expect(submitted.receiptCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
      expect(submitted.caseNumber).toMatch(/^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(progress.length).toBeGreaterThanOrEqual(4);

      const s = portal.services;
      const got = await decryptReportAsInvestigator(s, reportId, "inv1@okestro.example", PASSWORD);
      const expected = draft(info);
      expect(got.title).toBe(expected.title);
      expect(got.body).toEqual(expected.body);
      expect(got.identity).toEqual(expected.identity);
      expect(got.files.map((f) => [f.name, f.type, f.size])).toEqual([
        [`${M("fileName1")}.pdf`, "application/pdf", file1.length],
        [`${M("fileName2")} 증거.txt`, "text/plain", file2.length],
      ]);
      expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(file1))).toBe(true);
      expect(Buffer.from(got.files[1]!.bytes).equals(Buffer.from(file2))).toBe(true);

      // The excluded investigator has no envelope; the exclusion is recorded.
      await expect(decryptReportAsInvestigator(s, reportId, "inv2@okestro.example", PASSWORD)).rejects.toThrow(/no envelope/);
      expect(await s.db.select().from(reportExclusions).where(eq(reportExclusions.reportId, reportId))).toEqual([{ reportId, staffUserId: inv2 }]);
      const envs = await s.db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, reportId));
      expect(envs.map((e) => e.staffUserId)).toEqual([inv1]);
      // Claimed uploads became attachments.
      expect(await s.db.select().from(uploads)).toEqual([]);
      const [row] = await s.db.select().from(reports).where(eq(reports.id, reportId));
      expect(row).toMatchObject({ status: "received", consentOptional: true, consentAffiliateIdentity: false });
      expect(row!.receivedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it("leaves no marker and no client address in tables, blobs, database files or logs", async () => {
      expect(await scanPortal(portal, MARKERS)).toEqual([]);
      // Every line but the operator's setup link (which names the server's own address, not a client's).
      const logs = portal.logs.filter((l) => !l.includes('"setupLink"')).join("\n");
      expect(logs).toContain('"path":"/api/intake/reports"');
      expect(logs).not.toMatch(/127\.0\.0\.1|::1|::ffff|user-agent|undici|node-fetch/i);
      // The scanner itself works: a planted marker is found.
      expect(scanLines("self-check", [`x ${M("title")} y`], MARKERS)).toHaveLength(1);
    });

    it("answers a retried submission with the same receipt, storing it once", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      let body: string | null = null;
      let first: unknown = null;
      const recording: typeof fetch = async (input, init) => {
        const r = await fetch(input, init);
        if (String(input).endsWith("/api/intake/reports")) {
          body = String(init!.body);
          first = await r.clone().json();
        }
        return r;
      };
      await submitEncryptedReport(draft(info, { identity: null, consentOptional: false }), [], info, { baseUrl: portal.url, fetch: recording });
      const before = await portal.services.db.select({ n: count() }).from(reports);
      const again = await post(portal, "/api/intake/reports", body!);
      expect(again.status).toBe(201);
      expect(await again.json()).toEqual(first);
      expect(await portal.services.db.select({ n: count() }).from(reports)).toEqual(before);
    });

    it("answers the same submission sent three times at once with one receipt, storing it once", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      let body: string | null = null;
      const capture: typeof fetch = async (input, init) => {
        if (!String(input).endsWith("/api/intake/reports")) return fetch(input, init);
        body = String(init!.body);
        return new Response(JSON.stringify({ error: { code: "captured", message: "captured" } }), { status: 418 });
      };
      await expect(
        submitEncryptedReport(draft(info, { identity: null, consentOptional: false }), [], info, { baseUrl: portal.url, fetch: capture }),
      ).rejects.toThrow(IntakeError);
      const answers = await Promise.all([1, 2, 3].map(() => post(portal, "/api/intake/reports", body!)));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
      const [first, ...rest] = await Promise.all(answers.map((a) => a.json()));
      for (const a of rest) expect(a).toEqual(first);
      const reportId = (JSON.parse(body!) as { reportId: string }).reportId;
      expect(await portal.services.db.select({ n: count() }).from(reports).where(eq(reports.id, reportId))).toEqual([{ n: 1 }]);
    });

    for (const files of [0, 1]) {
      it(`stores nothing of a submission (${files} files) whose notice to the investigators fails, and takes it again afterwards`, async () => {
        const db = portal.services.db;
        const info = await fetchIntakeInfo({ baseUrl: portal.url });
        const rows = async () => ({
          reports: (await db.select({ n: count() }).from(reports))[0]!.n,
          envelopes: (await db.select({ n: count() }).from(reportKeyEnvelopes))[0]!.n,
          exclusions: (await db.select({ n: count() }).from(reportExclusions))[0]!.n,
          attachments: (await db.select({ n: count() }).from(attachments))[0]!.n,
          uploads: (await db.select({ n: count() }).from(uploads))[0]!.n,
          notices: (await db.select({ n: count() }).from(staffNotifications))[0]!.n,
        });
        let body: string | null = null;
        const recording: typeof fetch = (input, init) => {
          if (String(input).endsWith("/api/intake/reports")) body = String(init!.body);
          return fetch(input, init);
        };
        const sources = files ? [memoryFile("note.txt", "text/plain", patternedBytes(1000, "atomic"))] : [];
        const start = await rows();
        // The fault is the database's, not a stand-in for our code: a trigger refuses every staff notification.
        await db.execute(sql`create function refuse_notice() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`);
        await db.execute(sql`create trigger refuse_notice before insert on staff_notifications for each statement execute function refuse_notice()`);
        try {
          const submitting = submitEncryptedReport(draft(info, { identity: null, consentOptional: files > 0, excludedInvestigators: [inv2] }), sources, info, {
            baseUrl: portal.url,
            fetch: recording,
            retryDelaysMs: [],
          });
          await expect(submitting).rejects.toMatchObject({ status: 500 });
          expect(await rows()).toEqual({ ...start, uploads: start.uploads + files });
        } finally {
          await db.execute(sql`drop trigger refuse_notice on staff_notifications`);
          await db.execute(sql`drop function refuse_notice()`);
        }
        const again = await post(portal, "/api/intake/reports", body!);
        expect(again.status).toBe(201);
        expect(await rows()).toEqual({
          ...start,
          reports: start.reports + 1,
          envelopes: start.envelopes + 1,
          exclusions: start.exclusions + 1,
          attachments: start.attachments + files,
          notices: start.notices + 1,
        });
      });
    }

    it("resumes an upload when the answer to a part is lost", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      let dropped = 0;
      const lossy: typeof fetch = async (input, init) => {
        const r = await fetch(input, init);
        // The server stored part 0, but the reporter's connection dies before the answer arrives.
        if (init?.method === "PUT" && String(input).endsWith("/parts/0") && dropped++ === 0) throw new TypeError("network down");
        return r;
      };
      const bytes = patternedBytes(8 * 1024 * 1024 + 5, "resume");
      const r = await submitEncryptedReport(draft(info, { identity: null }), [memoryFile("big.bin", "application/octet-stream", bytes)], info, {
        baseUrl: portal.url,
        fetch: lossy,
        retryDelaysMs: [10, 10, 10],
      });
      expect(dropped).toBeGreaterThan(0);
      const got = await decryptReportAsInvestigator(portal.services, r.reportId, "inv1@okestro.example", PASSWORD);
      expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
    });

    it("re-seals to the current investigators when one was added after the page loaded", async () => {
      const stale = await fetchIntakeInfo({ baseUrl: portal.url });
      const inv3 = await createStaff(portal, "investigator", "inv3@okestro.example");
      const r = await submitEncryptedReport(draft(stale, { identity: null, consentOptional: false }), [], stale, { baseUrl: portal.url });
      const envs = await portal.services.db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, r.reportId));
      expect(envs.map((e) => e.staffUserId).sort()).toEqual([inv1, inv2, inv3.id].sort());
    });

    describe("refuses bad submissions with a clear 4xx and changes nothing", () => {
      let valid: Record<string, unknown>;
      let snapshot: unknown;

      beforeAll(async () => {
        const info = await fetchIntakeInfo({ baseUrl: portal.url });
        const capture: typeof fetch = async (input, init) => {
          if (String(input).endsWith("/api/intake/reports")) {
            valid = JSON.parse(String(init!.body));
            return new Response(JSON.stringify({ error: { code: "captured", message: "captured" } }), { status: 418 });
          }
          return fetch(input, init);
        };
        await expect(
          submitEncryptedReport(draft(info, { identity: null, consentOptional: false }), [], info, { baseUrl: portal.url, fetch: capture }),
        ).rejects.toThrow(IntakeError);
        snapshot = await portal.services.db.select().from(reports).orderBy(reports.id);
      });

      const cases: [string, (v: Record<string, unknown>) => unknown, number, string][] = [
        ["malformed JSON", () => "{nope", 400, "bad_json"],
        ["a non-UUID report id", (v) => ({ ...v, reportId: "../../etc/passwd" }), 400, "invalid_request"],
        ["a missing title", (v) => ({ ...v, title: undefined }), 400, "invalid_request"],
        ["title that is not base64url", (v) => ({ ...v, title: "!!!" }), 400, "invalid_request"],
        ["a wrong format version", (v) => ({ ...v, title: "Ag" + String(v.title).slice(2) }), 400, "bad_ciphertext"],
        ["a truncated ciphertext", (v) => ({ ...v, body: String(v.body).slice(0, 200) }), 400, "bad_ciphertext"],
        ["no consent to the report", (v) => ({ ...v, consentReport: false }), 400, "invalid_request"],
        ["identity without consent for optional items", (v) => ({ ...v, identity: v.title, consentOptional: false }), 400, "consent_optional_required"],
        ["an unknown category", (v) => ({ ...v, categoryId: "00000000-0000-4000-8000-000000000000" }), 400, "unknown_category"],
        ["a missing envelope", (v) => ({ ...v, envelopes: (v.envelopes as unknown[]).slice(1) }), 409, "recipients_changed"],
        ["a duplicated envelope", (v) => ({ ...v, envelopes: [...(v.envelopes as unknown[]), (v.envelopes as unknown[])[0]] }), 400, "duplicate_envelope"],
        [
          "an envelope of another format version (docs/CRYPTO.md §4, §9.2)",
          (v) => {
            const [first, ...rest] = v.envelopes as { staffUserId: string; envelope: string }[];
            return { ...v, envelopes: [{ ...first!, envelope: `Ag${first!.envelope.slice(2)}` }, ...rest] };
          },
          400,
          "bad_ciphertext",
        ],
        [
          "keys sealed to an excluded investigator",
          (v) => ({ ...v, excludedInvestigators: [(v.envelopes as { staffUserId: string }[])[0]!.staffUserId] }),
          400,
          "excluded_recipient",
        ],
        [
          "an unknown upload",
          (v) => ({ ...v, consentOptional: true, attachments: [{ uploadId: "00000000-0000-4000-8000-000000000001", meta: v.title, fileKey: v.reporterKey }] }),
          400,
          "unknown_upload",
        ],
        ["a receipt look-up of the wrong size", (v) => ({ ...v, receiptLookup: "AAAA" }), 400, "invalid_request"],
      ];
      for (const [what, mutate, status, code] of cases) {
        it(`: ${what}`, async () => {
          const r = await post(portal, "/api/intake/reports", mutate(valid));
          expect(r.status).toBe(status);
          const body = (await r.json()) as { error: { code: string; message: string } };
          expect(body.error.code).toBe(code);
          expect(body.error.message.length).toBeGreaterThan(5);
          expect(await portal.services.db.select().from(reports).orderBy(reports.id)).toEqual(snapshot);
        });
      }

      it(": an oversized body, refused before it is read", async () => {
        const r = await post(portal, "/api/intake/reports", JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }));
        expect(r.status).toBe(413);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("too_large");
      });

      it(": a wrong content type and a cross-site origin", async () => {
        const r1 = await fetch(`${portal.url}/api/intake/reports`, { method: "POST", body: JSON.stringify(valid), headers: { "Content-Type": "text/plain" } });
        expect(r1.status).toBe(415);
        const r2 = await post(portal, "/api/intake/reports", valid, { Origin: "https://evil.example" });
        expect(r2.status).toBe(403);
        // The valid request itself still goes through afterwards.
        const ok = await post(portal, "/api/intake/reports", valid, { Origin: portal.url.replace("127.0.0.1", "127.0.0.1") });
        expect(ok.status).toBe(201);
      });
    });

    describe("upload protocol", () => {
      async function open(size: number) {
        const r = await post(portal, "/api/intake/uploads", { reportId: "11111111-1111-4111-8111-111111111111", ciphertextBytes: size });
        expect(r.status).toBe(201);
        return (await r.json()) as { uploadId: string; token: string };
      }
      const put = (id: string, token: string, part: number, body: Uint8Array) =>
        fetch(`${portal.url}/api/intake/uploads/${id}/parts/${part}`, {
          method: "PUT",
          body: body as BodyInit,
          headers: { "X-Upload-Token": token, "Content-Type": "application/octet-stream" },
        });

      it("takes parts in order only, within the announced size, for the token holder only", async () => {
        const u = await open(100);
        expect((await put(u.uploadId, u.token, 1, new Uint8Array(10))).status).toBe(409);
        expect((await put(u.uploadId, "A".repeat(43), 0, new Uint8Array(10))).status).toBe(404);
        expect((await put(u.uploadId, u.token, 0, new Uint8Array(101))).status).toBe(413);
        expect((await put(u.uploadId, u.token, 0, new Uint8Array(60))).status).toBe(200);
        expect((await put(u.uploadId, u.token, 0, new Uint8Array(10))).status).toBe(409);
        const early = await fetch(`${portal.url}/api/intake/uploads/${u.uploadId}/complete`, { method: "POST", headers: { "X-Upload-Token": u.token } });
        expect(early.status).toBe(409);
        expect((await put(u.uploadId, u.token, 1, new Uint8Array(40))).status).toBe(200);
        const done = await fetch(`${portal.url}/api/intake/uploads/${u.uploadId}/complete`, { method: "POST", headers: { "X-Upload-Token": u.token } });
        expect(await done.json()).toMatchObject({ state: "complete", receivedBytes: 100 });
        const status = await fetch(`${portal.url}/api/intake/uploads/${u.uploadId}`, { headers: { "X-Upload-Token": u.token } });
        expect(await status.json()).toMatchObject({ nextPart: 2, expectedBytes: 100 });
        expect((await fetch(`${portal.url}/api/intake/uploads/not-a-uuid`)).status).toBe(404);
      });

      it("refuses files over the limit up front", async () => {
        const r = await post(portal, "/api/intake/uploads", { reportId: "11111111-1111-4111-8111-111111111112", ciphertextBytes: 100 * 1024 ** 3 });
        expect(r.status).toBe(413);
      });

      it("cleans up uploads never claimed by a report, and their blobs", async () => {
        const u = await open(50);
        expect((await put(u.uploadId, u.token, 0, new Uint8Array(50))).status).toBe(200);
        const s = portal.services;
        const pending = await s.db.select().from(uploads);
        expect(pending.length).toBeGreaterThan(0);
        const attachedBefore = await s.db.select({ n: count() }).from(attachments);
        portal.setNow(new Date(Date.now() + 2 * 3600_000));
        try {
          const out = await portal.cli("uploads:cleanup");
          expect(out).toMatch(/Removed \d+ unclaimed upload/);
        } finally {
          portal.setNow(null);
        }
        expect(await s.db.select().from(uploads)).toEqual([]);
        for (const p of pending) expect(await s.blobs.size(p.blobKey)).toBeNull();
        // Attachments of stored reports are untouched.
        expect(await s.db.select({ n: count() }).from(attachments)).toEqual(attachedBefore);
        const stored = await s.db.select().from(attachments);
        for (const a of stored) expect(await s.blobs.size(a.blobKey)).toBe(a.ciphertextBytes);
      });
    });
  });
}
