// Spools (CRYPTO.md §5.4): a file of unknown length encrypted as it arrives, read back once by the
// encryptor's own reader, in any slicing; nobody else can read it, and a changed byte is caught.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError, loadSodium, SpoolEncryptor, STREAM_CHUNK_BYTES } from "../../crypto";

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

function spool(plain: Uint8Array, pieces: number[]): { enc: SpoolEncryptor; ciphertext: Uint8Array } {
  const enc = new SpoolEncryptor();
  const parts: Uint8Array[] = [enc.header];
  let at = 0;
  for (let i = 0; at < plain.length; i++) {
    const n = pieces[i % pieces.length]!;
    parts.push(enc.push(plain.subarray(at, at + n)));
    at += n;
  }
  parts.push(enc.finish());
  return { enc, ciphertext: Buffer.concat(parts) };
}

function readBack(enc: SpoolEncryptor, ciphertext: Uint8Array, slice: number): Uint8Array {
  const reader = enc.reader();
  const out: Uint8Array[] = [];
  for (let at = 0; at < ciphertext.length; at += slice) out.push(...reader.push(ciphertext.subarray(at, at + slice)));
  out.push(...reader.finish());
  return Buffer.concat(out);
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("spools", () => {
  beforeAll(loadSodium);

  it("reads back every size, whatever the pieces written and read", () => {
    for (const size of [0, 1, STREAM_CHUNK_BYTES - 1, STREAM_CHUNK_BYTES, STREAM_CHUNK_BYTES + 1, 3 * STREAM_CHUNK_BYTES, 200_000]) {
      const plain = bytes(size);
      for (const pieces of [[1000], [STREAM_CHUNK_BYTES], [7, 70_000, 13]]) {
        const { enc, ciphertext } = spool(plain, pieces);
        expect(enc.size).toBe(size);
        // The chunks are those of stream-v1: 25 bytes of header, 17 per chunk, a final chunk (empty after full ones).
        expect(ciphertext.length).toBe(25 + size + 17 * (Math.floor(size / STREAM_CHUNK_BYTES) + 1));
        for (const slice of [1 << 20, 4096, 65_553]) expect(sha(readBack(enc, ciphertext, slice)), `${size} ${pieces} ${slice}`).toBe(sha(plain));
      }
    }
  });

  it("is readable only by the encryptor that wrote it, once finished, and not after it is disposed", () => {
    const plain = bytes(100_000);
    const { enc, ciphertext } = spool(plain, [4096]);
    const other = spool(bytes(10), [10]).enc;
    expect(() => readBack(other, ciphertext, 4096)).toThrow(CryptoError);
    const unfinished = new SpoolEncryptor();
    expect(() => unfinished.reader()).toThrow(/after it is finished/);
    const tampered = Uint8Array.from(ciphertext);
    tampered[30_000]! ^= 1;
    expect(() => readBack(enc, tampered, 4096)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
    expect(() => readBack(enc, ciphertext.subarray(0, ciphertext.length - 1), 4096)).toThrow(CryptoError);
    enc.dispose();
    expect(() => readBack(enc, ciphertext, 4096)).toThrow(CryptoError);
    expect(() => enc.push(plain)).toThrow(/finished/);
  });

  it("makes a new key for every spool", () => {
    const plain = bytes(1000);
    expect(Buffer.from(spool(plain, [1000]).ciphertext).equals(Buffer.from(spool(plain, [1000]).ciphertext))).toBe(false);
  });
});
