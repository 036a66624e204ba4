// Issue 16: the channel stays open. Each row of the table of attacks is
// replayed against the real portal on both databases, and the new outcome is
// asserted (docs/THREAT-MODEL.md lists the rows with their defences).
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, submitEncryptedReport } from "../../../app/reporter/intake-client";
import { failureReason, translator } from "../../../app/i18n";
import { staffNotifications, uploads } from "../../../db/schema";
import { backends } from "../../support/backends";
import { memoryFile, patternedBytes } from "../../support/files";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { withSolvedPow } from "../../support/pow";
import { createStaff, PASSWORD } from "../../support/staff";
import { firstSignIn } from "../../support/staff-session";
import "../../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

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
    headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "upload", client(from))) },
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
