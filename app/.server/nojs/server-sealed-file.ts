// A file that arrives in a plain form post (no JavaScript: the browser cannot encrypt), encrypted by
// the server at once into the same stream-v2 attachment the browser would have sent (ADR 043,
// docs/CRYPTO.md §5.4). Used by the report form without JavaScript and by the follow-up page
// without JavaScript; both call, in order:
//
//   const spool = await spoolFile(s, stream, { name, type, maxBytes });   // while the post arrives
//   const attachment = await storeSpooledFile(s, spool, { reportId, reportKey, for, clientKey });
//   spool.discard();                                                     // always, also on failure
//
// stream-v2 names the file's size before its first body chunk, and a form post says the size of a
// file only at its end. So the file goes through twice, never as plaintext at rest and never whole in
// memory: (1) as it arrives, into a spool file under DATA_DIR/spool, encrypted under a key held only in
// this process (crypto/spool.ts); (2) its size known, read back, decrypted 64 KiB at a time and
// encrypted as stream-v2 under a fresh file key, written through the ordinary upload (createUpload,
// writeUploadPart, completeUpload: the same space accounting, part sizes and blob store as a
// browser's upload). Memory per file: one spool chunk, one piece of 1 MiB and its ciphertext.
// A spool left by a crash holds ciphertext under a key that died with the process; the upload
// cleanup job removes spools older than UPLOAD_MAX_AGE_HOURS (`clearStaleSpools`: instances may share
// DATA_DIR, and a live request's spool must stay).
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import {
  AttachmentEncryptor,
  encryptFileMeta,
  generateFileKey,
  type RecordCiphertext,
  type ReportKey,
  SpoolEncryptor,
  STREAM_ABYTES,
  STREAM_CHUNK_BYTES,
  STREAM_V2_PREFIX_BYTES,
  streamCiphertextSize,
  streamPaddedBytes,
  uuidFromRandom,
  wrapFileKey,
  type AttachmentDecryptor,
} from "../../../crypto";
import { randomBytes } from "node:crypto";
import { LIMITS } from "../../intake/limits";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { abortUpload, completeUpload, createUpload, writeUploadPart } from "../intake/intake";

/** Body bytes encrypted per push: a multiple of the 64 KiB chunk that divides the 8 MiB part. */
const PIECE_BYTES = 16 * STREAM_CHUNK_BYTES;

/** A file larger than the limit: the rest of it was read and dropped, nothing of it is kept. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`a file may be at most ${maxBytes} bytes`);
    this.name = "FileTooLargeError";
  }
}

/** A posted file, held as ciphertext under a key only this object knows, until it is stored or discarded. */
export class SpooledFile {
  private discarded = false;
  constructor(
    readonly name: string,
    readonly type: string,
    private readonly file: string,
    private readonly spool: SpoolEncryptor,
  ) {}

  get size(): number {
    return this.spool.size;
  }

  /** The file's plaintext, read back from the spool in chunks of up to 64 KiB. */
  async *plaintext(): AsyncGenerator<Uint8Array> {
    if (this.discarded) throw new Error("spool already discarded");
    const reader: AttachmentDecryptor = this.spool.reader();
    for await (const bytes of createReadStream(this.file, { highWaterMark: STREAM_CHUNK_BYTES + STREAM_ABYTES })) {
      yield* reader.push(new Uint8Array(bytes as Buffer));
    }
    yield* reader.finish();
  }

  /** Forgets the key and removes the spool file; safe to call more than once. */
  async discard(): Promise<void> {
    if (this.discarded) return;
    this.discarded = true;
    this.spool.dispose();
    await rm(this.file, { force: true });
  }
}

function spoolDir(s: Services): string {
  return path.join(s.config.paths.data, "spool");
}

/**
 * Removes spools a stopped process left behind (unreadable ciphertext: their keys died with it), older than any
 * request may last; returns how many.
 */
