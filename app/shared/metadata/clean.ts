// One entry point for every cleaner (ADR 045): the file's type is read from its first bytes, and
// every failure becomes an outcome the page explains, never an exception that stops the report.
import { MalformedFile, TooLargeToClean, type CleanResult } from "./findings";
import { isHeif } from "./heif";
import { cleanImage } from "./images";
import { isJpeg } from "./jpeg";
import { cleanOoxml, isZip } from "./ooxml";
import { cleanPdf, EncryptedPdf, isPdf } from "./pdf";
import { isPng } from "./png";
import { isWebp } from "./webp";

/** Larger files are sent as they are, with a note: cleaning holds the whole file in memory. */
export const MAX_CLEAN_BYTES = 200 * 1024 * 1024;

/** How many first bytes `cleanable` needs (a PDF's header may follow some junk). */
export const HEAD_BYTES = 1024;

/** Whether the first bytes name a type the cleaners know (read from a file's head, before reading it all). */
export function cleanable(head: Uint8Array): boolean {
  return isJpeg(head) || isPng(head) || isWebp(head) || isHeif(head) || isPdf(head) || isZip(head);
}

export async function cleanBytes(bytes: Uint8Array): Promise<CleanResult> {
  try {
    const image = cleanImage(bytes);
    if (image) return image;
    if (isPdf(bytes)) return await cleanPdf(bytes);
    if (isZip(bytes)) return cleanOoxml(bytes);
    return { kind: "unsupported" };
  } catch (error) {
    if (error instanceof MalformedFile) return { kind: "failed", reason: "malformed" };
    if (error instanceof TooLargeToClean) return { kind: "failed", reason: "too_large" };
    if (error instanceof EncryptedPdf) return { kind: "failed", reason: "encrypted" };
    // A fault in a library on hostile input (a RangeError, a TypeError): not cleaned, said so.
    return { kind: "failed", reason: "malformed" };
  }
}

/** The whole path for one file: its head first, so an unknown or too large file is never read in full. */
export async function cleanBlob(blob: Blob): Promise<CleanResult> {
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  if (!cleanable(head)) return { kind: "unsupported" };
  if (blob.size > MAX_CLEAN_BYTES) return { kind: "failed", reason: "too_large" };
  return cleanBytes(new Uint8Array(await blob.arrayBuffer()));
}
