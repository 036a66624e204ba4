// Diagnostics outside the browser, to tell apart where end-to-end time goes:
// the server's upload endpoint fed ready-made bytes from Node, the same
// intake-client code running in Node, and the disk's own write+fsync rate.
import { randomBytes, randomUUID } from "node:crypto";
import { open, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fetchIntakeInfo, submitEncryptedReport, type SourceFile } from "../../app/reporter/intake-client";
import { streamCiphertextSize } from "../../crypto/attachment-stream";
import type { CreateUploadResponse } from "../../app/intake/wire";
import { partCipherBytes } from "./intake-e2e";
import type { Rate } from "./browser-bench";

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<{ status: number; text: string }> {
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
  const created = await request(`${portalUrl}/api/intake/uploads`, "POST", { "Content-Type": "application/json" }, Buffer.from(
    JSON.stringify({ reportId: randomUUID(), ciphertextBytes: total }),
  ));
  if (created.status !== 201) throw new Error(`create upload: ${created.status} ${created.text}`);
  const up = JSON.parse(created.text) as CreateUploadResponse;
  const auth = { "X-Upload-Token": up.token };
  const body = randomBytes(partCipherBytes(0, plainBytes, up.partPlainBytes));
  const parts = Math.max(1, Math.ceil(plainBytes / up.partPlainBytes));
  let sent = 0;
  const t0 = performance.now();
  for (let n = 0; n < parts; n++) {
    const size = partCipherBytes(n, plainBytes, up.partPlainBytes);
    const r = await request(
      `${portalUrl}/api/intake/uploads/${up.uploadId}/parts/${n}`,
      "PUT",
      { ...auth, "Content-Type": "application/octet-stream" },
      body.subarray(0, size),
    );
    if (r.status !== 200) throw new Error(`part ${n}: ${r.status} ${r.text}`);
    sent += size;
  }
  const ms = performance.now() - t0;
  const done = await request(`${portalUrl}/api/intake/uploads/${up.uploadId}/complete`, "POST", auth);
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.text}`);
  await request(`${portalUrl}/api/intake/uploads/${up.uploadId}`, "DELETE", auth);
  return { bytes: sent, ms, MBps: mbps(sent, ms), parts, meanPartMs: ms / parts };
}

/** The reporter's intake-client code run in Node against the same server, file read from disk. */
export async function nodeClientSubmit(portalUrl: string, filePath: string, plainBytes: number): Promise<Rate> {
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
    const info = await fetchIntakeInfo({ baseUrl: portalUrl });
    const t0 = performance.now();
    await submitEncryptedReport(
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
      { baseUrl: portalUrl },
    );
    const ms = performance.now() - t0;
    return { bytes: plainBytes, ms, MBps: mbps(plainBytes, ms) };
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
  const plain = await runOnce(false);
  const synced = await runOnce(true);
  return { writeOnly: plain.rate, writeFsyncPerPart: synced.rate, meanFsyncMs: synced.fsyncMs / parts };
}
