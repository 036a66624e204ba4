// Runs inside Chromium on the throwaway bench page (bench/lib/static-server.ts),
// bundled by esbuild from the same sources and the same libsodium-wrappers build
// (the ESM "import" entry, as Vite resolves it) that the report page ships.
// Every function resolves to plain numbers; bench/lib/browser-bench.ts drives them.
import { AttachmentEncryptor, generateFileKey, STREAM_CHUNK_BYTES } from "../../crypto/attachment-stream";
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
  const e = new AttachmentEncryptor(generateFileKey(), { reportId: uuid(), attachmentId: uuid() });
  const part = randomBytes(partBytes);
  const parts = Math.max(1, Math.floor(totalBytes / partBytes));
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < parts; i++) {
    const c = e.push(part, i === parts - 1);
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
  const e = new AttachmentEncryptor(generateFileKey(), { reportId: uuid(), attachmentId: uuid() });
  let readMs = 0;
  let encryptMs = 0;
  let sink = 0;
  const t0 = performance.now();
  for (let s = 0; s < end; s += partBytes) {
    const a = performance.now();
    const plain = new Uint8Array(await file.slice(s, Math.min(end, s + partBytes)).arrayBuffer());
    const b = performance.now();
    const c = e.push(plain, s + partBytes >= end);
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

const api = { rawPush, wasmCorePush, encryptorPush, fileRead, readEncrypt, uploadSink };
export type BenchApi = typeof api;
(globalThis as unknown as { bench: BenchApi }).bench = api;
document.title = "bench ready";
