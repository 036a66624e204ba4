// stream-v2 (written: Padmé-padded, length inside the stream) and stream-v1 (read only):
// chunked attachment encryption with crypto_secretstream.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  STREAM_ABYTES,
  STREAM_CHUNK_BYTES,
  STREAM_HEADER_BYTES,
  STREAM_LENGTH_CHUNK_BYTES,
  STREAM_V1,
  STREAM_V2,
  STREAM_V2_PREFIX_BYTES,
  decryptAttachment,
  encryptAttachment,
  generateFileKey,
  loadSodium,
  padme,
  streamAssociatedData,
  streamChunkCount,
  streamCiphertextSize,
  streamPaddedBytes,
  streamV1CiphertextSize,
  type FileKey,
  type StreamBinding,
} from "../../crypto/index";
import { encryptAttachmentV1 } from "../../crypto/legacy-stream-v1";
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

/** Header (and in v2 the length chunk), then each ciphertext chunk. */
function split(ct: Uint8Array): { header: Uint8Array; chunks: Uint8Array[] } {
  const start = ct[0] === STREAM_V2 ? STREAM_V2_PREFIX_BYTES : STREAM_HEADER_BYTES;
  const chunks: Uint8Array[] = [];
  for (let o = start; o < ct.length; o += CIPHER_CHUNK) chunks.push(ct.subarray(o, o + CIPHER_CHUNK));
  return { header: ct.subarray(0, start), chunks };
}

/** A stream-v1 ciphertext built directly with libsodium, with the given chunk tags. */
function rawStream(pieces: [Uint8Array, number][], ad = streamAssociatedData(binding, STREAM_V1)): Uint8Array {
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts = [Uint8Array.of(STREAM_V1), header];
  for (const [m, tag] of pieces) parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, m, ad, tag));
  return concat(...parts);
}

/** A stream-v2 ciphertext built directly with libsodium: `first` is the length chunk's plaintext, then the body chunks. */
function rawStreamV2(first: [Uint8Array, number], pieces: [Uint8Array, number][]): Uint8Array {
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const ad = streamAssociatedData(binding, STREAM_V2);
  const parts = [Uint8Array.of(STREAM_V2), header];
  for (const [m, tag] of [first, ...pieces]) parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, m, ad, tag));
  return concat(...parts);
}

const le64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

beforeAll(async () => {
  sodium = await loadSodium();
  key = generateFileKey();
});

