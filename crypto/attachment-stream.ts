// Format "stream-v1": an attachment encrypted with crypto_secretstream_xchacha20poly1305.
//   byte 0      : 0x01 (format version)
//   bytes 1..24 : secretstream header
//   then chunks : each plaintext chunk is STREAM_CHUNK_BYTES (the last one may be
//                 shorter, even empty) and grows by 17 bytes; every chunk carries
//                 TAG_MESSAGE except the last, which carries TAG_FINAL.
// Every chunk's associated data is "cor/stream-v1/attachment/<reportId>/<attachmentId>".
// Memory stays bounded by one chunk on both sides, whatever the file size.
import { concatBytes, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { FileKey, StreamCiphertext } from "./types";

export const STREAM_V1 = 0x01;
export const STREAM_CHUNK_BYTES = 64 * 1024;
export const STREAM_ABYTES = 17;
export const STREAM_HEADER_BYTES = 1 + 24;
const CIPHER_CHUNK_BYTES = STREAM_CHUNK_BYTES + STREAM_ABYTES;

export interface StreamBinding {
  reportId: string;
  attachmentId: string;
}

export function streamAssociatedData(binding: StreamBinding): Uint8Array {
  return utf8(`cor/stream-v1/attachment/${binding.reportId}/${binding.attachmentId}`);
}

/** Number of secretstream chunks for a plaintext of `size` bytes. */
export function streamChunkCount(size: number): number {
  return size === 0 ? 1 : Math.ceil(size / STREAM_CHUNK_BYTES);
}

/** Exact stream-v1 ciphertext size of a plaintext of `size` bytes. */
export function streamCiphertextSize(size: number): number {
  return STREAM_HEADER_BYTES + size + STREAM_ABYTES * streamChunkCount(size);
}

export function generateFileKey(): FileKey {
  return sodiumNow().crypto_secretstream_xchacha20poly1305_keygen() as FileKey;
}

/**
 * Encrypts a file front to back. Feed it plaintext in pieces that are whole
 * multiples of STREAM_CHUNK_BYTES, then the tail with `final = true`.
 */
export class AttachmentEncryptor {
  readonly header: StreamCiphertext;
  private readonly state: unknown;
  private readonly ad: Uint8Array;
  private done = false;

  constructor(key: FileKey, binding: StreamBinding) {
    if (key.length !== 32) throw new CryptoError("bad_key", "a file key is 32 bytes");
    const sodium = sodiumNow();
    const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    this.state = init.state;
    const header = new Uint8Array(STREAM_HEADER_BYTES);
    header[0] = STREAM_V1;
    header.set(init.header, 1);
    this.header = header as StreamCiphertext;
    this.ad = streamAssociatedData(binding);
  }

  /** Encrypts `plaintext`; with `final`, closes the stream after it. */
  push(plaintext: Uint8Array, final: boolean): StreamCiphertext {
    if (this.done) throw new CryptoError("bad_format", "stream already finished");
    if (!final && plaintext.length % STREAM_CHUNK_BYTES !== 0) {
      throw new CryptoError("bad_format", "only the final piece may end inside a chunk");
    }
    const sodium = sodiumNow();
    const chunks = final ? streamChunkCount(plaintext.length) : plaintext.length / STREAM_CHUNK_BYTES;
    const out = new Uint8Array(plaintext.length + chunks * STREAM_ABYTES);
    let o = 0;
    for (let i = 0; i < chunks; i++) {
      const piece = plaintext.subarray(i * STREAM_CHUNK_BYTES, (i + 1) * STREAM_CHUNK_BYTES);
      const last = final && i === chunks - 1;
      const tag = last ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      const c = sodium.crypto_secretstream_xchacha20poly1305_push(this.state as never, piece, this.ad, tag);
      out.set(c, o);
      o += c.length;
    }
    if (final) this.done = true;
    return out as StreamCiphertext;
  }
}

/**
 * Decrypts stream-v1 bytes fed in slices of any size. Throws CryptoError on a
 * wrong key or binding, tampering, reordering, a wrong version, data after the
 * final chunk, and (from finish) a truncated stream.
 */
export class AttachmentDecryptor {
  private state: unknown = null;
  private buffer: Uint8Array = new Uint8Array(0);
  private finished = false;
  private readonly ad: Uint8Array;

  constructor(
    private readonly key: FileKey,
    binding: StreamBinding,
  ) {
    if (key.length !== 32) throw new CryptoError("bad_key", "a file key is 32 bytes");
    this.ad = streamAssociatedData(binding);
  }

  /** Adds ciphertext bytes; returns the plaintext chunks they completed. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (this.finished && bytes.length > 0) {
      throw new CryptoError("bad_format", "data after the final chunk");
    }
    this.append(bytes);
    const out: Uint8Array[] = [];
    if (this.state === null) {
      if (this.buffer.length < STREAM_HEADER_BYTES) return out;
      this.openHeader();
    }
    // Keep one full chunk back until more arrives: it may be the final one.
    while (this.buffer.length > CIPHER_CHUNK_BYTES) {
      out.push(this.decryptChunk(this.buffer.subarray(0, CIPHER_CHUNK_BYTES)));
      this.buffer = this.buffer.subarray(CIPHER_CHUNK_BYTES);
    }
    return out;
  }

  /** Decrypts what is left; throws `truncated` unless the final chunk was seen. */
  finish(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.state === null) {
      if (this.buffer.length < STREAM_HEADER_BYTES) throw new CryptoError("truncated", "stream has no header");
      this.openHeader();
    }
    // Cut at every chunk as push does: after a failed push the buffer can hold more than one.
    while (this.buffer.length > 0) {
      const chunk = this.buffer.subarray(0, CIPHER_CHUNK_BYTES);
      out.push(this.decryptChunk(chunk));
      this.buffer = this.buffer.subarray(chunk.length);
    }
    if (!this.finished) throw new CryptoError("truncated", "stream ended before its final chunk");
    return out;
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.buffer.length === 0) {
      this.buffer = bytes;
      return;
    }
    const merged = new Uint8Array(this.buffer.length + bytes.length);
    merged.set(this.buffer);
    merged.set(bytes, this.buffer.length);
    this.buffer = merged;
  }

  private openHeader(): void {
    if (this.buffer[0] !== STREAM_V1) {
      throw new CryptoError("bad_version", `unknown stream format version ${this.buffer[0]}`);
    }
    try {
      this.state = sodiumNow().crypto_secretstream_xchacha20poly1305_init_pull(this.buffer.subarray(1, STREAM_HEADER_BYTES), this.key);
    } catch (cause) {
      throw new CryptoError("bad_format", "invalid stream header", { cause });
    }
    this.buffer = this.buffer.subarray(STREAM_HEADER_BYTES);
  }

  private decryptChunk(chunk: Uint8Array): Uint8Array {
    if (this.finished) throw new CryptoError("bad_format", "data after the final chunk");
    if (chunk.length < STREAM_ABYTES) throw new CryptoError("truncated", "chunk is too short");
    const sodium = sodiumNow();
    let result: { message: Uint8Array; tag: number } | false;
    try {
      result = sodium.crypto_secretstream_xchacha20poly1305_pull(this.state as never, chunk, this.ad);
    } catch (cause) {
      throw new CryptoError("decrypt_failed", "attachment chunk does not decrypt", { cause });
    }
    if (!result) throw new CryptoError("decrypt_failed", "attachment chunk does not decrypt");
    if (result.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      this.finished = true;
    } else if (result.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      throw new CryptoError("bad_format", `unexpected chunk tag ${result.tag}`);
    } else if (chunk.length !== CIPHER_CHUNK_BYTES) {
      throw new CryptoError("truncated", "a short chunk must be the final one");
    }
    return result.message;
  }
}

/** Decrypts a whole stream-v1 ciphertext held in memory (tests, small files). */
export function decryptAttachment(key: FileKey, binding: StreamBinding, ciphertext: Uint8Array): Uint8Array {
  const d = new AttachmentDecryptor(key, binding);
  return concatBytes(...d.push(ciphertext), ...d.finish());
}

/** Encrypts a whole file held in memory (tests, small files). */
export function encryptAttachment(key: FileKey, binding: StreamBinding, plaintext: Uint8Array): StreamCiphertext {
  const e = new AttachmentEncryptor(key, binding);
  return concatBytes(e.header, e.push(plaintext, true)) as StreamCiphertext;
}
