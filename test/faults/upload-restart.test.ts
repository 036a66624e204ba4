// Fault: the server process is killed (SIGKILL) in the middle of an attachment
// upload and started again on the same port and data directory. The reporter's
// client (the real intake client, with the keys and upload token it holds in
// memory, as the open browser page would) resumes and finishes; the report
// decrypts exactly; after the upload cleanup (clock moved past the TTL) no
// half-written report, no unclaimed upload and no stray blob remains.
import { randomBytes, randomUUID } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../cli/commands";
import { STREAM_V2_PREFIX_BYTES, streamCiphertextSize } from "../../crypto";
import { LIMITS, MAX_PART_BYTES, UPLOAD_TOKEN_HEADER } from "../../app/intake/limits";
import type { CreateUploadResponse } from "../../app/intake/wire";
import { fetchIntakeInfo, submitEncryptedReport, type Progress, type ReportDraft } from "../../app/reporter/intake-client";
import { lockFile } from "../../app/.server/platform/data-lock";
import { backends, freshPostgresDatabase, type Backend } from "../support/backends";
import { auditStore, blobFiles, createInvestigator, freePort, spawnPortal, withServices, type ChildPortal } from "../support/child-portal";
import { memoryFile, patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import { PASSWORD } from "../support/staff";
import { withSolvedPow } from "../support/pow";
import { waitFor } from "../support/wait";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const MiB = 1024 * 1024;
const PART = LIMITS.partPlainBytes;
const STREAM_ABYTES = 17;
/** Ciphertext bytes of a full part (part 0 also carries the 50-byte stream-v2 header and length chunk). */
const PART_CT = PART + (PART / 65536) * STREAM_ABYTES;
const RETRY_DELAYS = [250, 500, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000];

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const backendList = await backends();

describe.each(backendList)("server killed mid-upload on %s", (backend: Backend) => {
  let dataDir: string;
  let pg: { url: string; drop(): Promise<void> } | null = null;
  let env: Record<string, string | undefined>;
  let port: number;
  let portal: ChildPortal | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-fault-upload-"));
    pg = backend === "postgres" ? await freshPostgresDatabase() : null;
    port = await freePort();
    env = { DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: pg?.url };
    await withServices(env, async (s) => {
      await createInvestigator(s, dataDir, "inv1@okestro.example", "Investigator One");
      await createInvestigator(s, dataDir, "inv2@okestro.example", "Investigator Two");
    });
  });
  afterAll(async () => {
    await portal?.kill();
    await pg?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("resumes and finishes the upload after a SIGKILL and restart; cleanup leaves only whole reports", async () => {
    const t0 = Date.now();
    portal = await spawnPortal(env);
    const first = portal;
    const baseUrl = first.url;
    expect(baseUrl).toBe(`http://127.0.0.1:${port}`);
    const info = await fetchIntakeInfo({ baseUrl });
    expect(info.open).toBe(true);

    // Another reporter opened an upload, sent one part and left (the tab was closed): cleanup must remove it.
    const abandoned = (await (
      await fetch(`${baseUrl}/api/intake/uploads`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await withSolvedPow(baseUrl, "upload")) },
        body: JSON.stringify({ reportId: randomUUID(), ciphertextBytes: streamCiphertextSize(PART + 1000) }),
      })
    ).json()) as CreateUploadResponse;
    const abandonedPart = await fetch(`${baseUrl}/api/intake/uploads/${abandoned.uploadId}/parts/0`, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream", [UPLOAD_TOKEN_HEADER]: abandoned.token },
      body: randomBytes(MAX_PART_BYTES),
    });
    expect(abandonedPart.status).toBe(200);

    // Four parts: three full ones and a short last one.
    const bytes = patternedBytes(3 * PART + 1_000_003, "upload-restart");
    const total = streamCiphertextSize(bytes.length);
    const draft: ReportDraft = {
      categoryId: info.categories[0]!.id,
      title: "서버 재시작 중 업로드 / upload across a restart",
      body: { description: "The server died while my file was uploading.", details: "세부 사항", periodFrom: "2026-02-01", periodTo: "2026-02-28" },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
    };

    // The browser's network: part 2 is sent halfway, then the server dies under it.
    const partAttempts = new Map<number, number>();
    const statuses: string[] = [];
    const halfSent = deferred<{ uploadId: string }>();
    const cut: { stream?: (e: Error) => void } = {};
    const network: typeof fetch = async (input, init) => {
      const url = String(input);
      const m = /\/api\/intake\/uploads\/([0-9a-f-]{36})\/parts\/(\d+)$/.exec(url);
      if (m && init?.method === "PUT") {
        const n = Number(m[2]);
        partAttempts.set(n, (partAttempts.get(n) ?? 0) + 1);
        if (n === 2 && partAttempts.get(n) === 1) {
          const body = init.body as Uint8Array;
          const half = body.length >> 1;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              for (let at = 0; at < half; at += 256 * 1024) controller.enqueue(body.slice(at, Math.min(half, at + 256 * 1024)));
              cut.stream = (e) => controller.error(e);
              halfSent.resolve({ uploadId: m[1]! });
            },
          });
          const r = await fetch(input, { ...init, body: stream, duplex: "half" } as RequestInit);
          statuses.push(`${init.method} ${url.replace(baseUrl, "")} ${r.status}`);
          return r;
        }
      }
      try {
        const r = await fetch(input, init);
        statuses.push(`${init?.method ?? "GET"} ${url.replace(baseUrl, "")} ${r.status}`);
        return r;
      } catch (error) {
        statuses.push(`${init?.method ?? "GET"} ${url.replace(baseUrl, "")} network`);
        throw error;
      }
    };

    const progress: Progress[] = [];
    const submission = submitEncryptedReport(draft, [memoryFile("증거 evidence.bin", "application/octet-stream", bytes)], info, {
      baseUrl,
      fetch: network,
      retryDelaysMs: RETRY_DELAYS,
      onProgress: (p) => progress.push(p),
    });
    submission.catch(() => {}); // awaited below

    // Parts 0 and 1 were acknowledged; part 2 is half written to the blob when the server is killed.
    const { uploadId } = await Promise.race([halfSent.promise, submission.then(() => Promise.reject(new Error("finished before the fault")))]);
    const blob = path.join(dataDir, "blobs", `upload-${uploadId}`.slice(-2), `upload-${uploadId}`);
    const acknowledged = PART_CT + STREAM_V2_PREFIX_BYTES + PART_CT;
    await waitFor("part 2 to be partly written", async () => ((await stat(blob).catch(() => null))?.size ?? 0) > acknowledged + MiB);
    expect(progress.filter((p) => p.phase === "uploading").map((p) => (p as { sentBytes: number }).sentBytes)).toContain(acknowledged);
    await first.kill();
    const killedAt = Date.now();
    cut.stream?.(new Error("the connection broke"));
    expect((await stat(blob)).size).toBeGreaterThan(acknowledged); // a torn part lies beyond the acknowledged bytes
    if (backend === "pglite") {
      // The dead process's lock is still there: the next start must replace it, not refuse.
      expect(Number((await readFile(lockFile(dataDir), "utf8")).trim())).toBe(first.pid);
    }

    // The reporter's page keeps retrying while the server is down; then it comes back on the same port.
    await waitFor("a failed retry while the server is down", async () => statuses.some((s) => s.endsWith("network")));
    await new Promise((r) => setTimeout(r, 300));
    portal = await spawnPortal(env);
    expect(portal.pid).not.toBe(first.pid);
    expect(portal.url).toBe(baseUrl);
    const restartedAfterMs = Date.now() - killedAt;

    const receipt = await submission;
    const doneAt = Date.now();
    expect(receipt.caseNumber).toMatch(/^COR-/);
    expect(partAttempts.get(2)).toBeGreaterThanOrEqual(2); // part 2 was sent again
    expect(partAttempts.get(0)).toBe(1); // acknowledged parts were not
    expect(partAttempts.get(1)).toBe(1);
    expect(partAttempts.get(3)).toBe(1);
    expect(progress.some((p) => p.phase === "retrying")).toBe(true);

    // A part the server already has, sent again in full (what a resuming client does when the answer was
    // lost in the crash), is refused before its body is read: the refusal must reach the client at once,
    // and the connection must go on serving (not stall until the keep-alive timeout and reset).
    // (Sizes as of a file's last part, which the connection's buffers take whole, and of a full part.)
    for (const size of [2_000_000, 3_000_000, 2_000_000, MAX_PART_BYTES]) {
      const sentAt = Date.now();
      const again = await fetch(`${baseUrl}/api/intake/uploads/${abandoned.uploadId}/parts/0`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", [UPLOAD_TOKEN_HEADER]: abandoned.token },
        body: randomBytes(size),
      });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe("wrong_part");
      expect(Date.now() - sentAt).toBeLessThan(3000);
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    }
    await portal.stop();
    portal = null;

    // The investigator reads exactly what was sent.
    await withServices(env, async (s) => {
      const got = await decryptReportAsInvestigator(s, receipt.reportId, "inv1@okestro.example", PASSWORD);
      expect(got.title).toBe(draft.title);
      expect(got.body).toEqual(draft.body);
      expect(got.files).toHaveLength(1);
      expect(got.files[0]!.size).toBe(bytes.length);
      expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);

      // Before cleanup: the report's attachment and the abandoned upload, nothing else.
      const before = await auditStore(s);
      expect(before).toMatchObject({ reports: 1, reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [], uploads: 1 });
    });

    // The cleanup, a day and an hour later.
    const later = () => new Date(Date.now() + 25 * 3600_000);
    const out = await withServices(env, (s) => commands["uploads:cleanup"]!(s, []), later);
    expect(out).toBe("Removed 1 unclaimed upload(s) and 0 stray blob(s).");
    await withServices(env, async (s) => {
      const after = await auditStore(s);
      expect(after).toEqual({ reports: 1, reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [], uploads: 0 });
      const files = await blobFiles(s.config.paths.blobs);
      expect([...files.keys()]).toEqual([path.join(`upload-${uploadId}`.slice(-2), `upload-${uploadId}`)]);
      expect(files.get(path.join(`upload-${uploadId}`.slice(-2), `upload-${uploadId}`))).toBe(total);
    });
    console.info(
      `[faults] upload-restart on ${backend}: restarted ${restartedAfterMs} ms after the kill, upload finished ${doneAt - killedAt} ms after it, whole test ${Date.now() - t0} ms; ` +
        `requests: ${statuses.join(", ")}`,
    );
  });
});
