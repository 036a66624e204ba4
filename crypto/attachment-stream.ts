// Attachments, encrypted with crypto_secretstream_xchacha20poly1305 (docs/CRYPTO.md §5).
//
// "stream-v2" (written): the stored size reveals only the file's Padmé class (ADR 033).
//   byte 0       : 0x02 (format version)
//   bytes 1..24  : secretstream header
//   bytes 25..49 : the length chunk: LE64(true plaintext size), TAG_MESSAGE (8 + 17 bytes)
//   then chunks  : the body, plaintext || 0^(padme(size) − size), cut into STREAM_CHUNK_BYTES
//                  pieces (the last may be shorter, and is empty only for an empty body);
//                  TAG_MESSAGE on every chunk but the last, TAG_FINAL on the last.
// Every chunk's associated data is "cor/stream-v2/attachment/<reportId>/<attachmentId>".
// The length and the padding are inside the authenticated stream: without the file key
// nobody learns the true size, and nobody can strip or change the padding unnoticed.
//
// "stream-v1" (read only): 0x01 || header || the plaintext's chunks, no length chunk, no
// padding, associated data "cor/stream-v1/…". Files stored before stream-v2 still decrypt.
//
// Memory stays bounded by one chunk on both sides, whatever the file size.
import { concatBytes, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { padme } from "./padme";
import { sodiumNow } from "./sodium";
import type { FileKey, StreamCiphertext } from "./types";

export const STREAM_V1 = 0x01;
export const STREAM_V2 = 0x02;
export const STREAM_CHUNK_BYTES = 64 * 1024;
export const STREAM_ABYTES = 17;
/** Version byte and secretstream header, both versions. */
export const STREAM_HEADER_BYTES = 1 + 24;
/** stream-v2's length chunk: LE64 of the true size, encrypted. */
export const STREAM_LENGTH_CHUNK_BYTES = 8 + STREAM_ABYTES;
/** What precedes the first body chunk in stream-v2: header and length chunk. */
export const STREAM_V2_PREFIX_BYTES = STREAM_HEADER_BYTES + STREAM_LENGTH_CHUNK_BYTES;
const CIPHER_CHUNK_BYTES = STREAM_CHUNK_BYTES + STREAM_ABYTES;

export type StreamVersion = typeof STREAM_V1 | typeof STREAM_V2;

export interface StreamBinding {
  reportId: string;
  attachmentId: string;
}

export function streamAssociatedData(binding: StreamBinding, version: StreamVersion = STREAM_V2): Uint8Array {
  return utf8(`cor/stream-v${version}/attachment/${binding.reportId}/${binding.attachmentId}`);
}

/** Number of secretstream chunks for `bytes` of stream body (v2: the padded body; v1: the plaintext). */
export function streamChunkCount(bytes: number): number {
  return bytes === 0 ? 1 : Math.ceil(bytes / STREAM_CHUNK_BYTES);
}

/** The stream-v2 body length of a file of `size` bytes: its Padmé class. */
export function streamPaddedBytes(size: number): number {
  return padme(size);
}

/** Exact stream-v2 ciphertext size of a file of `size` bytes: a function of its Padmé class only. */
export function streamCiphertextSize(size: number): number {
  const body = streamPaddedBytes(size);
  return STREAM_V2_PREFIX_BYTES + body + STREAM_ABYTES * streamChunkCount(body);
}

/** Exact stream-v1 ciphertext size (files written before stream-v2). */
export function streamV1CiphertextSize(size: number): number {
  return STREAM_HEADER_BYTES + size + STREAM_ABYTES * streamChunkCount(size);
}

export function generateFileKey(): FileKey {
  return sodiumNow().crypto_secretstream_xchacha20poly1305_keygen() as FileKey;
}

function le64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

/** libsodium's WebAssembly module, as libsodium-wrappers exposes it: its heap and the C functions. */
interface SodiumModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _crypto_secretstream_xchacha20poly1305_statebytes(): number;
  // (state, c, clen_p, m, mlen as two 32-bit halves, ad, adlen as two halves, tag)
  _crypto_secretstream_xchacha20poly1305_push(...args: number[]): number;
}

function sodiumModule(): SodiumModule {
  return (sodiumNow() as unknown as { libsodium: SodiumModule }).libsodium;
}

