// Fault with two instances (issue 17): portal processes A and B on one
// PostgreSQL database and one S3 bucket (s3rver), each with a data directory of
// its own (two machines), behind a load balancer. A is killed (SIGKILL) while
// it streams part 2 of a four-part attachment into the bucket; the load
// balancer takes A out, and the reporter's page (the real intake client, with
// the keys and upload token it holds in memory) asks B which parts it has,
// sends the torn part again and the last one through B, and submits there. An
// investigator signed in at B downloads and decrypts the file byte for byte,
// and the bucket holds nothing but the blob the attachments table names: no
// unfinished multipart upload, no state object, no torn part.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentDecryptor, decryptFileMeta, decryptTitle, fromBase64Url, loadSodium, streamCiphertextSize, toBase64Url, unwrapFileKey } from "../../crypto";
import { LIMITS } from "../../app/intake/limits";
import { fetchIntakeInfo, submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import { decryptResponseToBlob } from "../../app/reporter/decrypt-download";
import { openCaseKeys } from "../../app/staff/decrypt";
import type { StaffCaseView } from "../../app/staff/wire";
import { freshPostgresDatabase, postgresAdminUrl } from "../support/backends";
import { createInvestigator, freePort, spawnPortal, withServices, type ChildPortal } from "../support/child-portal";
import { memoryFile, patternedBytes } from "../support/files";
import { startTestS3, type TestS3 } from "../support/s3-server";
import { PASSWORD } from "../support/staff";
import { firstSignIn } from "../support/staff-session";
import { waitFor } from "../support/wait";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const PART = LIMITS.partPlainBytes;
const PREFIX = "failover";
const RETRY_DELAYS = [250, 500, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000];
/** The origin the reporter's page was loaded from: the load balancer's, never an instance's own. */
const ORIGIN = "http://report.okestro.test";

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/**
 * A part sent as a browser sends it (Content-Length announced), of which only the first half goes out; the
 * request then waits for the server's answer, and fails as fetch fails once the server dies under it.
 */
function sendHalfOfPart(url: string, init: RequestInit, body: Uint8Array, onHalfWritten: () => void): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const request = http.request(url, { method: init.method, headers: { ...headers, "content-length": String(body.length) } });
    request.on("error", (cause) => reject(new TypeError("fetch failed", { cause })));
    request.on("response", (answer) => {
      answer.resume();
      reject(new Error(`the server answered a half-sent part (${answer.statusCode})`));
    });
    request.write(body.subarray(0, body.length >> 1), () => onHalfWritten());
  });
}

const admin = await postgresAdminUrl();

