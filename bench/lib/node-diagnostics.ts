// Diagnostics outside the browser, to tell apart where end-to-end time goes:
// the server's upload endpoint fed ready-made bytes from Node, the same
// intake-client code running in Node, and the disk's own write+fsync rate.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { open, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fetchIntakeInfo, submitEncryptedReport, type IntakeOptions, type SourceFile } from "../../app/reporter/intake-client";
import { streamCiphertextSize, streamPaddedBytes } from "../../crypto/attachment-stream";
import type { CreateUploadResponse } from "../../app/intake/wire";
import { powHeaders } from "../../app/shared/pow-client";
import { apiFor } from "../../app/shared/transport";
import { LIMITS } from "../../app/intake/limits";
import type { Rate } from "./browser-bench";
import { startCpuAccounting } from "./cpu";
import { partCipherBytes } from "./intake-e2e";
import { ROOT } from "./portal";

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

function request(url: string, method: string, headers: Record<string, string>, body?: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body ? { "Content-Length": String(body.length) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body ? Buffer.from(body.buffer, body.byteOffset, body.length) : undefined);
  });
}

export interface IngestResult extends Rate {
  parts: number;
  meanPartMs: number;
}

/**
 * Creates a real upload and PUTs ready-made ciphertext-sized parts to it one
 * after the other, as the browser does, then deletes it: the server side of
 * an upload (Remix request body, blob store, fsync, database) with no
 * encryption and no browser.
 */
