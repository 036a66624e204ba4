// Attachments in an S3-compatible bucket through the real portal (ADR 037):
// a report with a file of two parts (an S3 multipart upload of two parts) is
// submitted, the investigator decrypts it byte for byte and downloads a range,
// and destruction removes the object from the bucket. The bucket is s3rver on
// loopback; DATA_DIR's blob directory stays unused.
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptMessage, loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { LIMITS } from "../../app/intake/limits";
import { addDays, addMonths } from "../../app/.server/platform/dates";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { cleanupUploads } from "../../app/.server/intake/intake";
import { checkStorage } from "../../app/.server/intake/upload-space";
import { startPortal } from "../../server/start";
import { attachments, reports } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile, patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import { startTestPortal, TEST_PORTAL_ENV, type TestPortal } from "../support/portal";
import { withSolvedPow } from "../support/pow";
import { startTestS3, type TestS3 } from "../support/s3-server";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const [backend] = await backends();

describe(`attachments in an S3 bucket (s3rver) on ${backend}`, () => {
  let s3: TestS3;
  let portal: TestPortal;
  let lee: SignedInStaff;
  let leeId: string;
  let bucket: S3Client;
  // Two portal parts: the first a full one (8 MiB of plaintext, above S3's 5 MiB minimum), the last shorter.
  const original = patternedBytes(LIMITS.partPlainBytes + 300_000, "S3-ATTACHMENT-MARKER");
  let reportId: string;
  let attachmentId: string;
  let blobKey: string;

  const objects = async () => ((await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "portal/" }))).Contents ?? []).map((o) => o.Key!);

  beforeAll(async () => {
    await loadSodium();
    s3 = await startTestS3();
    bucket = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true });
    portal = await startTestPortal(backend!, { ...s3.env("portal"), RETENTION_INTERVAL_MINUTES: "0" });
    leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"])).id;
    lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "S3 report",
        body: { description: "a report with a file in the bucket", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [memoryFile("evidence.bin", "application/octet-stream", original)],
      info,
      { baseUrl: portal.url },
    );
    reportId = r.reportId;
    const [a] = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportId));
    attachmentId = a!.id;
    blobKey = a!.blobKey;
  });
  afterAll(async () => {
    await portal?.stop();
    await s3?.stop();
  });

  it("stores the file's ciphertext as one object in the bucket, nothing on local disk", async () => {
    expect(await objects()).toEqual([`portal/${blobKey}`]);
    const head = await bucket.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `portal/${blobKey}` }));
    const [a] = await portal.services.db.select().from(attachments).where(eq(attachments.id, attachmentId));
    expect(head.ContentLength).toBe(a!.ciphertextBytes);
    expect(existsSync(path.join(portal.dataDir, "blobs"))).toBe(false);
  });

  it("the investigator decrypts the file byte for byte", async () => {
    const report = await decryptReportAsInvestigator(portal.services, reportId, "lee@okestro.example", PASSWORD);
    expect(report.files).toHaveLength(1);
    expect(report.files[0]!.name).toBe("evidence.bin");
    expect(Buffer.from(report.files[0]!.bytes).equals(Buffer.from(original))).toBe(true);
  });

  it("downloads the whole ciphertext, and a range of it (206)", async () => {
    const url = `/api/staff/cases/${reportId}/attachments/${attachmentId}`;
    const whole = Buffer.from(await (await lee.client.raw(url)).arrayBuffer());
    const [a] = await portal.services.db.select().from(attachments).where(eq(attachments.id, attachmentId));
    expect(whole.length).toBe(a!.ciphertextBytes);
    // Across the boundary of the two S3 parts.
    const start = LIMITS.partPlainBytes - 1000;
    const end = LIMITS.partPlainBytes + 200_000;
    const r = await lee.client.raw(url, { Range: `bytes=${start}-${end}` });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes ${start}-${end}/${whole.length}`);
    expect(Buffer.from(await r.arrayBuffer()).equals(whole.subarray(start, end + 1))).toBe(true);
    const tail = await lee.client.raw(url, { Range: "bytes=-100" });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 100))).toBe(true);
    await expect(lee.client.raw(url, { Range: `bytes=${whole.length}-` })).rejects.toMatchObject({ status: 416 });
  });

  it("destruction deletes the object from the bucket", async () => {
    const keys = (await caseForSharing(portal, reportId, leeId, lee.client.keyPair!)).keys;
    await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
    const id = newRecordId();
    await lee.client.caseOp(reportId, "status", {
      to: "closed",
      outcome: "substantiated",
      summary: { id, body: toBase64Url(encryptMessage(keys.reportKey, reportId, id, { author: "investigator", kind: "message", text: "closed" })) },
    });
    const [row] = await portal.services.db.select({ d: reports.receivedOn }).from(reports).where(eq(reports.id, reportId));
    await portal.cli("retention:run", "--now", `${addDays(addMonths(row!.d, 36), 2)}T12:00:00+09:00`);
    expect(await portal.services.db.select().from(reports).where(eq(reports.id, reportId))).toEqual([]);
    expect(await objects()).toEqual([]);
    await expect(bucket.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `portal/${blobKey}` }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("has no disk reserve to check, and the upload cleanup removes a stray object found by listing", async () => {
    expect(await portal.services.blobs.space()).toBeNull();
    expect(await checkStorage(portal.services)).toEqual({ low: false });
    // A blob no row names, as a crash between writing and recording leaves.
    const stray = `upload-${randomUUID()}`;
    await portal.services.blobs.writeAt(stray, 0, Readable.from([Buffer.alloc(1000, 7)]), 4096, 1000);
    await portal.services.blobs.complete(stray);
    expect(await objects()).toContain(`portal/${stray}`);
    portal.setNow(new Date(Date.now() + 3 * 24 * 3600_000));
    try {
      expect((await cleanupUploads(portal.services)).orphanBlobs).toBe(1);
    } finally {
      portal.setNow(null);
    }
    expect(await objects()).not.toContain(`portal/${stray}`);
  });

  it("does not start when the bucket cannot be listed", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-s3-nostart-"));
    try {
      await expect(
        startPortal({
          env: {
            ...TEST_PORTAL_ENV,
            DATA_DIR: dataDir,
            LOG_LEVEL: "silent",
            ...s3.env("x"),
            BLOB_STORE_URL: "s3://no-such-bucket/x",
          },
        }),
      ).rejects.toThrow(/cannot list s3:\/\/no-such-bucket\/x\/ at http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\)/);
      expect(existsSync(path.join(dataDir, "pgdata"))).toBe(false); // nothing opened
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a part after one shorter than S3's 5 MiB minimum (400 part_too_small), and an abandoned upload leaves nothing", async () => {
    const opened = await fetch(`${portal.url}/api/intake/uploads`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "upload")) },
      body: JSON.stringify({ reportId: randomUUID(), ciphertextBytes: 5000 }),
    });
    expect(opened.status).toBe(201);
    const { uploadId, token } = (await opened.json()) as { uploadId: string; token: string };
    const put = (index: number) =>
      fetch(`${portal.url}/api/intake/uploads/${uploadId}/parts/${index}`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "X-Upload-Token": token },
        body: new Uint8Array(1000).fill(index + 1),
      });
    expect((await put(0)).status).toBe(200);
    const refused = await put(1);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("part_too_small");
    expect((await objects()).filter((k) => k.startsWith("portal/_uploading/"))).toHaveLength(1);
    const gone = await fetch(`${portal.url}/api/intake/uploads/${uploadId}`, { method: "DELETE", headers: { "X-Upload-Token": token } });
    expect(gone.status).toBe(204);
    expect((await objects()).filter((k) => k.startsWith("portal/_uploading/"))).toEqual([]);
  });
});
