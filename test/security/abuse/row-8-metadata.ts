// Issue 16, row 8: less metadata (sizes, times) for someone matching a report to a person (ADR 033).
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, submitEncryptedReport, type ReportDraft, type SubmittedReport } from "../../../app/reporter/intake-client";
import { openCase } from "../../../app/reporter/followup-client";
import { startOfDayIn } from "../../../app/.server/platform/dates";
import { loadSodium, streamCiphertextSize, streamV1CiphertextSize, unwrapFileKey, STREAM_V1, STREAM_V2 } from "../../../crypto";
import { encryptAttachmentV1 } from "../../../crypto/legacy-stream-v1";
import { attachments, reporterSessions, reports, staffNotifications, uploads } from "../../../db/schema";
import { UPLOAD_TOKEN_HEADER } from "../../../app/intake/limits";
import type { CreateUploadResponse, IntakeInfo } from "../../../app/intake/wire";
import { backends } from "../../support/backends";
import { memoryFile, patternedBytes } from "../../support/files";
import { decryptReportAsInvestigator, investigatorReportKey } from "../../support/investigator";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { withSolvedPow } from "../../support/pow";
import { createStaff, PASSWORD } from "../../support/staff";
import "../../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const TIME_ZONE = "Asia/Seoul"; // the default; the portal's calendar day
const MINUTE = 60_000;

function draft(info: IntakeInfo): ReportDraft {
  return {
    categoryId: info.categories[0]!.id,
    title: "메타데이터 / metadata",
    body: { description: "Files whose sizes should say little.", details: "세부", periodFrom: null, periodTo: null },
    identity: null,
    excludedInvestigators: [],
    consentReport: true,
    consentOptional: true,
    consentAffiliateIdentity: false,
  };
}

/** Where the local blob store keeps a blob (app/.server/platform/blob-store.ts). */
const blobPath = (portal: TestPortal, key: string) => path.join(portal.dataDir, "blobs", key.slice(-2), key);

