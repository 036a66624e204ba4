// A stream-v1 writer, kept only so that the vector generator (`--fresh`) and tests can make
// old-format files and check that they still decrypt. The portal writes stream-v2 only
// (attachment-stream.ts, ADR 033); nothing in app/ imports this module.
import { concatBytes } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import { STREAM_CHUNK_BYTES, STREAM_V1, streamAssociatedData, streamChunkCount, type StreamBinding } from "./attachment-stream";
import type { FileKey, StreamCiphertext } from "./types";

/** 0x01 || secretstream header || the plaintext in 64 KiB chunks, the last TAG_FINAL (CRYPTO.md §5.2). */
export function encryptAttachmentV1(key: FileKey, binding: StreamBinding, plaintext: Uint8Array): StreamCiphertext {
  if (key.length !== 32) throw new CryptoError("bad_key", "a file key is 32 bytes");
  const sodium = sodiumNow();
  const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const ad = streamAssociatedData(binding, STREAM_V1);
  const parts: Uint8Array[] = [Uint8Array.of(STREAM_V1), init.header];
  const chunks = streamChunkCount(plaintext.length);
  for (let i = 0; i < chunks; i++) {
    const piece = plaintext.subarray(i * STREAM_CHUNK_BYTES, (i + 1) * STREAM_CHUNK_BYTES);
    const tag = i === chunks - 1 ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(init.state, piece, ad, tag));
  }
  return concatBytes(...parts) as StreamCiphertext;
}