export async function nodeIngest(portalUrl: string, plainBytes: number): Promise<IngestResult> {
  const total = streamCiphertextSize(plainBytes);
  // Creating an upload takes a solved proof of work (ADR 032), solved before the clock starts.
  const pow = await powHeaders(apiFor({ baseUrl: portalUrl }), "upload");
  const created = await request(
    `${portalUrl}/api/intake/uploads`,
    "POST",
    { "Content-Type": "application/json", ...pow },
    Buffer.from(JSON.stringify({ reportId: randomUUID(), ciphertextBytes: total })),
  );
  if (created.status !== 201) throw new Error(`create upload: ${created.status} ${created.text}`);
  const up = JSON.parse(created.text) as CreateUploadResponse;
  const auth = { "X-Upload-Token": up.token };
  const sent = await putParts(plainBytes, up.partPlainBytes, (n) => `${portalUrl}/api/intake/uploads/${up.uploadId}/parts/${n}`, auth);
  const done = await request(`${portalUrl}/api/intake/uploads/${up.uploadId}/complete`, "POST", auth);
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.text}`);
  await request(`${portalUrl}/api/intake/uploads/${up.uploadId}`, "DELETE", auth);
  return sent;
}

/** PUTs the parts of a `plainBytes` file's ciphertext, one after the other, to `urlOf(n)`. */
async function putParts(plainBytes: number, partPlain: number, urlOf: (n: number) => string, headers: Record<string, string>): Promise<IngestResult> {
  const body = randomBytes(partCipherBytes(0, plainBytes, partPlain));
  const parts = Math.max(1, Math.ceil(streamPaddedBytes(plainBytes) / partPlain));
  let sent = 0;
  const t0 = performance.now();
  for (let n = 0; n < parts; n++) {
    const size = partCipherBytes(n, plainBytes, partPlain);
    const r = await request(urlOf(n), "PUT", { ...headers, "Content-Type": "application/octet-stream" }, body.subarray(0, size));
    if (r.status !== 200) throw new Error(`part ${n}: ${r.status} ${r.text}`);
    sent += size;
  }
  const ms = performance.now() - t0;
  return { bytes: sent, ms, MBps: mbps(sent, ms), parts, meanPartMs: ms / parts };
}

/**
 * The same PUTs to bench/lib/plain-upload-server.ts (plain node:http piped to
 * a file with an fsync per part) in a process of its own, with its CPU time:
 * what the upload path costs without Express, Remix and web streams.
 */
export async function plainIngest(dir: string, plainBytes: number, cores: number): Promise<IngestResult & { serverCpuMsPerMB: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/lib/plain-upload-server.ts"), path.join(dir, "plain-upload.bin")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c) => {
        out += c;
        const m = /(http:\/\/\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`plain upload server exited ${code}`)));
    });
    const acct = startCpuAccounting([{ group: "plain", pid: child.pid! }], cores);
    const r = await putParts(plainBytes, LIMITS.partPlainBytes, (n) => `${url}/part/${n}`, {});
    const cpu = acct.stop();
    const serverMs = cpu.byProcess.find((p) => p.group === "plain")?.cpuMs ?? 0;
    return { ...r, serverCpuMsPerMB: serverMs / (r.bytes / 1e6) };
  } finally {
    child.kill("SIGTERM");
    await rm(path.join(dir, "plain-upload.bin"), { force: true });
  }
}

/** The reporter's intake-client code run in Node against the same server, file read from disk; `options` adds e.g. a fetch wrapper. */
export async function nodeClientSubmit(
  portalUrl: string,
  filePath: string,
  plainBytes: number,
  options: IntakeOptions = {},
): Promise<Rate & { reportId: string; caseNumber: string }> {
  const handle = await open(filePath, "r");
  try {
    const file: SourceFile = {
      name: path.basename(filePath),
      type: "application/octet-stream",
      size: plainBytes,
      read: async (start, end) => {
        const buf = Buffer.allocUnsafe(end - start);
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await handle.read(buf, got, buf.length - got, start + got);
          if (bytesRead === 0) throw new Error("file ended early");
          got += bytesRead;
        }
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      },
    };
    const info = await fetchIntakeInfo({ ...options, baseUrl: portalUrl });
    const t0 = performance.now();
    const submitted = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "Benchmark report from Node",
        body: { description: "Node-side intake-client benchmark.", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
        locale: "en",
      },
      [file],
      info,
      { ...options, baseUrl: portalUrl },
    );
    const ms = performance.now() - t0;
    return { bytes: plainBytes, ms, MBps: mbps(plainBytes, ms), reportId: submitted.reportId, caseNumber: submitted.caseNumber };
  } finally {
    await handle.close();
  }
}

export interface DiskResult {
  writeOnly: Rate;
  writeFsyncPerPart: Rate;
  meanFsyncMs: number;
}

/** Writes `totalBytes` in `partBytes` pieces to `dir`, without and with an fsync after each piece. */
export async function diskFloor(dir: string, totalBytes: number, partBytes: number): Promise<DiskResult> {
  const buf = randomBytes(partBytes);
  const parts = Math.max(1, Math.ceil(totalBytes / partBytes));
  const runOnce = async (sync: boolean) => {
    const file = path.join(dir, `disk-floor-${sync ? "sync" : "nosync"}.bin`);
    const h = await open(file, "w");
    let fsyncMs = 0;
    const t0 = performance.now();
    try {
      for (let i = 0; i < parts; i++) {
        await h.write(buf, 0, buf.length, i * partBytes);
        if (sync) {
          const a = performance.now();
          await h.sync();
          fsyncMs += performance.now() - a;
        }
      }
    } finally {
      await h.close();
    }
    const ms = performance.now() - t0;
    await rm(file, { force: true });
    return { rate: { bytes: parts * partBytes, ms, MBps: mbps(parts * partBytes, ms) }, fsyncMs };
  };
  // Twice each, alternating, best of two: the first pass pays for whatever the page cache holds.
  const best = <T extends { rate: Rate }>(a: T, b: T) => (a.rate.MBps >= b.rate.MBps ? a : b);
  const plain1 = await runOnce(false);
  const synced1 = await runOnce(true);
  const plain = best(plain1, await runOnce(false));
  const synced = best(synced1, await runOnce(true));
  return { writeOnly: plain.rate, writeFsyncPerPart: synced.rate, meanFsyncMs: synced.fsyncMs / parts };
}
