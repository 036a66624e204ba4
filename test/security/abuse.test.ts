// Issue 16: the channel stays open. Each row of the table of attacks is
// replayed against the real portal on both databases, and the new outcome is
// asserted (docs/THREAT-MODEL.md lists the rows with their defences).
//
// Row 4, a flood of reports (ADR 034): parallel submitters from one client get
// 429 with Retry-After once the per-client limit is reached, before their body
// is read, while another client still submits; a reporter session is limited
// the same way; reports from many clients faster than the threshold become
// one notification per investigator ("N reports in M minutes", in the portal
// and by e-mail, and one more when the flood is over), not one each; the
// inbox shows, hides or shows only the flood; the limit holds across a
// restart (and, on PostgreSQL, across two instances on one database), and
// the sweep forgets its counters once their window is over. The thresholds
// are scaled down by configuration; the logic is the production one.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { IntakeInfo } from "../../app/intake/wire";
import { settleStaffNotifications } from "../../app/.server/notifications/outbox";
import { sweepCounters } from "../../app/.server/platform/counters";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import type { StaffNotificationsView } from "../../app/shared/wire";
import { failureReason, translator } from "../../app/i18n";
import { commands } from "../../cli/commands";
import { loadSodium } from "../../crypto";
import { reports, staffNotifications, submissionCounters, uploads } from "../../db/schema";
import { startPortal, type RunningPortal } from "../../server/start";
import { backends, freshPostgresDatabase } from "../support/backends";
import { memoryFile, patternedBytes } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { TestSmtp } from "../support/smtp";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const MiB = 1024 * 1024;

// ------------------------------------------------------------------ row 2 helpers

/** A client behind the test proxy (TRUST_PROXY=1): its own network, hence its own pseudonym. */
const client = (n: number) => ({ "X-Forwarded-For": `198.51.100.${n}` });

interface Refusal {
  status: number;
  code: string;
  message: string;
  retryAfter: string | null;
}

async function refusal(r: Response): Promise<Refusal> {
  const body = (await r.json()) as { error: { code: string; message: string } };
  return { status: r.status, code: body.error.code, message: body.error.message, retryAfter: r.headers.get("retry-after") };
}

async function announce(portal: TestPortal, from: number, bytes: number, reportId = randomUUID()) {
  const r = await fetch(`${portal.url}/api/intake/uploads`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...client(from) },
    body: JSON.stringify({ reportId, ciphertextBytes: bytes }),
  });
  if (r.status !== 201) return { refused: await refusal(r) };
  return { upload: (await r.json()) as { uploadId: string; token: string } };
}

/** Opens an upload that must be admitted. */
async function opened(portal: TestPortal, from: number, bytes: number) {
  const a = await announce(portal, from, bytes);
  if (!a.upload) throw new Error(`upload refused: ${JSON.stringify(a.refused)}`);
  return a.upload;
}

/** Sends one part from anywhere: the upload's token is its credential, its space is its opener's. */
const sendPart = (portal: TestPortal, u: { uploadId: string; token: string }, n: number, bytes: Uint8Array<ArrayBuffer>) =>
  fetch(`${portal.url}/api/intake/uploads/${u.uploadId}/parts/${n}`, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream", "X-Upload-Token": u.token },
    body: bytes,
  });

const complete = (portal: TestPortal, u: { uploadId: string; token: string }) =>
  fetch(`${portal.url}/api/intake/uploads/${u.uploadId}/complete`, { method: "POST", headers: { "X-Upload-Token": u.token } });

/** A whole upload of `bytes` bytes, sent and completed, never claimed. */
async function storedUnclaimed(portal: TestPortal, from: number, bytes: number) {
  const u = await opened(portal, from, bytes);
  expect((await sendPart(portal, u, 0, new Uint8Array(bytes))).status).toBe(200);
  expect((await complete(portal, u)).status).toBe(200);
  return u;
}

