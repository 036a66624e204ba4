// Runs inside Chromium on the throwaway bench page (bench/lib/static-server.ts),
// bundled by esbuild from the same sources and the same libsodium-wrappers build
// (the ESM "import" entry, as Vite resolves it) that the report page ships.
// Every function resolves to plain numbers; bench/lib/browser-bench.ts drives them.
import { fromBrowserFile, submitEncryptedReport } from "../../app/reporter/intake-client";
import type { IntakeInfo } from "../../app/intake/wire";
import { AttachmentEncryptor, generateFileKey, STREAM_CHUNK_BYTES } from "../../crypto/attachment-stream";
import { fromBase64Url, toBase64Url } from "../../crypto/encoding";
import { generateStaffKeyPair } from "../../crypto/envelope";
import { decryptTitle, openEnvelope } from "../../crypto/report";
import type { StaffKeyPair } from "../../crypto/types";
import { loadSodium } from "../../crypto/sodium";

const CHUNK = STREAM_CHUNK_BYTES;

export interface Timed {
  bytes: number;
  ms: number;
}

function uuid(): string {
  return crypto.randomUUID();
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** libsodium-wrappers' secretstream push, 64 KiB at a time, no associated data: the floor. */
async function rawPush(totalBytes: number): Promise<Timed> {
  const sodium = await loadSodium();
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { state } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const chunk = randomBytes(CHUNK);
  const tag = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const n = Math.max(1, Math.floor(totalBytes / CHUNK));
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c = sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, null, tag);
    sink ^= c[0]!;
  }
  const ms = performance.now() - t0;
  (globalThis as { __sink?: number }).__sink = sink;
  return { bytes: n * CHUNK, ms };
}

/**
 * The same C function called straight on the WebAssembly heap with buffers
 * allocated once: what is left without the wrapper's per-call malloc, copy in,
 * copy out and free. Informational only.
 */
async function wasmCorePush(totalBytes: number): Promise<Timed> {
  const sodium = await loadSodium();
  const lib = (sodium as unknown as { libsodium: WasmLib }).libsodium;
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { state } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key) as unknown as { state: number };
  const inPtr = lib._malloc(CHUNK);
  const outPtr = lib._malloc(CHUNK + 17);
  lib.HEAPU8.set(randomBytes(CHUNK), inPtr);
  const tag = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const n = Math.max(1, Math.floor(totalBytes / CHUNK));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (lib._crypto_secretstream_xchacha20poly1305_push(state, outPtr, 0, inPtr, CHUNK, 0, 0, 0, 0, tag) !== 0) {
      throw new Error("push failed");
    }
  }
  const ms = performance.now() - t0;
  lib._free(inPtr);
  lib._free(outPtr);
  return { bytes: n * CHUNK, ms };
}

interface WasmLib {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _crypto_secretstream_xchacha20poly1305_push(...args: number[]): number;
}

/** Our AttachmentEncryptor fed whole upload parts, as intake-client does. */
async function encryptorPush(totalBytes: number, partBytes: number): Promise<Timed> {
  await loadSodium();
  const part = randomBytes(partBytes);
  const parts = Math.max(1, Math.floor(totalBytes / partBytes));
  const e = new AttachmentEncryptor(generateFileKey(), { reportId: uuid(), attachmentId: uuid() }, parts * partBytes);
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < parts; i++) {
    // The last push also encrypts the Padmé padding (stream-v2), as intake-client's last parts do.
    const final = i === parts - 1;
    const c = e.push(part, final, final ? e.paddedBytes - i * partBytes : partBytes);
    sink ^= c[0]!;
  }
  const ms = performance.now() - t0;
  (globalThis as { __sink?: number }).__sink = sink;
  return { bytes: parts * partBytes, ms };
}

function pickedFile(): File {
  const input = document.getElementById("file") as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) throw new Error("no file chosen on the bench page");
  return file;
}

/** Reads the chosen file front to back with Blob.slice().arrayBuffer(), as fromBrowserFile does. */
async function fileRead(totalBytes: number, partBytes: number): Promise<Timed> {
  const file = pickedFile();
  const end = Math.min(file.size, totalBytes);
  let sink = 0;
  const t0 = performance.now();
  for (let s = 0; s < end; s += partBytes) {
    const b = new Uint8Array(await file.slice(s, Math.min(end, s + partBytes)).arrayBuffer());
    sink ^= b[0]!;
  }
  const ms = performance.now() - t0;
  (globalThis as { __sink?: number }).__sink = sink;
  return { bytes: end, ms };
}