/**
 * Encrypts a file of `size` bytes as stream-v2, front to back through its padded body of
 * `paddedBytes` bytes. Feed the body in pieces that are whole multiples of STREAM_CHUNK_BYTES,
 * the last with `final = true`; each piece is given as the file bytes that fall inside it (fewer
 * than the piece, or none, once the file has ended: the rest is padding, zeros).
 *
 * The chunks are pushed by libsodium's C function straight on the WebAssembly heap, into and from
 * two piece-sized buffers allocated once: libsodium-wrappers' push allocates, copies in, copies
 * out and frees for every 64 KiB chunk, which cost two thirds of the time (docs/BENCHMARKS.md,
 * finding 3). Each piece is copied in once and its ciphertext out once. The buffers are wiped and
 * freed after the final piece; call dispose() when a stream is given up before that.
 */
export class AttachmentEncryptor {
  /** Version byte, secretstream header and the length chunk: the first bytes of the ciphertext. */
  readonly header: StreamCiphertext;
  readonly paddedBytes: number;
  private state: number;
  private readonly ad: Uint8Array;
  private offset = 0;
  private done = false;
  /** Heap addresses: piece in, ciphertext out, associated data; 0 until the first push. */
  private inPtr = 0;
  private outPtr = 0;
  private adPtr = 0;
  private capacity = 0;

  constructor(
    key: FileKey,
    binding: StreamBinding,
    readonly size: number,
  ) {
    if (key.length !== 32) throw new CryptoError("bad_key", "a file key is 32 bytes");
    if (!Number.isSafeInteger(size) || size < 0) throw new CryptoError("bad_format", "a file size is a non-negative safe integer");
    const sodium = sodiumNow();
    const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    // The wrapper's state is an address on the heap (typed as a string-like handle).
    this.state = init.state as unknown as number;
    this.ad = streamAssociatedData(binding, STREAM_V2);
    this.paddedBytes = streamPaddedBytes(size);
    const lengthChunk = sodium.crypto_secretstream_xchacha20poly1305_push(
      init.state,
      le64(size),
      this.ad,
      sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
    );
    this.header = concatBytes(Uint8Array.of(STREAM_V2), init.header, lengthChunk) as StreamCiphertext;
  }

  /**
   * Encrypts the next `bodyBytes` of the body (by default: all of it that is left when `final`,
   * else `plaintext.length`). `plaintext` must be exactly the file's bytes in that range. With
   * `withHeader`, the result starts with `header` (the first upload part), with no extra copy.
   */
  push(plaintext: Uint8Array, final: boolean, bodyBytes = final ? this.paddedBytes - this.offset : plaintext.length, withHeader = false): StreamCiphertext {
    if (this.done) throw new CryptoError("bad_format", "stream already finished");
    if (!final && bodyBytes % STREAM_CHUNK_BYTES !== 0) {
      throw new CryptoError("bad_format", "only the final piece may end inside a chunk");
    }
    const end = this.offset + bodyBytes;
    if (bodyBytes < 0 || end > this.paddedBytes || (final && end !== this.paddedBytes) || (!final && end === this.paddedBytes && bodyBytes > 0)) {
      throw new CryptoError("bad_format", "pieces must cover the padded body exactly, the last one final");
    }
    if (plaintext.length !== Math.max(0, Math.min(this.size, end) - this.offset)) {
      throw new CryptoError("bad_format", "a piece's plaintext must be the file's bytes in its range");
    }
    const sodium = sodiumNow();
    const lib = sodiumModule();
    const chunks = final ? streamChunkCount(bodyBytes) : bodyBytes / STREAM_CHUNK_BYTES;
    this.reserve(lib, bodyBytes);
    // Read HEAPU8 after every allocation: a growing heap replaces it.
    lib.HEAPU8.set(plaintext, this.inPtr);
    lib.HEAPU8.fill(0, this.inPtr + plaintext.length, this.inPtr + bodyBytes); // the padding
    let o = 0;
    for (let i = 0; i < chunks; i++) {
      const from = i * STREAM_CHUNK_BYTES;
      const length = Math.min(STREAM_CHUNK_BYTES, bodyBytes - from);
      const last = final && i === chunks - 1;
      const tag = last ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      const rc = lib._crypto_secretstream_xchacha20poly1305_push(
        this.state,
        this.outPtr + o,
        0,
        this.inPtr + from,
        length,
        0,
        this.adPtr,
        this.ad.length,
        0,
        tag,
      );
      if (rc !== 0) throw new CryptoError("bad_format", "secretstream push failed");
      o += length + STREAM_ABYTES;
    }
    const prefix = withHeader ? this.header.length : 0;
    const out = new Uint8Array(prefix + o);
    if (withHeader) out.set(this.header);
    out.set(lib.HEAPU8.subarray(this.outPtr, this.outPtr + o), prefix);
    this.offset = end;
    if (final) {
      this.done = true;
      this.dispose();
    }
    return out as StreamCiphertext;
  }