for (const backend of await backends()) {
  describe(`row 8: less metadata (sizes, times) on ${backend}`, () => {
    let portal: TestPortal;
    let info: IntakeInfo;
    const INVESTIGATOR = "meta-inv@okestro.example";
    // Two sizes in the Padmé class ending at 212992 (steps of 4096 from 2^17), and one in the class of 1024.
    const sizes = { low: 208_897, high: 212_992, small: 1000 };
    const files = Object.fromEntries(Object.entries(sizes).map(([k, n]) => [k, patternedBytes(n, `row8-${k}`)])) as Record<keyof typeof sizes, Uint8Array>;
    let submitted: SubmittedReport;
    /** What the server was told or sent, per upload: the announced size and each part's length. */
    const announced: number[] = [];
    const partBytes = new Map<string, number>();

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      await createStaff(portal, "investigator", INVESTIGATOR, ["--name", "Metadata Investigator"]);
      info = await fetchIntakeInfo({ baseUrl: portal.url });
      const watching: typeof fetch = async (input, init) => {
        const url = String(input);
        if (init?.method === "POST" && url.endsWith("/api/intake/uploads"))
          announced.push((JSON.parse(String(init.body)) as { ciphertextBytes: number }).ciphertextBytes);
        const part = /\/api\/intake\/uploads\/([0-9a-f-]{36})\/parts\/\d+$/.exec(url);
        if (part && init?.method === "PUT") partBytes.set(part[1]!, (partBytes.get(part[1]!) ?? 0) + (init.body as Uint8Array).length);
        return fetch(input, init);
      };
      submitted = await submitEncryptedReport(
        draft(info),
        [
          memoryFile("low.bin", "application/octet-stream", files.low),
          memoryFile("high.bin", "application/octet-stream", files.high),
          memoryFile("small.txt", "text/plain", files.small),
        ],
        info,
        { baseUrl: portal.url, fetch: watching },
      );
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("stores, announces and sends only Padmé classes: two files of one class take the same bytes everywhere", async () => {
      const rows = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, submitted.reportId));
      expect(rows).toHaveLength(3);
      const blobSizes = await Promise.all(rows.map(async (r) => (await stat(blobPath(portal, r.blobKey))).size));
      const sent = rows.map((r) => partBytes.get(r.id));
      // The low and high files are one class: one size on disk, in the row, announced and sent.
      const classBig = streamCiphertextSize(sizes.high);
      expect(streamCiphertextSize(sizes.low)).toBe(classBig);
      expect(blobSizes.sort((a, b) => a - b)).toEqual([streamCiphertextSize(sizes.small), classBig, classBig]);
      expect(rows.map((r) => r.ciphertextBytes).sort((a, b) => a - b)).toEqual([streamCiphertextSize(sizes.small), classBig, classBig]);
      expect(announced.sort((a, b) => a - b)).toEqual([streamCiphertextSize(sizes.small), classBig, classBig]);
      expect(sent.sort((a, b) => a! - b!)).toEqual([streamCiphertextSize(sizes.small), classBig, classBig]);
      // No number the server saw is the exact (stream-v1) size of a file.
      for (const n of [...blobSizes, ...announced]) {
        for (const size of Object.values(sizes)) if (size !== sizes.high) expect(n).not.toBe(streamV1CiphertextSize(size));
      }
      // Every blob is stream-v2 (its first byte), and the investigator decrypts the exact files.
      for (const r of rows) expect((await readFile(blobPath(portal, r.blobKey)))[0]).toBe(STREAM_V2);
      const decrypted = await decryptReportAsInvestigator(portal.services, submitted.reportId, INVESTIGATOR, PASSWORD);
      expect(decrypted.files.map((f) => [f.name, f.size, Buffer.from(f.bytes).equals(Buffer.from(files[f.name.split(".")[0] as keyof typeof sizes]))])).toEqual(
        [
          ["high.bin", sizes.high, true],
          ["low.bin", sizes.low, true],
          ["small.txt", sizes.small, true],
        ],
      );
    });

    it("serves the download with the class size as Content-Length, and the reporter's client decrypts the exact file", async () => {
      const { session, case: c } = await openCase(submitted.receiptCode, { baseUrl: portal.url });
      try {
        const lengths = new Map<string, number>();
        for (const a of c.attachments) {
          const r = await fetch(`${portal.url}/api/followup/attachments/${a.id}`, { headers: { Authorization: `Bearer ${session.beaconToken!}` } });
          expect(r.status).toBe(200);
          lengths.set(a.name, Number(r.headers.get("Content-Length")));
          await r.arrayBuffer();
          const file = await session.downloadAttachment(a.id);
          const want = files[a.name.split(".")[0] as keyof typeof sizes];
          expect(Buffer.from(await file.blob.arrayBuffer()).equals(Buffer.from(want))).toBe(true);
        }
        expect(lengths.get("low.bin")).toBe(streamCiphertextSize(sizes.high));
        expect(lengths.get("high.bin")).toBe(streamCiphertextSize(sizes.high));
      } finally {
        await session.logout();
      }
    });

    it("stamps blob files and their directory with the start of the portal's day: no time of day", async () => {
      const rows = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, submitted.reportId));
      const now = new Date();
      for (const r of rows) {
        const file = blobPath(portal, r.blobKey);
        for (const s of [await stat(file), await stat(path.dirname(file))]) {
          // Midnight in TIME_ZONE of the day the blob was written: today, unless the test crossed midnight.
          expect(startOfDayIn(TIME_ZONE, s.mtime).getTime()).toBe(s.mtime.getTime());
          expect(now.getTime() - s.mtime.getTime()).toBeLessThan(25 * 3600_000);
          expect(now.getTime() - s.mtime.getTime()).toBeGreaterThanOrEqual(0);
        }
        const s = await stat(file);
        // Written, then read by the downloads above: atime is the day's start or (noatime/relatime aside) a later read.
        expect(s.mtimeMs % MINUTE).toBe(0);
      }
    });

    it("keeps reporter times in the database no finer than the day (records) or the minute (transient rows)", async () => {
      const db = portal.services.db;
      const [report] = await db.select().from(reports).where(eq(reports.id, submitted.reportId));
      expect(report!.receivedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(report!.updatedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const notices = await db.select().from(staffNotifications).where(eq(staffNotifications.reportId, submitted.reportId));
      expect(notices.length).toBeGreaterThan(0);
      for (const n of notices) expect(startOfDayIn(TIME_ZONE, n.createdAt).getTime()).toBe(n.createdAt.getTime());
      // An upload in progress: its row says the minute only.
      const open = await fetch(`${portal.url}/api/intake/uploads`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "upload")) },
        body: JSON.stringify({ reportId: crypto.randomUUID(), ciphertextBytes: streamCiphertextSize(10) }),
      });
      expect(open.status).toBe(201);
      const up = (await open.json()) as CreateUploadResponse;
      const part = await fetch(`${portal.url}/api/intake/uploads/${up.uploadId}/parts/0`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", [UPLOAD_TOKEN_HEADER]: up.token },
        body: new Uint8Array(streamCiphertextSize(10)),
      });
      expect(part.status).toBe(200);
      const [row] = await db.select().from(uploads).where(eq(uploads.id, up.uploadId));
      expect(row!.createdAt.getTime() % MINUTE).toBe(0);
      expect(row!.updatedAt.getTime() % MINUTE).toBe(0);
      // A follow-up session: the minute only, and it still lasts its whole idle time.
      const { session } = await openCase(submitted.receiptCode, { baseUrl: portal.url });
      const sessions = await db.select().from(reporterSessions).where(eq(reporterSessions.reportId, submitted.reportId));
      expect(sessions.length).toBeGreaterThan(0);
      for (const s of sessions) {
        expect(s.createdAt.getTime() % MINUTE).toBe(0);
        expect(s.lastSeenAt.getTime() % MINUTE).toBe(0);
      }
      const idle = 15 * MINUTE; // REPORTER_SESSION_IDLE_MINUTES
      const opened = Date.now();
      const token = session.beaconToken!;
      try {
        portal.setNow(new Date(opened + idle));
        expect((await fetch(`${portal.url}/api/followup/case`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
        // That request was the last activity: a minute and a second past the idle time (the cut's slack) it has ended.
        portal.setNow(new Date(opened + 2 * idle + MINUTE + 1000));
        expect((await fetch(`${portal.url}/api/followup/case`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
      } finally {
        portal.setNow(null);
      }
    });

    it("writes log lines whose time says the minute only, reporter routes included", () => {
      const lines = portal.logs.map((l) => JSON.parse(l) as { t: string; msg: string; path?: string });
      const reporterLines = lines.filter((l) => l.msg === "request" && /^\/api\/(intake|followup)\//.test(l.path ?? ""));
      expect(reporterLines.length).toBeGreaterThan(5);
      for (const l of lines) expect(l.t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
      // No other field carries a finer time either (the operator's setup link states its expiry: not a reporter's time).
      expect(portal.logs.filter((l) => !l.includes('"setupLink"') && /\d{2}:\d{2}:\d{2}/.test(l))).toEqual([]);
    });

    it("still decrypts and serves a file stored in the old format (stream-v1)", async () => {
      const rows = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, submitted.reportId));
      const { reportKey } = await investigatorReportKey(portal.services, submitted.reportId, INVESTIGATOR, PASSWORD);
      const row = rows.find((r) => r.ciphertextBytes === streamCiphertextSize(sizes.small))!;
      const fileKey = unwrapFileKey(reportKey, submitted.reportId, row.id, row.fileKeyWrapped);
      // What an earlier release stored: the stream-v1 blob and its exact length in the row.
      const old = encryptAttachmentV1(fileKey, { reportId: submitted.reportId, attachmentId: row.id }, files.small);
      expect(old[0]).toBe(STREAM_V1);
      await writeFile(blobPath(portal, row.blobKey), old);
      await portal.services.db.update(attachments).set({ ciphertextBytes: old.length }).where(eq(attachments.id, row.id));
      const { session, case: c } = await openCase(submitted.receiptCode, { baseUrl: portal.url });
      try {
        const file = await session.downloadAttachment(row.id);
        expect(c.attachments.find((a) => a.id === row.id)?.name).toBe("small.txt");
        expect(Buffer.from(await file.blob.arrayBuffer()).equals(Buffer.from(files.small))).toBe(true);
      } finally {
        await session.logout();
      }
      const decrypted = await decryptReportAsInvestigator(portal.services, submitted.reportId, INVESTIGATOR, PASSWORD);
      expect(Buffer.from(decrypted.files.find((f) => f.name === "small.txt")!.bytes).equals(Buffer.from(files.small))).toBe(true);
    });
  });
}
