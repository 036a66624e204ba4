// Decrypting a downloaded attachment into a Blob as it streams. The plaintext
// is folded into the Blob every few MiB, so the page's own memory stays
// bounded: the browser keeps large Blobs in its blob store (on disk when big),
// not in the JavaScript heap.
import { AttachmentDecryptor } from "../../crypto";

const FOLD_BYTES = 16 * 1024 * 1024;

export async function decryptResponseToBlob(response: Response, decryptor: AttachmentDecryptor, type: string): Promise<Blob> {
  let blob = new Blob([], { type });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const fold = () => {
    blob = new Blob([blob, ...(pending as BlobPart[])], { type });
    pending = [];
    pendingBytes = 0;
  };
  const add = (parts: Uint8Array[]) => {
    for (const p of parts) {
      pending.push(p);
      pendingBytes += p.length;
    }
    if (pendingBytes >= FOLD_BYTES) fold();
  };
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // A copy: the decryptor may hold on to the bytes until the next chunk arrives.
    add(decryptor.push(value.slice()));
  }
  add(decryptor.finish());
  fold();
  return blob;
}