  /** Wipes and frees the heap buffers and the stream state; the encryptor cannot be used afterwards. */
  dispose(): void {
    this.done = true;
    const lib = sodiumModule();
    for (const [ptr, bytes] of [
      [this.inPtr, this.capacity],
      [this.outPtr, this.capacity + this.chunksFor(this.capacity) * STREAM_ABYTES],
      [this.adPtr, this.ad.length],
    ] as const) {
      if (ptr === 0) continue;
      lib.HEAPU8.fill(0, ptr, ptr + bytes);
      lib._free(ptr);
    }
    this.inPtr = this.outPtr = this.adPtr = this.capacity = 0;
    if (this.state !== 0) {
      lib.HEAPU8.fill(0, this.state, this.state + lib._crypto_secretstream_xchacha20poly1305_statebytes());
      lib._free(this.state);
      this.state = 0;
    }
  }

  private chunksFor(bytes: number): number {
    return Math.max(1, Math.ceil(bytes / STREAM_CHUNK_BYTES));
  }

  /** Heap buffers for a piece of `bodyBytes`, kept for the next pieces (they are the same size but the last). */
  private reserve(lib: SodiumModule, bodyBytes: number): void {
    if (this.adPtr === 0) {
      this.adPtr = lib._malloc(Math.max(1, this.ad.length));
      lib.HEAPU8.set(this.ad, this.adPtr);
    }
    // Allocated at the first piece whatever its size: an empty file's one piece is 0 bytes, and its final chunk must
    // still be written into a buffer of ours, never at address 0.
    if (this.inPtr !== 0 && bodyBytes <= this.capacity) return;
    if (this.inPtr !== 0) {
      lib.HEAPU8.fill(0, this.inPtr, this.inPtr + this.capacity); // a previous piece's plaintext
      lib._free(this.inPtr);
      lib._free(this.outPtr);
    }
    this.capacity = Math.max(bodyBytes, STREAM_CHUNK_BYTES);
    this.inPtr = lib._malloc(this.capacity);
    this.outPtr = lib._malloc(this.capacity + this.chunksFor(this.capacity) * STREAM_ABYTES);
    if (this.inPtr === 0 || this.outPtr === 0) throw new CryptoError("bad_format", "out of WebAssembly memory for a piece");
  }
}

/**
 * Decrypts stream-v2 or stream-v1 bytes fed in slices of any size; returns only the file's
 * bytes (never the padding). Throws CryptoError on a wrong key or binding, tampering,
 * reordering, a wrong version, data after the final chunk, non-zero padding, and (from
 * finish) a truncated stream.
 */
export class AttachmentDecryptor {
  private state: unknown = null;
  private version: StreamVersion | null = null;
  /** The true size (v2, once the length chunk is open); null while unknown. */
  private size: number | null = null;
  /** Body bytes decrypted so far. */
  private bodyOffset = 0;
  private buffer: Uint8Array = new Uint8Array(0);
  private finished = false;
  private readonly binding: StreamBinding;

  constructor(
    private readonly key: FileKey,
    binding: StreamBinding,
  ) {
    if (key.length !== 32) throw new CryptoError("bad_key", "a file key is 32 bytes");
    this.binding = binding;
  }

