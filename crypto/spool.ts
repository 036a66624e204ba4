// A file of unknown length, encrypted as it arrives under a key that exists only in memory, for the
// server to read back once (docs/CRYPTO.md §5.4, ADR 043). stream-v2 states the file's size before
// its first body chunk, so a file that arrives without JavaScript (a form upload, length unknown
// until its last byte) goes through twice: first into this spool, then, its size known, from the
// spool into stream-v2 under the attachment's own key. The spool's bytes are stream-v1's layout
// (0x01 || header || 64 KiB chunks, the last TAG_FINAL, possibly empty) so that AttachmentDecryptor
// reads them back; its key is random per spool and never leaves the process, so a spool left on
// disk by a crash is ciphertext nobody can open.
import { concatBytes, uuidFromRandom } from "./encoding";
import { AttachmentDecryptor, STREAM_CHUNK_BYTES, STREAM_V1, streamAssociatedData, type StreamBinding } from "./attachment-stream";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { FileKey, StreamCiphertext } from "./types";

/** A spool's ciphertext: readable only by the SpoolEncryptor that wrote it. */
export type SpoolCiphertext = StreamCiphertext;

export class SpoolEncryptor {
  /** Version byte and secretstream header: the spool's first bytes. */
  readonly header: SpoolCiphertext;
  /** Plaintext bytes taken so far. */
  size = 0;
  private key: FileKey;
  private readonly binding: StreamBinding;
  private readonly ad: Uint8Array;
  private state: ReturnType<ReturnType<typeof sodiumNow>["crypto_secretstream_xchacha20poly1305_init_push"]>["state"] | null;
  /** The chunk being filled: at most one chunk of plaintext is ever held here. */
  private pending = new Uint8Array(STREAM_CHUNK_BYTES);
  private filled = 0;
  private finished = false;

  constructor() {
    const sodium = sodiumNow();
    this.key = sodium.crypto_secretstream_xchacha20poly1305_keygen() as FileKey;
    const id = uuidFromRandom(sodium.randombytes_buf(16));
    this.binding = { reportId: id, attachmentId: id };
    this.ad = streamAssociatedData(this.binding, STREAM_V1);
    const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(this.key);
    this.state = init.state;
    this.header = concatBytes(Uint8Array.of(STREAM_V1), init.header) as SpoolCiphertext;
  }

  /** Takes plaintext bytes; returns the ciphertext of the chunks they filled (possibly nothing). */
  push(bytes: Uint8Array): SpoolCiphertext {
    if (this.finished || !this.state) throw new CryptoError("bad_format", "spool already finished");
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, STREAM_CHUNK_BYTES - this.filled);
      this.pending.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === STREAM_CHUNK_BYTES) out.push(this.seal(false));
    }
    this.size += bytes.length;
    return concatBytes(...out) as SpoolCiphertext;
  }

  /** Seals what is left as the final chunk (empty after a full one); the plaintext buffer is wiped. */
  finish(): SpoolCiphertext {
    if (this.finished || !this.state) throw new CryptoError("bad_format", "spool already finished");
    const last = this.seal(true);
    this.finished = true;
    this.state = null;
    return last;
  }

  /** A decryptor of this spool's bytes; the key stays inside it. */
  reader(): AttachmentDecryptor {
    if (!this.finished) throw new CryptoError("bad_format", "a spool is read only after it is finished");
    return new AttachmentDecryptor(this.key, this.binding);
  }

  /** Forgets the key and the plaintext buffer: the spool can no longer be read by anyone. */
  dispose(): void {
    this.key.fill(0);
    this.pending.fill(0);
    this.state = null;
    this.finished = true;
  }

  private seal(final: boolean): SpoolCiphertext {
    const sodium = sodiumNow();
    const tag = final ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const chunk = sodium.crypto_secretstream_xchacha20poly1305_push(this.state!, this.pending.subarray(0, this.filled), this.ad, tag);
    this.pending.fill(0, 0, this.filled);
    this.filled = 0;
    return chunk as SpoolCiphertext;
  }
}