/** Read then encrypt each part, one after the other: intake-client's work minus the upload. */
async function readEncrypt(totalBytes: number, partBytes: number): Promise<Timed & { readMs: number; encryptMs: number }> {
  await loadSodium();
  const file = pickedFile();
  const end = Math.min(file.size, totalBytes);
  const e = new AttachmentEncryptor(generateFileKey(), { reportId: uuid(), attachmentId: uuid() }, end);
  let readMs = 0;
  let encryptMs = 0;
  let sink = 0;
  const t0 = performance.now();
  for (let s = 0; s < end; s += partBytes) {
    const a = performance.now();
    const plain = new Uint8Array(await file.slice(s, Math.min(end, s + partBytes)).arrayBuffer());
    const b = performance.now();
    const final = s + partBytes >= end;
    const c = e.push(plain, final, final ? e.paddedBytes - s : plain.length);
    readMs += b - a;
    encryptMs += performance.now() - b;
    sink ^= c[0]!;
  }
  const ms = performance.now() - t0;
  (globalThis as { __sink?: number }).__sink = sink;
  return { bytes: end, ms, readMs, encryptMs };
}

/** Sequential PUTs of ready-made part-sized bodies to a sink that discards them. */
async function uploadSink(url: string, totalBytes: number, partBytes: number): Promise<Timed> {
  const body = randomBytes(partBytes);
  const parts = Math.max(1, Math.floor(totalBytes / partBytes));
  const t0 = performance.now();
  for (let i = 0; i < parts; i++) {
    const r = await fetch(`${url}?part=${i}`, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: body as unknown as BodyInit,
      cache: "no-store",
    });
    if (!r.ok) throw new Error(`sink answered ${r.status}`);
    await r.arrayBuffer();
  }
  return { bytes: parts * partBytes, ms: performance.now() - t0 };
}

/**
 * The app's own intake-client (submitEncryptedReport with the chosen file)
 * against a stand-in for the intake API: every part's PUT really goes over the
 * network, to the discarding sink; the small JSON calls are answered in the
 * page. What the browser side of the app can do with no server behind it.
 */
async function intakeClientToSink(totalBytes: number, sinkUrl: string): Promise<Timed> {
  await loadSodium();
  const picked = pickedFile();
  const file = totalBytes < picked.size ? new File([picked.slice(0, totalBytes)], picked.name, { type: picked.type }) : picked;
  const uploadId = uuid();
  let received = 0;
  let expected = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const standIn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input), location.origin).pathname;
    const method = init?.method ?? "GET";
    const part = /\/parts\/(\d+)$/.exec(path);
    // Proofs of work (ADR 032) are not what this measures: a stand-in challenge, "solved" at once (solvePow below).
    if (method === "GET" && path === "/api/pow/challenge") return json(200, { challenge: { parameters: {}, signature: "bench" }, level: 0 });
    if (method === "POST" && path === "/api/intake/uploads") {
      expected = (JSON.parse(String(init?.body)) as { ciphertextBytes: number }).ciphertextBytes;
      return json(201, { uploadId, token: "A".repeat(43), partPlainBytes: 8 * 1024 * 1024 });
    }
    if (method === "PUT" && part) {
      const r = await fetch(`${sinkUrl}?part=${part[1]}`, { method: "PUT", headers: init?.headers, body: init?.body, cache: "no-store", credentials: "omit" });
      const { bytes } = (await r.json()) as { bytes: number };
      received += bytes;
      return json(200, { uploadId, state: "open", receivedBytes: received, nextPart: Number(part[1]) + 1, expectedBytes: expected });
    }
    if (method === "POST" && path.endsWith("/complete")) {
      return json(200, { uploadId, state: "complete", receivedBytes: received, nextPart: 0, expectedBytes: expected });
    }
    if (method === "POST" && path === "/api/intake/reports") return json(201, { caseNumber: "COR-BNCH-0001", ackDueOn: "2026-11-29" });
    return json(404, { error: { code: "not_found", message: path } });
  };
  const info: IntakeInfo = {
    open: true,
    emailNotifications: false,
    categories: [{ id: uuid(), slug: "bench", nameKo: "bench", nameEn: "bench" }],
    investigators: [{ id: uuid(), displayName: "Bench", publicKey: toBase64Url(generateStaffKeyPair().publicKey) }],
    maxAttachmentBytes: 64 * 1024 ** 3,
    maxAttachments: 20,
  };
  const t0 = performance.now();
  await submitEncryptedReport(
    {
      categoryId: info.categories[0]!.id,
      title: "bench",
      body: { description: "bench", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
    },
    [fromBrowserFile(file)],
    info,
    { fetch: standIn as typeof fetch, retryDelaysMs: [], solvePow: async () => ({ counter: 0, derivedKey: "" }) },
  );
  const ms = performance.now() - t0;
  if (received !== expected) throw new Error(`sink got ${received} of ${expected} bytes`);
  return { bytes: file.size, ms };
}