describe("stream-v2 round trips", () => {
  it.each([0, 1, 17, 129, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 12345])("%i bytes", (size) => {
    const pt = patternBytes(size);
    const ct = encryptAttachment(key, binding, pt);
    const body = padme(size);
    expect(streamPaddedBytes(size)).toBe(body);
    expect(ct.length).toBe(streamCiphertextSize(size));
    expect(ct.length).toBe(STREAM_V2_PREFIX_BYTES + body + STREAM_ABYTES * streamChunkCount(body));
    expect(ct[0]).toBe(STREAM_V2);
    expect(split(ct).chunks.length).toBe(streamChunkCount(body));
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("stores the same size for every file of one Padmé class, and a larger one for the next class", () => {
    // 3·CHUNK + 12345 = 208953 lies in the class ending at 212992 (steps of 4096 from 2^17).
    expect(padme(208_953)).toBe(212_992);
    const a = encryptAttachment(key, binding, patternBytes(208_897)); // just above the class below (208896)
    const b = encryptAttachment(key, binding, patternBytes(212_992)); // the top of the class
    expect(a.length).toBe(b.length);
    expect(encryptAttachment(key, binding, patternBytes(212_993)).length).toBeGreaterThan(b.length);
  });

  it("counts chunks of the padded body: an empty file has one empty final chunk; a full last chunk is itself final", () => {
    expect(streamChunkCount(0)).toBe(1);
    expect(streamChunkCount(1)).toBe(1);
    expect(streamChunkCount(CHUNK)).toBe(1);
    expect(streamChunkCount(CHUNK + 1)).toBe(2);
    expect(streamCiphertextSize(0)).toBe(25 + 25 + 17);
    expect(streamCiphertextSize(CHUNK)).toBe(50 + CHUNK + 17);
    // 65537 pads to 67584 (steps of 2048 from 2^16): two chunks.
    expect(streamCiphertextSize(CHUNK + 1)).toBe(50 + 67_584 + 2 * 17);
    expect(streamV1CiphertextSize(0)).toBe(42);
    expect(streamV1CiphertextSize(CHUNK)).toBe(25 + CHUNK + 17);
  });

  it("uses the binding as associated data of every chunk, with the version in it", () => {
    expect(new TextDecoder().decode(streamAssociatedData(binding))).toBe(`cor/stream-v2/attachment/${binding.reportId}/${binding.attachmentId}`);
    expect(new TextDecoder().decode(streamAssociatedData(binding, STREAM_V1))).toBe(`cor/stream-v1/attachment/${binding.reportId}/${binding.attachmentId}`);
  });

  it("has a random header", () => {
    const a = encryptAttachment(key, binding, new Uint8Array(10));
    const b = encryptAttachment(key, binding, new Uint8Array(10));
    expect(hex(a.subarray(0, 25))).not.toBe(hex(b.subarray(0, 25)));
  });

  it("property: random sizes, encrypted in chunk-multiple parts of the padded body and decrypted in random slices", () => {
    const seed = 0x5eed_c0de;
    const rand = seededRandom(seed);
    const int = (n: number) => Math.floor(rand() * n);
    for (let round = 0; round < 30; round++) {
      const size = round < 4 ? [0, 1, CHUNK, 2 * CHUNK][round]! : int(5 * CHUNK + 1);
      const pt = new Uint8Array(size);
      for (let i = 0; i < size; i++) pt[i] = int(256);
      // Encrypt the padded body: full chunks in random groups (including empty parts), then a non-empty tail with final.
      const e = new AttachmentEncryptor(key, binding, size);
      const body = e.paddedBytes;
      const tailStart = body === 0 ? 0 : CHUNK * Math.floor((body - 1) / CHUNK);
      const out: Uint8Array[] = [e.header];
      const plainOf = (from: number, to: number) => pt.subarray(Math.min(from, size), Math.min(to, size));
      let o = 0;
      while (o < tailStart) {
        const n = CHUNK * int(Math.min(3, (tailStart - o) / CHUNK) + 1);
        out.push(e.push(plainOf(o, o + n), false, n));
        o += n;
      }
      out.push(e.push(plainOf(tailStart, body), true));
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

describe("stream-v1 still decrypts", () => {
  it.each([0, 1, 100, CHUNK, CHUNK + 1, 3 * CHUNK + 12345])("%i bytes", (size) => {
    const pt = patternBytes(size);
    const ct = encryptAttachmentV1(key, binding, pt);
    expect(ct[0]).toBe(STREAM_V1);
    expect(ct.length).toBe(streamV1CiphertextSize(size));
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("accepts a stream whose final chunk is empty after full chunks (non-canonical, decodable)", () => {
    const pt = patternBytes(2 * CHUNK);
    const M = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const F = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    const ct = rawStream([
      [pt.subarray(0, CHUNK), M],
      [pt.subarray(CHUNK), M],
      [new Uint8Array(0), F],
    ]);
    expect(ct.length).toBe(streamV1CiphertextSize(pt.length) + STREAM_ABYTES);
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });
});

describe("stream-v2 encryptor", () => {
  it("refuses a non-final piece that ends inside a chunk", () => {
    const e = new AttachmentEncryptor(key, binding, 3 * CHUNK);
    expectCryptoError(() => e.push(new Uint8Array(CHUNK + 1), false), "bad_format");
  });

  it("refuses to continue after the final piece", () => {
    const e = new AttachmentEncryptor(key, binding, 5);
    e.push(new Uint8Array(5), true);
    expectCryptoError(() => e.push(new Uint8Array(0), true), "bad_format");
  });

  it("refuses pieces that do not cover the padded body exactly, or whose plaintext is not the file's bytes there", () => {
    const size = 2 * CHUNK + 1; // pads to 135168 = 2·CHUNK + 4096
    const e = new AttachmentEncryptor(key, binding, size);
    expect(e.paddedBytes).toBe(135_168);
    expectCryptoError(() => e.push(new Uint8Array(size), true, size), "bad_format"); // final before the body's end
    expectCryptoError(() => e.push(new Uint8Array(CHUNK - 1), false, CHUNK), "bad_format"); // plaintext too short
    e.push(new Uint8Array(2 * CHUNK), false);
    expectCryptoError(() => e.push(new Uint8Array(4096), true), "bad_format"); // only 1 file byte is left
    expect(e.push(new Uint8Array(1), true).length).toBe(4096 + STREAM_ABYTES);
  });

  it("sends padding-only parts with an empty plaintext", () => {
    // A 4 MiB + 1 file pads to 4 MiB + 128 KiB: after a 4 MiB part, one chunk holds the last byte and padding, the next only padding.
    const size = 4 * 1024 * 1024 + 1;
    const pt = patternBytes(size);
    const e = new AttachmentEncryptor(key, binding, size);
    expect(e.paddedBytes).toBe(4 * 1024 * 1024 + 128 * 1024);
    const part = 4 * 1024 * 1024;
    const pieces = [e.header, e.push(pt.subarray(0, part), false), e.push(pt.subarray(part), false, CHUNK), e.push(new Uint8Array(0), true)];
    const ct = concat(...pieces);
    expect(pieces[3]!.length).toBe(CHUNK + STREAM_ABYTES);
    expect(ct.length).toBe(streamCiphertextSize(size));
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("puts the header before the first piece when asked, and takes pieces larger than the first (its heap buffers grow)", () => {
    const size = 5 * CHUNK + 3;
    const pt = patternBytes(size);
    const e = new AttachmentEncryptor(key, binding, size);
    const first = e.push(pt.subarray(0, CHUNK), false, CHUNK, true);
    expect(hex(first.subarray(0, STREAM_V2_PREFIX_BYTES))).toBe(hex(e.header));
    const ct = concat(first, e.push(pt.subarray(CHUNK), true));
    expect(ct.length).toBe(streamCiphertextSize(size));
    expect(sha256Hex(decryptAttachment(key, binding, ct))).toBe(sha256Hex(pt));
  });

  it("encrypts an empty file into buffers of its own, leaving the bottom of the WebAssembly heap untouched", () => {
    const lib = (sodium as unknown as { libsodium: { HEAPU8: Uint8Array } }).libsodium;
    const low = lib.HEAPU8.slice(0, 64);
    const e = new AttachmentEncryptor(key, binding, 0);
    const ct = concat(e.header, e.push(new Uint8Array(0), true, e.paddedBytes));
    expect(lib.HEAPU8.slice(0, 64)).toEqual(low);
    expect(ct.length).toBe(streamCiphertextSize(0));
    expect(decryptAttachment(key, binding, ct).length).toBe(0);
  });

  it("frees its WebAssembly memory after the final piece and on dispose(), and is unusable after dispose()", () => {
    const lib = (sodium as unknown as { libsodium: { HEAPU8: Uint8Array } }).libsodium;
    const part = 1024 * 1024;
    const once = () => {
      const e = new AttachmentEncryptor(key, binding, 3 * part);
      for (let i = 0; i < 3; i++) e.push(patternBytes(part), i === 2, i === 2 ? e.paddedBytes - 2 * part : part);
      const abandoned = new AttachmentEncryptor(key, binding, 3 * part);
      abandoned.push(patternBytes(part), false);
      abandoned.dispose();
      expectCryptoError(() => abandoned.push(patternBytes(part), false), "bad_format");
    };
    once();
    const heap = lib.HEAPU8.length;
    for (let i = 0; i < 50; i++) once(); // 300 MiB of buffers if none were freed
    expect(lib.HEAPU8.length).toBe(heap);
  });

  it("refuses a key of the wrong length, and a size that is not a safe non-negative integer", () => {
    expectCryptoError(() => new AttachmentEncryptor(new Uint8Array(16) as FileKey, binding, 1), "bad_key");
    expectCryptoError(() => new AttachmentDecryptor(new Uint8Array(16) as FileKey, binding), "bad_key");
    expectCryptoError(() => new AttachmentEncryptor(key, binding, -1), "bad_format");
    expectCryptoError(() => new AttachmentEncryptor(key, binding, 1.5), "bad_format");
  });
});

describe("stream-v2 decryptor rejects", () => {
  const M = () => sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const F = () => sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  const dec = (bytes: Uint8Array) => decryptAttachment(key, binding, bytes);

  it("a flipped length chunk, and a version byte swapped to 0x01 (the associated data names the version)", () => {
    const ct = encryptAttachment(key, binding, patternBytes(1000));
    for (const i of [STREAM_HEADER_BYTES, STREAM_HEADER_BYTES + 3, STREAM_V2_PREFIX_BYTES - 1]) expectCryptoError(() => dec(flipByte(ct, i)), "decrypt_failed");
    expectCryptoError(() => dec(concat(Uint8Array.of(STREAM_V1), ct.subarray(1))), "decrypt_failed");
  });

  it("padding cut off, or a stream cut inside the length chunk", () => {
    const ct = encryptAttachment(key, binding, patternBytes(1000)); // pads to 1024
    expectCryptoError(() => dec(ct.subarray(0, ct.length - 24)), "decrypt_failed");
    expectCryptoError(() => dec(ct.subarray(0, STREAM_HEADER_BYTES + STREAM_LENGTH_CHUNK_BYTES - 1)), "truncated");
    expectCryptoError(() => dec(ct.subarray(0, STREAM_V2_PREFIX_BYTES)), "truncated");
  });

  it("authentic streams: non-zero padding, a body shorter than the stated size, a bad length chunk", () => {
    const ok = rawStreamV2([le64(3n), M()], [[Uint8Array.of(1, 2, 3, 0), F()]]);
    expect(hex(dec(ok))).toBe("010203");
    expectCryptoError(() => dec(rawStreamV2([le64(3n), M()], [[Uint8Array.of(1, 2, 3, 9), F()]])), "bad_format");
    expectCryptoError(() => dec(rawStreamV2([le64(5n), M()], [[Uint8Array.of(1, 2, 3, 0), F()]])), "bad_format");
    expectCryptoError(() => dec(rawStreamV2([le64(3n), F()], [])), "bad_format");
    // A length chunk of another size is cut at 25 bytes by the reader, so it fails authentication.
    expectCryptoError(() => dec(rawStreamV2([new Uint8Array(7), M()], [[Uint8Array.of(1, 2, 3), F()]])), "decrypt_failed");
    expectCryptoError(() => dec(rawStreamV2([le64(2n ** 53n), M()], [[Uint8Array.of(1, 2, 3), F()]])), "bad_format");
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
    ct = encryptAttachmentV1(key, binding, pt);
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
    for (const v of [0x00, 0x03, 0xff]) expectCryptoError(() => dec(concat(Uint8Array.of(v), ct.subarray(1))), "bad_version");
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
    const other = split(encryptAttachmentV1(key, binding, pt));
    expectCryptoError(() => dec(concat(header, chunks[0]!, other.chunks[1]!, chunks[2]!, chunks[3]!)), "decrypt_failed");
  });

  it("data after the final chunk", () => {
    // After a full-size final chunk the decryptor knows where the stream ended.
    const full = encryptAttachmentV1(key, binding, patternBytes(CHUNK));
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