/** Everything unclaimed goes, through the real cleanup (a clock past every TTL). */
async function clearUploads(portal: TestPortal) {
  portal.setNow(new Date(Date.now() + 30 * 24 * 3600_000));
  await portal.cli("uploads:cleanup");
  portal.setNow(null);
}

/** The intake client as a browser on network `n` runs it. */
const fromClient =
  (n: number): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...client(n) } });

async function reportWithFile(portal: TestPortal, from: number, file: Uint8Array) {
  const info = await fetchIntakeInfo({ baseUrl: portal.url });
  return submitEncryptedReport(
    {
      categoryId: info.categories[0]!.id,
      title: "Evidence",
      body: { description: "Invoices attached.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
    },
    [memoryFile("invoices.pdf", "application/pdf", file)],
    info,
    { baseUrl: portal.url, fetch: fromClient(from), retryDelaysMs: [] },
  );
}

for (const backend of await backends()) {
  describe(`row 2: upload announcements take no space, only bytes that arrive do, within per-client caps and a disk reserve (${backend})`, () => {
    // The figures scaled by 1/1024 (4 GiB files, a 32 GiB ceiling, 8 GiB per client); the logic is the same.
    const env = {
      TRUST_PROXY: "1",
      MAX_ATTACHMENT_BYTES: String(4 * MiB),
      MAX_PENDING_UPLOAD_BYTES: String(32 * MiB),
      MAX_PENDING_UPLOAD_BYTES_PER_CLIENT: String(8 * MiB),
      MAX_OPEN_UPLOADS_PER_CLIENT: "2",
      UPLOAD_DISK_RESERVE_BYTES: "0",
      UPLOAD_DISK_RESERVE_PERCENT: "0",
    };
    const FILE = 4 * MiB; // a whole "4 GiB" file's ciphertext, in one part
    let portal: TestPortal;
    let investigatorEmail: string;

    beforeAll(async () => {
      portal = await startTestPortal(backend, env);
      investigatorEmail = "row2-inv@okestro.example";
      await createStaff(portal, "investigator", investigatorEmail);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("lets a second client upload and submit while eight others have announced the whole ceiling without sending a byte", async () => {
      await clearUploads(portal);
      // 8 × "4 GiB" from eight networks: 32 "GiB" announced, the ceiling; before ADR 031 every upload then got 503.
      for (let n = 10; n < 18; n++) await opened(portal, n, FILE);
      const honest = patternedBytes(3 * MiB, "row2-honest");
      const submitted = await reportWithFile(portal, 99, honest);
      expect(submitted.caseNumber).toMatch(/^COR-/);
      // And the announcements still hold nothing.
      const rows = await portal.services.db.select().from(uploads);
      expect(rows.filter((r) => r.state === "open").map((r) => r.receivedBytes + r.reservedBytes)).toEqual(new Array(8).fill(0));
    });

    it("refuses one client's third open upload, with the reason and when to try again, and not another client's", async () => {
      await clearUploads(portal);
      await opened(portal, 20, FILE);
      await opened(portal, 20, FILE);
      const third = await announce(portal, 20, FILE);
      expect(third.refused).toMatchObject({ status: 429, code: "too_many_open_uploads" });
      expect(third.refused!.message).toMatch(/at most 2 unfinished uploads/);
      expect(Number(third.refused!.retryAfter)).toBeGreaterThan(0);
      expect((await announce(portal, 21, FILE)).upload).toBeDefined();
    });

    it("counts completed but unclaimed uploads against the client until they are claimed or cleaned", async () => {
      await clearUploads(portal);
      await storedUnclaimed(portal, 30, FILE);
      await storedUnclaimed(portal, 30, FILE);
      // Nothing is open any more, but 8 "GiB" sit unclaimed: the client's cap is full.
      const more = await announce(portal, 30, MiB);
      expect(more.refused).toMatchObject({ status: 429, code: "upload_quota_exceeded" });
      expect(more.refused!.message).toMatch(/submit what you have sent, or try again/);
      expect(Number(more.refused!.retryAfter)).toBeGreaterThan(0);
      // Cleaned: the space is the client's again.
      await clearUploads(portal);
      expect((await announce(portal, 30, MiB)).upload).toBeDefined();
    });

    it("refuses a part beyond the client's cap before writing a byte of it", async () => {
      await clearUploads(portal);
      await storedUnclaimed(portal, 40, 3 * MiB);
      const a = await opened(portal, 40, FILE); // 3 + 4 ≤ 8: each fits alone
      const b = await opened(portal, 40, FILE);
      expect((await sendPart(portal, a, 0, new Uint8Array(FILE))).status).toBe(200);
      const refused = await refusal(await sendPart(portal, b, 0, new Uint8Array(FILE)));
      expect(refused).toMatchObject({ status: 429, code: "upload_quota_exceeded" });
      const [row] = await portal.services.db.select().from(uploads).where(eq(uploads.id, b.uploadId));
      expect(row).toMatchObject({ receivedBytes: 0, reservedBytes: 0, nextPart: 0 });
      expect(await portal.services.blobs.size(row!.blobKey)).toBeNull();
    });

    it("fills the reporters' ceiling only with bytes that arrived, and keeps investigators' uploads outside it", async () => {
      await clearUploads(portal);
      // Four networks store their full 8 "GiB" each: 32 "GiB" of real bytes.
      for (let n = 50; n < 54; n++) {
        await storedUnclaimed(portal, n, FILE);
        await storedUnclaimed(portal, n, FILE);
      }
      const late = await announce(portal, 54, MiB);
      expect(late.refused).toMatchObject({ status: 503, code: "uploads_busy", retryAfter: "300" });
      // An investigator still attaches a file to a case.
      await clearUploads(portal);
      const submitted = await reportWithFile(portal, 60, patternedBytes(1000, "row2-case"));
      for (let n = 50; n < 54; n++) {
        await storedUnclaimed(portal, n, FILE);
        await storedUnclaimed(portal, n, FILE);
      }
      const inv = await firstSignIn(portal.url, investigatorEmail, PASSWORD);
      const staffUpload = await inv.client.post<{ uploadId: string; token: string }>(`/api/staff/cases/${submitted.reportId}/uploads`, {
        ciphertextBytes: MiB,
      });
      expect((await sendPart(portal, staffUpload, 0, new Uint8Array(MiB))).status).toBe(200);
      expect((await complete(portal, staffUpload)).status).toBe(200);
    });

    it("does not let bytes sent now and then keep an upload past its maximum age", async () => {
      await clearUploads(portal);
      const start = Date.now();
      const u = await opened(portal, 70, FILE);
      // A part every 20 hours keeps it within the idle TTL (24 h) …
      for (const [n, hours] of [0, 20, 40].entries()) {
        portal.setNow(new Date(start + hours * 3600_000));
        expect((await sendPart(portal, u, n, new Uint8Array(MiB))).status).toBe(200);
        await portal.cli("uploads:cleanup");
      }
      // … but not past UPLOAD_MAX_AGE_HOURS (48 h) after it was opened.
      portal.setNow(new Date(start + 49 * 3600_000));
      expect(await portal.cli("uploads:cleanup")).toMatch(/Removed 1 unclaimed upload/);
      portal.setNow(null);
      expect(await portal.services.db.select().from(uploads).where(eq(uploads.id, u.uploadId))).toEqual([]);
    });

    describe("with less free disk than the reserve", () => {
      let low: TestPortal;
      let admins: string[];
      beforeAll(async () => {
        // The boundary is real: statfs of the blob directory; the test only sets the reserve above it (all of the disk).
        low = await startTestPortal(backend, { ...env, UPLOAD_DISK_RESERVE_PERCENT: "100" });
        admins = [(await createStaff(low, "admin", "row2-admin1@okestro.example")).id, (await createStaff(low, "admin", "row2-admin2@okestro.example")).id];
      });
      afterAll(async () => {
        await low?.stop();
      });

      it("refuses new uploads with a clear error and tells each administrator once", async () => {
        for (let n = 80; n < 84; n++) {
          const r = await announce(low, n, MiB);
          expect(r.refused).toMatchObject({ status: 507, code: "storage_low" });
          expect(r.refused!.message).toMatch(/storage is nearly full.*administrators have been told/);
        }
        const notices = await low.services.db
          .select({ staffUserId: staffNotifications.staffUserId })
          .from(staffNotifications)
          .where(and(eq(staffNotifications.event, "storage_low")));
        expect(notices.map((n) => n.staffUserId).sort()).toEqual([...admins].sort());
        // The uploader reads why, in either language, not a bare code.
        expect(failureReason(translator("en"), "storage_low")).toMatch(/storage is nearly full/);
        expect(failureReason(translator("ko"), "storage_low")).toMatch(/저장 공간이 거의 가득/);
      });
    });
  });
}

// ------------------------------------------------------------------ row 4 helpers

/** Requests as if from `client` (the test portals trust one proxy hop). */
const from =
  (client: string): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), "X-Forwarded-For": client } });

