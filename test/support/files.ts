import { createHash } from "node:crypto";
import type { SourceFile } from "../../app/reporter/intake-client";

export function memoryFile(name: string, type: string, bytes: Uint8Array): SourceFile {
  return { name, type, size: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

/** Deterministic bytes with a marker string planted every 64 KiB. */
export function patternedBytes(size: number, marker: string): Uint8Array {
  const out = new Uint8Array(size);
  const seed = createHash("sha256").update(marker).digest();
  for (let i = 0; i < size; i++) out[i] = seed[i % 32]! ^ (i & 0xff);
  const m = Buffer.from(marker);
  for (let at = 0; at + m.length <= size; at += 65536) out.set(m, at);
  return out;
}