/**
 * A what-if for comparison: the same pipeline as intake-client (the next part
 * is read and encrypted while the current one uploads), but the encryption
 * runs in a dedicated worker, so the page's main thread only reads and sends.
 */
async function workerPipelineToSink(totalBytes: number, partBytes: number, sinkUrl: string): Promise<Timed> {
  const file = pickedFile();
  const size = Math.min(file.size, totalBytes);
  const parts = Math.max(1, Math.ceil(size / partBytes));
  const worker = new Worker(new URL(import.meta.url), { type: "module" });
  const pending = new Map<number, (c: Uint8Array) => void>();
  worker.onmessage = (ev: MessageEvent<{ n: number; cipher: ArrayBuffer }>) => {
    pending.get(ev.data.n)?.(new Uint8Array(ev.data.cipher));
    pending.delete(ev.data.n);
  };
  const ask = (n: number, message: unknown, transfer: Transferable[] = []) =>
    new Promise<Uint8Array>((resolve) => {
      pending.set(n, resolve);
      worker.postMessage(message, transfer);
    });
  try {
    await ask(-1, { init: { reportId: uuid(), attachmentId: uuid(), size } });
    const encryptPart = async (n: number) => {
      const plain = await file.slice(n * partBytes, Math.min(size, (n + 1) * partBytes)).arrayBuffer();
      return ask(n, { n, plain, final: n === parts - 1, start: n * partBytes }, [plain]);
    };
    const t0 = performance.now();
    let next = encryptPart(0);
    for (let n = 0; n < parts; n++) {
      const bytes = await next;
      if (n + 1 < parts) next = encryptPart(n + 1);
      const r = await fetch(`${sinkUrl}?part=${n}`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream" },
        body: bytes as unknown as BodyInit,
        cache: "no-store",
      });
      await r.arrayBuffer();
    }
    return { bytes: size, ms: performance.now() - t0 };
  } finally {
    worker.terminate();
  }
}

/** The worker side of workerPipelineToSink: this same bundle, loaded as a module worker. */
function serveAsEncryptionWorker(): void {
  let encryptor: AttachmentEncryptor | null = null;
  const post = (m: unknown, t: Transferable[] = []) => (self as unknown as Worker).postMessage(m, t);
  self.onmessage = async (ev: MessageEvent) => {
    const d = ev.data as { init?: { reportId: string; attachmentId: string; size: number }; n?: number; plain?: ArrayBuffer; final?: boolean; start?: number };
    if (d.init) {
      await loadSodium();
      encryptor = new AttachmentEncryptor(generateFileKey(), d.init, d.init.size);
      post({ n: -1, cipher: new ArrayBuffer(0) });
      return;
    }
    const plain = new Uint8Array(d.plain!);
    const body = encryptor!.push(plain, d.final!, d.final ? encryptor!.paddedBytes - d.start! : plain.length);
    let out: Uint8Array = body;
    if (d.n === 0) {
      out = new Uint8Array(encryptor!.header.length + body.length);
      out.set(encryptor!.header);
      out.set(body, encryptor!.header.length);
    }
    post({ n: d.n, cipher: out.buffer }, [out.buffer as ArrayBuffer]);
  };
}

/**
 * The inbox's decryption floor: the same envelopes and title ciphertexts the
 * inbox page opens, by the bare crypto calls, no React, no page. Median of
 * `repeats` passes after 30 warm-up passes (WebAssembly tiers up meanwhile:
 * the first passes take 4 to 6 times as long), in ms per pass.
 */
/** The median time of `repeats` passes over `rows` after `warmups` passes (the title search's floor passes 10,000 rows, so fewer). */
async function decryptTitles(
  publicKey: string,
  secretKey: string,
  rows: { id: string; envelope: string; title: string }[],
  repeats: number,
  warmups = 30,
): Promise<number> {
  await loadSodium();
  const keys = { publicKey: fromBase64Url(publicKey), secretKey: fromBase64Url(secretKey) } as unknown as StaffKeyPair;
  const pass = () => {
    let n = 0;
    for (const r of rows) n += decryptTitle(openEnvelope(fromBase64Url(r.envelope), r.id, keys).reportKey, r.id, fromBase64Url(r.title)).length;
    return n;
  };
  for (let i = 0; i < warmups; i++) pass();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    (globalThis as { __sink?: number }).__sink = pass();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const api = { decryptTitles, rawPush, wasmCorePush, encryptorPush, fileRead, readEncrypt, uploadSink, intakeClientToSink, workerPipelineToSink };
export type BenchApi = typeof api;

if (typeof document === "undefined") {
  serveAsEncryptionWorker();
} else {
  (globalThis as unknown as { bench: BenchApi }).bench = api;
  document.title = "bench ready";
}