const submitFrom = (baseUrl: string, info: IntakeInfo, client: string, title = "A report") =>
  submitEncryptedReport(
    {
      categoryId: info.categories[0]!.id,
      title,
      body: { description: "What happened, in detail.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: false,
      consentAffiliateIdentity: false,
    },
    [],
    info,
    { baseUrl, fetch: from(client) },
  );

interface Row4Refusal {
  code?: string;
  status?: number;
  fields?: Record<string, string>;
}

const PER_CLIENT = 3;
const FLOOD = 6;
const POSTS = 2;
const FLOOD_TEXT = { en: "Reports are arriving much faster than usual.", ko: "평소보다 훨씬 많은 제보가 짧은 시간에 접수되고 있습니다." };
const ENDED_TEXT = { en: "A flood of reports has ended.", ko: "대량 접수가 끝났습니다." };

for (const backend of await backends()) {
  describe(`row 4: a flood of reports (one client, many clients) on ${backend}`, () => {
    const smtp = new TestSmtp();
    let portal: TestPortal;
    let info: IntakeInfo;
    let lee: SignedInStaff;
    let firstReceipt = "";

    const notifications = () => lee.client.get<StaffNotificationsView>("/api/staff/notifications");
    const inbox = (query: string) => lee.client.get<{ total: number; rows: { id: string; flood: boolean }[] }>(`/api/staff/cases?${query}`);
    const mails = (who: string, text: string) => smtp.to(`${who}@okestro.example`).filter((m) => m.text.includes(text));
    const stored = async () => (await portal.services.db.select({ id: reports.id, floodId: reports.floodId }).from(reports)).length;

    beforeAll(async () => {
      await loadSodium();
      await smtp.start();
      portal = await startTestPortal(backend, {
        TRUST_PROXY: "1",
        REPORTS_PER_CLIENT: String(PER_CLIENT),
        REPORT_LIMIT_WINDOW_MINUTES: "60",
        FOLLOWUP_POSTS_PER_SESSION: String(POSTS),
        FLOOD_REPORTS: String(FLOOD),
        // A day: the test never straddles two windows (other than at midnight UTC, where the estimate carries on).
        FLOOD_WINDOW_MINUTES: "1440",
        SMTP_URL: smtp.url,
        SMTP_FROM: "Clean OKESTRO Report <no-reply@okestro.example>",
        PUBLIC_ORIGIN: "https://report.okestro.example",
        NOTIFY_INTERVAL_MINUTES: "0",
        RETENTION_INTERVAL_MINUTES: "0",
      });
      await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
      await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park Investigator"]);
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      info = await fetchIntakeInfo({ baseUrl: portal.url });
    });
    afterAll(async () => {
      await portal?.stop();
      await smtp.stop();
    });

    it("answers parallel submitters from one client 429 with Retry-After after the per-client limit, before reading the body, while another client submits", async () => {
      const attacker = "198.51.100.10";
      // Four submitters at once, two reports each.
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => submitFrom(portal.url, info, attacker, `flood ${i}`)));
      const accepted = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Row4Refusal] : []));
      expect(accepted).toHaveLength(PER_CLIENT);
      expect(refused).toHaveLength(8 - PER_CLIENT);
      for (const e of refused) {
        expect(e).toMatchObject({ code: "too_many_reports", status: 429 });
        const minutes = Number(e.fields?.retryAfterMinutes);
        expect(minutes).toBeGreaterThanOrEqual(1);
        expect(minutes).toBeLessThanOrEqual(60);
      }
      firstReceipt = (accepted[0] as PromiseFulfilledResult<{ receiptCode: string }>).value.receiptCode;

      // Refused before the body is read: not even JSON gets a 400 now.
      const raw = await fetch(`${portal.url}/api/intake/reports`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-For": attacker },
        body: "{",
      });
      expect(raw.status).toBe(429);
      const retryAfter = Number(raw.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(((await raw.json()) as { error: { code: string } }).error.code).toBe("too_many_reports");

      // Someone else reports as usual.
      const other = await submitFrom(portal.url, info, "198.51.100.11", "a real report");
      expect(other.caseNumber).toMatch(/^COR-/);
      expect(await stored()).toBe(PER_CLIENT + 1);
    });

    it("limits what one reporter session posts, with the same kind of answer", async () => {
      const { session } = await openCase(firstReceipt, { baseUrl: portal.url, fetch: from("198.51.100.12") });
      for (let i = 0; i < POSTS; i++) await session.sendMessage(`message ${i}`);
      const refused = (await session.sendMessage("one too many").catch((e: unknown) => e)) as Row4Refusal;
      expect(refused).toMatchObject({ code: "too_many_posts", status: 429 });
      expect(Number(refused.fields?.retryAfterMinutes)).toBeGreaterThanOrEqual(1);
      await session.logout();
    });

    it("turns a flood from many clients into one notification per investigator, in the portal and by e-mail, with its count", async () => {
      await settleStaffNotifications(portal.services);
      const before = await stored();
      const clients = Array.from({ length: 10 }, (_, i) => `203.0.113.${i + 1}`);
      await Promise.all(clients.map((c) => submitFrom(portal.url, info, c, `from ${c}`)));
      await settleStaffNotifications(portal.services);
      const total = before + clients.length;
      expect(total).toBeGreaterThan(FLOOD);
      const floods = await portal.services.db.select({ floodId: reports.floodId }).from(reports).where(isNotNull(reports.floodId));
      // Up to the threshold each report is told on its own; beyond it, all of them belong to one flood.
      expect(floods).toHaveLength(total - FLOOD);
      expect(new Set(floods.map((f) => f.floodId)).size).toBe(1);

      const view = await notifications();
      expect(view.items.filter((n) => n.event === "new_case")).toHaveLength(FLOOD);
      const flood = view.items.filter((n) => n.event === "report_flood");
      expect(flood).toHaveLength(1);
      expect(flood[0]!.flood).toEqual({ reports: total - FLOOD, minutes: 1440, over: false });

      for (const who of ["lee", "park"]) {
        expect(mails(who, "A new report has been received.")).toHaveLength(FLOOD);
        const [mail, ...more] = mails(who, FLOOD_TEXT.en);
        expect(more).toEqual([]);
        expect(mail!.text).toContain(FLOOD_TEXT.ko);
        // The count as of the send (the flood was still arriving), in both languages.
        const n = Number(/(\d+) reports in 1440 minutes so far/.exec(mail!.text)?.[1]);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(total - FLOOD);
        expect(mail!.text).toContain(`지금까지 1440분 동안 제보 ${n}건`);
      }

      // A whole window without flood reports: one more notification with the final count, once.
      const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
      await portal.cli("notify:run", "--now", later);
      await portal.cli("notify:run", "--now", later);
      await settleStaffNotifications(portal.services);
      for (const who of ["lee", "park"]) {
        const [ended, ...more] = mails(who, ENDED_TEXT.en);
        expect(more).toEqual([]);
        expect(ended!.text).toContain(ENDED_TEXT.ko);
        expect(ended!.text).toContain(`${total - FLOOD} reports in 1440 minutes in all`);
        expect(ended!.text).toContain(`모두 1440분 동안 제보 ${total - FLOOD}건`);
      }
      expect((await notifications()).items.filter((n) => n.event === "report_flood_ended")).toHaveLength(1);
    });

    it("lets the inbox show the flood, hide it, or show only it", async () => {
      const flooded = new Set((await portal.services.db.select({ id: reports.id }).from(reports).where(isNotNull(reports.floodId))).map((r) => r.id));
      const all = await inbox("");
      const only = await inbox("flood=only");
      const hidden = await inbox("flood=hide");
      expect(all.total).toBe(await stored());
      expect(only.total).toBe(flooded.size);
      expect(hidden.total).toBe(all.total - flooded.size);
      expect(new Set(only.rows.map((r) => r.id))).toEqual(flooded);
      expect(only.rows.every((r) => r.flood)).toBe(true);
      expect(hidden.rows.some((r) => r.flood || flooded.has(r.id))).toBe(false);
      expect(all.rows.filter((r) => r.flood)).toHaveLength(flooded.size);
    });
  });

  describe(`row 4: the per-client limit lives in the database (restart, instances) on ${backend}`, () => {
    it(
      backend === "postgres"
        ? "holds across two instances on one database and across a restart"
        : "holds across a restart of the portal on the same data directory",
      async () => {
        await loadSodium();
        const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-abuse-"));
        const snapshot = inject("pgliteSnapshot");
        if (backend === "pglite" && snapshot) await promisify(execFile)("cp", ["-R", snapshot, path.join(dataDir, "pgdata")]);
        const pg = backend === "postgres" ? await freshPostgresDatabase(inject("postgresTemplate") || undefined) : null;
        const start = () =>
          startPortal({
            env: {
              NODE_ENV: "test",
              PORT: "0",
              HOST: "127.0.0.1",
              DATA_DIR: dataDir,
              DATABASE_URL: pg?.url,
              LOG_LEVEL: "error",
              TRUST_PROXY: "1",
              REPORTS_PER_CLIENT: "2",
              FLOOD_REPORTS: "100000",
              NOTIFY_INTERVAL_MINUTES: "0",
              RETENTION_INTERVAL_MINUTES: "0",
              DB_UPKEEP_INTERVAL_MINUTES: "0",
            },
            logWrite: () => {},
          });
        const running: RunningPortal[] = [];
        try {
          const first = await start();
          running.push(first);
          const pw = path.join(dataDir, "pw.txt");
          await writeFile(pw, `${PASSWORD}\n`);
          await commands["user:create"]!(first.services, ["--role", "investigator", "--email", "kim@okestro.example", "--password-file", pw]);
          const info = await fetchIntakeInfo({ baseUrl: first.url });
          const address = "192.0.2.77";
          await submitFrom(first.url, info, address);
          if (backend === "postgres") {
            // A second instance on the same database counts against the same limit.
            const second = await start();
            running.push(second);
            await submitFrom(second.url, info, address);
            await expect(submitFrom(first.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
            await expect(submitFrom(second.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
          } else {
            await submitFrom(first.url, info, address);
          }
          for (const p of running.splice(0)) await p.close();

          const restarted = await start();
          running.push(restarted);
          await expect(submitFrom(restarted.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
          expect((await submitFrom(restarted.url, info, "192.0.2.78")).caseNumber).toMatch(/^COR-/);
          // The sweep forgets counters whose window has ended, and nothing else.
          const db = restarted.services.db;
          expect(await sweepCounters(db, new Date(), 10 * 60_000)).toBe(0);
          expect((await db.select().from(submissionCounters)).length).toBeGreaterThan(0);
          expect(await sweepCounters(db, new Date(Date.now() + 2 * 3600_000), 10 * 60_000)).toBeGreaterThan(0);
          expect(await db.select().from(submissionCounters)).toEqual([]);
        } finally {
          for (const p of running) await p.close();
          await pg?.drop();
          await rm(dataDir, { recursive: true, force: true });
        }
      },
      120_000,
    );
  });
}
