// stream-v1: chunked attachment encryption with crypto_secretstream.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  STREAM_ABYTES,
  STREAM_CHUNK_BYTES,
  STREAM_HEADER_BYTES,
  STREAM_V1,
  decryptAttachment,
  encryptAttachment,
  generateFileKey,
  loadSodium,
  streamAssociatedData,
  streamChunkCount,
  streamCiphertextSize,
  type FileKey,
  type StreamBinding,
} from "../../crypto/index";
import type { Sodium } from "../../crypto/sodium";
import { patternBytes, seededRandom, sha256Hex } from "../vectors/common";
import { concat, expectCryptoError, flipByte, hex } from "./helpers";

const CHUNK = STREAM_CHUNK_BYTES;
const CIPHER_CHUNK = CHUNK + STREAM_ABYTES;
let sodium: Sodium;
let key: FileKey;
const binding: StreamBinding = {
  reportId: "7d9e1f20-3a4b-4c5d-8e6f-708192a3b4c5",
  attachmentId: "0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e",
};

/** Header, then each ciphertext chunk. */
function split(ct: Uint8Array): { header: Uint8Array; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  for (let o = STREAM_HEADER_BYTES; o < ct.length; o += CIPHER_CHUNK) chunks.push(ct.subarray(o, o + CIPHER_CHUNK));
  return { header: ct.subarray(0, STREAM_HEADER_BYTES), chunks };
}

/** A stream-v1 ciphertext built directly with libsodium, with the given chunk tags. */
function rawStream(pieces: [Uint8Array, number][], ad = streamAssociatedData(binding)): Uint8Array {
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts = [Uint8Array.of(STREAM_V1), header];
  for (const [m, tag] of pieces) parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, m, ad, tag));
  return concat(...parts);
}

beforeAll(async () => {
  sodium = await loadSodium();
  key = generateFileKey();
});