describe.skipIf(!admin)("instance killed mid-upload; the upload finishes through the other instance", () => {
  let s3: TestS3;
  let bucket: S3Client;
  let pg: { url: string; drop(): Promise<void> };
  const dirs: string[] = [];
  const portals: ChildPortal[] = [];
  let common: Record<string, string>;

  beforeAll(async () => {
    await loadSodium();
    s3 = await startTestS3();
    bucket = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true });
    pg = await freshPostgresDatabase();
    // One portal secret for both (ADR 027): a machine's DATA_DIR/portal-secret would differ between them.
    common = { DATABASE_URL: pg.url, PORTAL_SECRET: toBase64Url(randomBytes(32)), ...s3.env(PREFIX) };
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(path.join(os.tmpdir(), "cor-fault-failover-")));
    await withServices({ ...common, DATA_DIR: dirs[0] }, (s) => createInvestigator(s, dirs[0]!, "inv@okestro.example", "Investigator Kim"));
  });
  afterAll(async () => {
    for (const p of portals) await p.kill();
    await pg?.drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    bucket?.destroy();
    await s3?.stop();
  });

  it("resumes the upload at B after A dies mid-part; B serves the whole file and the bucket keeps only that blob", async () => {
    const t0 = Date.now();
    const a = await spawnPortal({ ...common, DATA_DIR: dirs[0], PORT: String(await freePort()) });
    portals.push(a);
    const b = await spawnPortal({ ...common, DATA_DIR: dirs[1], PORT: String(await freePort()) });
    portals.push(b);

    // The load balancer: each request to the first instance that is in service; the test takes A out of
    // service when it kills it, as a health check would.
    const instances = [
      { name: "A", url: a.url, inService: true },
      { name: "B", url: b.url, inService: true },
    ];
    const served: string[] = [];
    const partAttempts = new Map<number, number>();
    let halfWritten: (() => void) | null = null;
    const halfSent = new Promise<void>((resolve) => (halfWritten = resolve));
    const network: typeof fetch = async (input, init) => {
      const instance = instances.find((i) => i.inService)!;
      const url = String(input).replace(ORIGIN, instance.url);
      const what = `${instance.name} ${init?.method ?? "GET"} ${url.slice(instance.url.length)}`;
      const part = /\/api\/intake\/uploads\/[0-9a-f-]{36}\/parts\/(\d+)$/.exec(url);
      if (part) partAttempts.set(Number(part[1]), (partAttempts.get(Number(part[1])) ?? 0) + 1);
      try {
        const r =
          part && part[1] === "2" && partAttempts.get(2) === 1
            ? await sendHalfOfPart(url, init!, init!.body as Uint8Array, halfWritten!)
            : await fetch(url, init);
        // What B says of the upload when asked: which part it expects next.
        const said =
          /\/api\/intake\/uploads\/[0-9a-f-]{36}$/.test(url) && r.ok ? ` nextPart=${((await r.clone().json()) as { nextPart: number }).nextPart}` : "";
        served.push(`${what} ${r.status}${said}`);
        return r;
      } catch (error) {
        served.push(`${what} network`);
        throw error;
      }
    };

    const info = await fetchIntakeInfo({ baseUrl: ORIGIN, fetch: network });
    expect(info.open).toBe(true);
    // Four parts: three full ones (each above S3's 5 MiB minimum) and a short last one.
    const bytes = patternedBytes(3 * PART + 1_000_003, "instance-failover");
    const draft: ReportDraft = {
      categoryId: info.categories[0]!.id,
      title: "업로드 중 서버 장애 / a server died during my upload",
      body: { description: "One of the portal's servers died while my file was uploading.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
    };
    const submission = submitEncryptedReport(draft, [memoryFile("증거 evidence.bin", "application/octet-stream", bytes)], info, {
      baseUrl: ORIGIN,
      fetch: network,
      retryDelaysMs: RETRY_DELAYS,
    });
    submission.catch(() => {}); // awaited below
    await Promise.race([halfSent, submission.then(() => Promise.reject(new Error("finished before the fault")))]);

    // A is streaming part 2 (S3 part 3) into the bucket: parts 0 and 1 are acknowledged, in the database
    // and in the upload's state object, which both instances read.
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const [row] = await sql<{ id: string; blobKey: string; nextPart: number }[]>`select id, blob_key as "blobKey", next_part as "nextPart" from uploads`;
    await sql.end();
    expect(row!.nextPart).toBe(2);
    const partsDir = path.join(s3.directory, s3.bucket, "._S3rver_uploads");
    await waitFor("A to stream part 2 into the bucket", async () => {
      const [uploadDir] = await readdir(partsDir).catch(() => []);
      const file = uploadDir && path.join(partsDir, uploadDir, "3");
      return file && ((await stat(file).catch(() => null))?.size ?? 0) > 1024 * 1024 ? file : null;
    });
    const state = await bucket.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}/_uploading/${row!.blobKey}` }));
    expect((JSON.parse(await state.Body!.transformToString()) as { parts: unknown[] }).parts).toHaveLength(2);

    instances[0]!.inService = false;
    await a.kill();

    const receipt = await submission;
    expect(receipt.caseNumber).toMatch(/^COR-/);
    expect(partAttempts).toEqual(
      new Map([
        [0, 1],
        [1, 1],
        [2, 2],
        [3, 1],
      ]),
    ); // only the torn part was sent again
    const killedAt = served.findIndex((s) => s.endsWith("/parts/2 network"));
    expect(killedAt).toBeGreaterThan(0);
    const after = served.slice(killedAt + 1);
    // Asked which parts it has, B says part 2 comes next; everything after the kill went to B.
    expect(after[0]).toBe(`B GET /api/intake/uploads/${row!.id} 200 nextPart=2`);
    expect(after).toContain(`B PUT /api/intake/uploads/${row!.id}/parts/2 200`);
    expect(after).toContain(`B PUT /api/intake/uploads/${row!.id}/parts/3 200`);
    expect(after.filter((s) => s.startsWith("B POST /api/intake/reports")).at(-1)).toMatch(/ 20[01]$/);
    expect(after.every((s) => s.startsWith("B "))).toBe(true);

    // The investigator signs in at B and reads the report and the file as the case page does.
    const inv = await firstSignIn(b.url, "inv@okestro.example", PASSWORD);
    const view = await inv.client.get<StaffCaseView>(`/api/staff/cases/${receipt.reportId}/view`);
    const keys = openCaseKeys(view.envelope, view.id, inv.client.keyPair!)!;
    expect(decryptTitle(keys.reportKey, view.id, fromBase64Url(view.title))).toBe(draft.title);
    expect(view.attachments).toHaveLength(1);
    const file = view.attachments[0]!;
    expect(file.ciphertextBytes).toBe(streamCiphertextSize(bytes.length));
    const meta = decryptFileMeta(keys.reportKey, view.id, file.id, fromBase64Url(file.meta));
    expect(meta).toEqual({ name: "증거 evidence.bin", type: "application/octet-stream", size: bytes.length });
    const decryptor = new AttachmentDecryptor(unwrapFileKey(keys.reportKey, view.id, file.id, fromBase64Url(file.fileKey)), {
      reportId: view.id,
      attachmentId: file.id,
    });
    const response = await inv.client.raw(`/api/staff/cases/${view.id}/attachments/${file.id}`);
    const plain = await decryptResponseToBlob(response, decryptor, "application/octet-stream");
    expect(Buffer.from(await plain.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    // Nothing left behind: the bucket holds the attachment's blob and nothing else (no upload state
    // object), s3rver keeps no unfinished multipart upload (its parts, A's torn one among them), and no
    // upload row is left open.
    await b.stop();
    const listed = await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    const check = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const named = await check<{ blobKey: string }[]>`select blob_key as "blobKey" from attachments`;
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(named.map((n) => `${PREFIX}/${n.blobKey}`).sort());
      expect(await check`select id from uploads`).toHaveLength(0);
    } finally {
      await check.end();
    }
    expect(await filesUnder(partsDir).catch(() => [])).toEqual([]);
    console.info(`[faults] instance-killed-upload: whole test ${Date.now() - t0} ms; requests: ${served.join(", ")}`);
  });
});
