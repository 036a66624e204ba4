// The picture cleaners, chosen by the file's first bytes (never by its name or declared type).
import type { CleanResult } from "./findings";
import { cleanHeif, isHeif } from "./heif";
import { cleanJpeg, isJpeg } from "./jpeg";
import { cleanPng, isPng } from "./png";
import { cleanWebp, isWebp } from "./webp";

/** A cleaned picture, or null when the bytes are no picture these cleaners know. Throws MalformedFile. */
export function cleanImage(bytes: Uint8Array): CleanResult | null {
  if (isJpeg(bytes)) return cleanJpeg(bytes);
  if (isPng(bytes)) return cleanPng(bytes);
  if (isWebp(bytes)) return cleanWebp(bytes);
  if (isHeif(bytes)) return cleanHeif(bytes);
  return null;
}