export async function clearStaleSpools(s: Services): Promise<number> {
  const dir = spoolDir(s);
  const cutoff = s.now().getTime() - s.config.UPLOAD_MAX_AGE_HOURS * 3600_000;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && info.mtimeMs < cutoff) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Encrypts a posted file into a spool as it arrives. Over `maxBytes`, the rest of the stream is read and
 * dropped (so the request's other fields still arrive) and FileTooLargeError is thrown, the spool removed.
 * Any other failure (the post cut short) removes the spool and rethrows.
 */
export async function spoolFile(
  s: Services,
  source: AsyncIterable<Uint8Array | Buffer>,
  file: { name: string; type: string; maxBytes: number },
): Promise<SpooledFile> {
  const dir = spoolDir(s);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = path.join(dir, `spool-${uuidFromRandom(randomBytes(16))}`);
  const spool = new SpoolEncryptor();
  const spooled = new SpooledFile(file.name, file.type, name, spool);
  let handle: FileHandle | null = null;
  try {
    handle = await open(name, "wx", 0o600);
    await handle.write(spool.header);
    let tooLarge = false;
    for await (const chunk of source) {
      if (tooLarge) continue; // drain: the form's remaining fields follow the file
      if (spool.size + chunk.length > file.maxBytes) {
        tooLarge = true;
        continue;
      }
      const sealed = spool.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
      if (sealed.length > 0) await handle.write(sealed);
    }
    if (tooLarge) throw new FileTooLargeError(file.maxBytes);
    await handle.write(spool.finish());
    await handle.close();
    handle = null;
    return spooled;
  } catch (error) {
    await handle?.close().catch(() => {});
    await spooled.discard();
    throw error;
  }
}

/** What a submission lists for a stored file: the upload id and the two records under the report key. */
export interface ServerSealedAttachment {
  uploadId: string;
  /** The upload's capability, kept in memory only: to abandon it if the submission then fails. */
  token: string;
  meta: RecordCiphertext;
  fileKey: RecordCiphertext;
}

/** Reads exact byte counts from a stream of plaintext chunks. */
class ExactReader {
  private held: Uint8Array = new Uint8Array(0);
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}
  async read(n: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      if (this.held.length === 0) {
        const next = await this.source.next();
        if (next.done) throw new Error("the spool ended before its stated size");
        this.held = next.value;
        continue;
      }
      const take = this.held.subarray(0, Math.min(n - have, this.held.length));
      this.held = this.held.subarray(take.length);
      parts.push(take);
      have += take.length;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Ciphertext bytes of the part that carries body bytes `bodyBytes` (the first part also carries the 50-byte prefix). */
function partCiphertextBytes(index: number, bodyBytes: number): number {
  const chunks = bodyBytes === 0 ? 1 : Math.ceil(bodyBytes / STREAM_CHUNK_BYTES);
  return (index === 0 ? STREAM_V2_PREFIX_BYTES : 0) + bodyBytes + chunks * STREAM_ABYTES;
}

/**
 * Encrypts a spooled file as stream-v2 under a fresh file key into a new upload for `reportId` (a report
 * being made, `for: "new"`, or a stored one, `for: "existing"`), completes it, and returns what the
 * submission lists. On failure the upload is abandoned (its bytes removed) and the error rethrown.
 */
export async function storeSpooledFile(
  s: Services,
  spool: SpooledFile,
  target: { reportId: string; reportKey: ReportKey; for: "new" | "existing"; clientKey: string },
): Promise<ServerSealedAttachment> {
  const size = spool.size;
  const opened = await createUpload(s, {
    reportId: target.reportId,
    ciphertextBytes: streamCiphertextSize(size),
    for: target.for,
    clientKey: target.clientKey,
  });
  const fileKey = generateFileKey();
  const encryptor = new AttachmentEncryptor(fileKey, { reportId: target.reportId, attachmentId: opened.uploadId }, size);
  const source = spool.plaintext();
  try {
    const plain = new ExactReader(source);
    const body = streamPaddedBytes(size);
    const partBody = LIMITS.partPlainBytes;
    const parts = body === 0 ? 1 : Math.ceil(body / partBody);
    let offset = 0;
    for (let index = 0; index < parts; index++) {
      const end = Math.min(body, (index + 1) * partBody);
      const from = offset;
      async function* pieces(): AsyncGenerator<Uint8Array> {
        let at = from;
        let first = index === 0;
        do {
          const bodyBytes = Math.min(PIECE_BYTES, end - at);
          const final = at + bodyBytes === body;
          const plainBytes = Math.max(0, Math.min(size, at + bodyBytes) - at);
          const piece = await plain.read(plainBytes);
          yield encryptor.push(piece, final, bodyBytes, first);
          piece.fill(0);
          first = false;
          at += bodyBytes;
        } while (at < end);
      }
      await writeUploadPart(s, opened.uploadId, opened.token, index, Readable.from(pieces()), partCiphertextBytes(index, end - from));
      offset = end;
    }
    await completeUpload(s, opened.uploadId, opened.token);
  } catch (error) {
    fileKey.fill(0);
    await abortUpload(s, opened.uploadId, opened.token).catch(() => {});
    if (error instanceof ApiError) throw error;
    throw new ApiError(500, "file_not_stored", "the file could not be encrypted and stored", undefined, { cause: error });
  } finally {
    encryptor.dispose();
    // Stopped early (a refused part), the spool's read stream is closed now, not when it is collected.
    await source.return(undefined).catch(() => {});
  }
  const ids = { reportId: target.reportId, attachmentId: opened.uploadId };
  try {
    return {
      uploadId: opened.uploadId,
      token: opened.token,
      meta: encryptFileMeta(target.reportKey, ids.reportId, ids.attachmentId, { name: spool.name, type: spool.type, size }),
      fileKey: wrapFileKey(target.reportKey, ids.reportId, ids.attachmentId, fileKey),
    };
  } finally {
    fileKey.fill(0);
  }
}

/** Abandons stored files of a submission that then failed (best effort: cleanup removes what is left). */
export async function abandonUploads(s: Services, opened: { uploadId: string; token: string }[]): Promise<void> {
  for (const u of opened) await abortUpload(s, u.uploadId, u.token).catch(() => {});
}