describe("stream-v1 round trips", () => {
  it.each([0, 1, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 12345])("%i bytes", (size) => {
    const pt = patternBytes(size);
    const ct = encryptAttachment(key, binding, pt);
    expect(ct.length).toBe(streamCiphertextSize(size));
    expect(ct.length).toBe(STREAM_HEADER_BYTES + size + STREAM_ABYTES * streamChunkCount(size));
    expect(ct[0]).toBe(STREAM_V1);
    expect(split(ct).chunks.length).toBe(streamChunkCount(size));
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("counts chunks: an empty file has one empty final chunk; a full last chunk is itself final", () => {
    expect(streamChunkCount(0)).toBe(1);
    expect(streamChunkCount(1)).toBe(1);
    expect(streamChunkCount(CHUNK)).toBe(1);
    expect(streamChunkCount(CHUNK + 1)).toBe(2);
    expect(streamCiphertextSize(0)).toBe(42);
    expect(streamCiphertextSize(CHUNK)).toBe(25 + CHUNK + 17);
  });

  it("uses the binding as associated data of every chunk", () => {
    expect(new TextDecoder().decode(streamAssociatedData(binding))).toBe(`cor/stream-v1/attachment/${binding.reportId}/${binding.attachmentId}`);
  });

  it("has a random header", () => {
    const a = encryptAttachment(key, binding, new Uint8Array(10));
    const b = encryptAttachment(key, binding, new Uint8Array(10));
    expect(hex(a.subarray(0, 25))).not.toBe(hex(b.subarray(0, 25)));
  });

  it("accepts a stream whose final chunk is empty after full chunks (non-canonical, decodable)", () => {
    const pt = patternBytes(2 * CHUNK);
    const e = new AttachmentEncryptor(key, binding);
    const ct = concat(e.header, e.push(pt, false), e.push(new Uint8Array(0), true));
    expect(ct.length).toBe(streamCiphertextSize(pt.length) + STREAM_ABYTES);
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("property: random sizes, encrypted in chunk-multiple parts and decrypted in random slices", () => {
    const seed = 0x5eed_c0de;
    const rand = seededRandom(seed);
    const int = (n: number) => Math.floor(rand() * n);
    for (let round = 0; round < 30; round++) {
      const size = round < 4 ? [0, 1, CHUNK, 2 * CHUNK][round]! : int(5 * CHUNK + 1);
      const pt = new Uint8Array(size);
      for (let i = 0; i < size; i++) pt[i] = int(256);
      // Encrypt: full chunks in random groups (including empty parts), then a non-empty tail with final.
      const tailStart = size === 0 ? 0 : CHUNK * Math.floor((size - 1) / CHUNK);
      const e = new AttachmentEncryptor(key, binding);
      const out: Uint8Array[] = [e.header];
      let o = 0;
      while (o < tailStart) {
        const n = CHUNK * int(Math.min(3, (tailStart - o) / CHUNK) + 1);
        out.push(e.push(pt.subarray(o, o + n), false));
        o += n;
      }
      out.push(e.push(pt.subarray(tailStart), true));
      const ct = concat(...out);
      expect(ct.length, `seed ${seed} round ${round} size ${size}`).toBe(streamCiphertextSize(size));

      // Decrypt in random slices, some empty, some tiny, some larger than a chunk.
      const d = new AttachmentDecryptor(key, binding);
      const parts: Uint8Array[] = [];
      let p = 0;
      while (p < ct.length) {
        const r = rand();
        const n = r < 0.05 ? 0 : r < 0.15 ? int(40) + 1 : r < 0.75 ? int(CIPHER_CHUNK) + 1 : int(3 * CIPHER_CHUNK) + 1;
        parts.push(...d.push(ct.subarray(p, p + n)));
        p += n;
      }
      parts.push(...d.finish());
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(CHUNK);
      expect(sha256Hex(concat(...parts)), `seed ${seed} round ${round} size ${size}`).toBe(sha256Hex(pt));
    }
  });
});

describe("stream-v1 encryptor", () => {
  it("refuses a non-final piece that ends inside a chunk", () => {
    const e = new AttachmentEncryptor(key, binding);
    expectCryptoError(() => e.push(new Uint8Array(CHUNK + 1), false), "bad_format");
  });

  it("refuses to continue after the final piece", () => {
    const e = new AttachmentEncryptor(key, binding);
    e.push(new Uint8Array(5), true);
    expectCryptoError(() => e.push(new Uint8Array(0), true), "bad_format");
  });

  it("refuses a key of the wrong length", () => {
    expectCryptoError(() => new AttachmentEncryptor(new Uint8Array(16) as FileKey, binding), "bad_key");
    expectCryptoError(() => new AttachmentDecryptor(new Uint8Array(16) as FileKey, binding), "bad_key");
  });
});

describe("stream-v1 decryptor rejects", () => {
  const size = 3 * CHUNK + 1000; // four chunks: three full, one short final
  let pt: Uint8Array;
  let ct: Uint8Array;
  let header: Uint8Array;
  let chunks: Uint8Array[];
  beforeAll(() => {
    pt = patternBytes(size);
    ct = encryptAttachment(key, binding, pt);
    ({ header, chunks } = split(ct));
    expect(chunks.length).toBe(4);
  });
  const dec = (bytes: Uint8Array, b: StreamBinding = binding, k: FileKey = key) => decryptAttachment(k, b, bytes);

  it("another key", () => {
    expectCryptoError(() => dec(ct, binding, generateFileKey()), "decrypt_failed");
  });

  it("another report id or attachment id", () => {
    expectCryptoError(() => dec(ct, { ...binding, reportId: binding.attachmentId }), "decrypt_failed");
    expectCryptoError(() => dec(ct, { ...binding, attachmentId: binding.reportId }), "decrypt_failed");
  });

  it("a flipped header, body or tag byte", () => {
    for (const i of [1, 24, 25, 26, 25 + CIPHER_CHUNK - 1, 25 + CIPHER_CHUNK + 5, ct.length - 1, ct.length - 20]) {
      expectCryptoError(() => dec(flipByte(ct, i)), "decrypt_failed");
    }
  });

  it("a wrong version byte", () => {
    for (const v of [0x00, 0x02, 0xff]) expectCryptoError(() => dec(concat(Uint8Array.of(v), ct.subarray(1))), "bad_version");
  });

  it("a missing final chunk (cut at a chunk boundary)", () => {
    expectCryptoError(() => dec(concat(header, ...chunks.slice(0, 3))), "truncated");
    expectCryptoError(() => dec(concat(header, chunks[0]!)), "truncated");
    expectCryptoError(() => dec(header), "truncated");
  });

  it("an empty stream or a partial header", () => {
    expectCryptoError(() => dec(new Uint8Array(0)), "truncated");
    expectCryptoError(() => dec(ct.subarray(0, 1)), "truncated");
    expectCryptoError(() => dec(ct.subarray(0, STREAM_HEADER_BYTES - 1)), "truncated");
  });

  it("a stream cut inside a chunk", () => {
    // Cut inside a full chunk or inside the final chunk: the short remainder fails authentication.
    expectCryptoError(() => dec(ct.subarray(0, 25 + CIPHER_CHUNK + 100)), "decrypt_failed");
    expectCryptoError(() => dec(ct.subarray(0, ct.length - 1)), "decrypt_failed");
    // A remainder shorter than the 17-byte chunk overhead cannot be a chunk at all.
    expectCryptoError(() => dec(ct.subarray(0, 25 + CIPHER_CHUNK + 16)), "truncated");
  });

  it("reordered, duplicated or dropped chunks", () => {
    const [c0, c1, c2, c3] = chunks as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expectCryptoError(() => dec(concat(header, c1, c0, c2, c3)), "decrypt_failed");
    expectCryptoError(() => dec(concat(header, c0, c0, c1, c2, c3)), "decrypt_failed");
    expectCryptoError(() => dec(concat(header, c0, c2, c3)), "decrypt_failed");
    expectCryptoError(() => dec(concat(header, c0, c1, c2, c3, c3)), "decrypt_failed");
  });

  it("a chunk from another stream under the same key", () => {
    const other = split(encryptAttachment(key, binding, pt));
    expectCryptoError(() => dec(concat(header, chunks[0]!, other.chunks[1]!, chunks[2]!, chunks[3]!)), "decrypt_failed");
  });

  it("data after the final chunk", () => {
    // After a full-size final chunk the decryptor knows where the stream ended.
    const full = encryptAttachment(key, binding, patternBytes(CHUNK));
    expectCryptoError(() => dec(concat(full, Uint8Array.of(0))), "bad_format");
    expectCryptoError(() => dec(concat(full, new Uint8Array(2 * CIPHER_CHUNK))), "bad_format");
    // Bytes glued onto a short final chunk make that chunk fail authentication.
    expectCryptoError(() => dec(concat(ct, Uint8Array.of(0))), "decrypt_failed");
    // Bytes pushed after the final chunk was consumed.
    const d = new AttachmentDecryptor(key, binding);
    d.push(full);
    d.push(Uint8Array.of(0)); // completes the final chunk, one stray byte stays buffered
    expectCryptoError(() => d.finish(), "bad_format");
    const d2 = new AttachmentDecryptor(key, binding);
    d2.push(full);
    d2.push(Uint8Array.of(0));
    expectCryptoError(() => d2.push(Uint8Array.of(0)), "bad_format");
    // Nothing after the final chunk: finishing twice is harmless.
    const d3 = new AttachmentDecryptor(key, binding);
    d3.push(full);
    expect(d3.finish().length).toBe(1);
    expect(d3.push(new Uint8Array(0))).toEqual([]);
  });

  it("an authentic stream whose last chunk is not tagged final", () => {
    const M = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    expectCryptoError(() => dec(rawStream([[new Uint8Array(CHUNK), M]])), "truncated");
    expectCryptoError(
      () =>
        dec(
          rawStream([
            [new Uint8Array(CHUNK), M],
            [new Uint8Array(10), M],
          ]),
        ),
      "truncated",
    );
  });

  it("an authentic stream with a short chunk before the final one", () => {
    const M = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const F = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    // The decryptor cuts at 65553-byte boundaries, so a short inner chunk breaks authentication.
    expectCryptoError(
      () =>
        dec(
          rawStream([
            [new Uint8Array(10), M],
            [new Uint8Array(10), F],
          ]),
        ),
      "decrypt_failed",
    );
  });

  it("authentic chunks with the PUSH or REKEY tag", () => {
    const F = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    for (const tag of [sodium.crypto_secretstream_xchacha20poly1305_TAG_PUSH, sodium.crypto_secretstream_xchacha20poly1305_TAG_REKEY]) {
      expectCryptoError(
        () =>
          dec(
            rawStream([
              [new Uint8Array(CHUNK), tag],
              [new Uint8Array(3), F],
            ]),
          ),
        "bad_format",
      );
    }
  });

  it("a raw stream built by the specification decrypts like the real one", () => {
    const M = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const F = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    const raw = rawStream([
      [pt.subarray(0, CHUNK), M],
      [pt.subarray(CHUNK, 2 * CHUNK), M],
      [pt.subarray(2 * CHUNK, 3 * CHUNK), M],
      [pt.subarray(3 * CHUNK), F],
    ]);
    expect(raw.length).toBe(ct.length);
    expect(sha256Hex(dec(raw))).toBe(sha256Hex(pt));
  });
});