  /** Adds ciphertext bytes; returns the plaintext chunks they completed. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (this.finished && bytes.length > 0) {
      throw new CryptoError("bad_format", "data after the final chunk");
    }
    this.append(bytes);
    const out: Uint8Array[] = [];
    if (!this.openPrefix()) return out;
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
    if (!this.openPrefix()) throw new CryptoError("truncated", "stream has no header");
    // Cut at every chunk as push does: after a failed push the buffer can hold more than one.
    while (this.buffer.length > 0) {
      const chunk = this.buffer.subarray(0, CIPHER_CHUNK_BYTES);
      out.push(this.decryptChunk(chunk));
      this.buffer = this.buffer.subarray(chunk.length);
    }
    if (!this.finished) throw new CryptoError("truncated", "stream ended before its final chunk");
    if (this.size !== null && this.bodyOffset < this.size) throw new CryptoError("bad_format", "the body is shorter than the stated size");
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

  /** Opens the header (and in v2 the length chunk) once enough bytes are there; false while waiting. */
  private openPrefix(): boolean {
    if (this.state === null) {
      if (this.buffer.length < STREAM_HEADER_BYTES) return false;
      const version = this.buffer[0];
      if (version !== STREAM_V1 && version !== STREAM_V2) {
        throw new CryptoError("bad_version", `unknown stream format version ${version}`);
      }
      try {
        this.state = sodiumNow().crypto_secretstream_xchacha20poly1305_init_pull(this.buffer.subarray(1, STREAM_HEADER_BYTES), this.key);
      } catch (cause) {
        throw new CryptoError("bad_format", "invalid stream header", { cause });
      }
      this.version = version;
      this.buffer = this.buffer.subarray(STREAM_HEADER_BYTES);
    }
    if (this.version === STREAM_V2 && this.size === null) {
      if (this.buffer.length < STREAM_LENGTH_CHUNK_BYTES) return false;
      const { message, tag } = this.pull(this.buffer.subarray(0, STREAM_LENGTH_CHUNK_BYTES));
      if (tag !== sodiumNow().crypto_secretstream_xchacha20poly1305_TAG_MESSAGE || message.length !== 8) {
        throw new CryptoError("bad_format", "invalid length chunk");
      }
      const size = new DataView(message.buffer, message.byteOffset, 8).getBigUint64(0, true);
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CryptoError("bad_format", "stated size is too large");
      this.size = Number(size);
      this.buffer = this.buffer.subarray(STREAM_LENGTH_CHUNK_BYTES);
    }
    return true;
  }

  private pull(chunk: Uint8Array): { message: Uint8Array; tag: number } {
    const ad = streamAssociatedData(this.binding, this.version!);
    let result: { message: Uint8Array; tag: number } | false;
    try {
      result = sodiumNow().crypto_secretstream_xchacha20poly1305_pull(this.state as never, chunk, ad);
    } catch (cause) {
      throw new CryptoError("decrypt_failed", "attachment chunk does not decrypt", { cause });
    }
    if (!result) throw new CryptoError("decrypt_failed", "attachment chunk does not decrypt");
    return result;
  }

  private decryptChunk(chunk: Uint8Array): Uint8Array {
    if (this.finished) throw new CryptoError("bad_format", "data after the final chunk");
    if (chunk.length < STREAM_ABYTES) throw new CryptoError("truncated", "chunk is too short");
    const sodium = sodiumNow();
    const result = this.pull(chunk);
    if (result.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      this.finished = true;
    } else if (result.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      throw new CryptoError("bad_format", `unexpected chunk tag ${result.tag}`);
    } else if (chunk.length !== CIPHER_CHUNK_BYTES) {
      throw new CryptoError("truncated", "a short chunk must be the final one");
    }
    return this.unpad(result.message);
  }

  /** v2: the file's bytes of a body chunk; what lies past the stated size must be zeros. */
  private unpad(message: Uint8Array): Uint8Array {
    if (this.size === null) return message;
    const keep = Math.max(0, Math.min(message.length, this.size - this.bodyOffset));
    this.bodyOffset += message.length;
    for (let i = keep; i < message.length; i++) {
      if (message[i] !== 0) throw new CryptoError("bad_format", "padding is not zeros");
    }
    return message.subarray(0, keep);
  }
}

/** Decrypts a whole stream-v2 or stream-v1 ciphertext held in memory (tests, small files). */
export function decryptAttachment(key: FileKey, binding: StreamBinding, ciphertext: Uint8Array): Uint8Array {
  const d = new AttachmentDecryptor(key, binding);
  return concatBytes(...d.push(ciphertext), ...d.finish());
}

/** Encrypts a whole file held in memory as stream-v2 (tests, small files). */
export function encryptAttachment(key: FileKey, binding: StreamBinding, plaintext: Uint8Array): StreamCiphertext {
  const e = new AttachmentEncryptor(key, binding, plaintext.length);
  return concatBytes(e.header, e.push(plaintext, true)) as StreamCiphertext;
}
