// A bounded reader of EXIF (a TIFF structure) for what it holds, and a writer of the one tag kept:
// the orientation, so a photo is still shown upright after its EXIF is removed (ADR 045). The
// whole EXIF block is dropped whatever this reader makes of it; it only names what was there.
import { Found } from "./findings";

const MAX_ENTRIES = 1000; // per IFD; a real one has a few dozen
const MAX_IFDS = 16;

const CAMERA_TAGS = new Set([0x010f, 0x0110, 0xa433, 0xa434, 0xa432]);
const SERIAL_TAGS = new Set([0xa431, 0xa420, 0xa430]); // body serial, image unique id, camera owner
const AUTHOR_TAGS = new Set([0x013b, 0x8298, 0x9c9d, 0xa430]);
const DATE_TAGS = new Set([0x0132, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012]);
const DESCRIPTION_TAGS = new Set([0x010e, 0x9c9b, 0x9c9f, 0x9c9e]);
const COMMENT_TAGS = new Set([0x9286, 0x9c9c]);

export interface ExifSummary {
  found: Found;
  /** The Orientation tag (1-8) when present and valid. */
  orientation: number | null;
}

/** Reads a TIFF-structured EXIF block (starting at "II*\0" or "MM\0*"); never throws, never loops. */
export function readExif(tiff: Uint8Array, found: Found = new Found()): ExifSummary {
  found.add("exif");
  const summary: ExifSummary = { found, orientation: null };
  if (tiff.length < 8) return summary;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return summary;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (at: number) => (at + 2 <= tiff.length ? view.getUint16(at, little) : null);
  const u32 = (at: number) => (at + 4 <= tiff.length ? view.getUint32(at, little) : null);
  const seen = new Set<number>();
  const queue: { at: number; kind: "ifd0" | "ifd1" | "exif" | "gps" | "other" }[] = [{ at: u32(4) ?? 0, kind: "ifd0" }];
  while (queue.length > 0 && seen.size < MAX_IFDS) {
    const { at, kind } = queue.shift()!;
    if (at < 8 || seen.has(at)) continue;
    seen.add(at);
    const count = u16(at);
    if (count === null || count > MAX_ENTRIES) continue;
    if (kind === "gps" && count > 0) found.add("gps");
    if (kind === "ifd1" && count > 0) found.add("thumbnail");
    for (let i = 0; i < count; i++) {
      const e = at + 2 + i * 12;
      const tag = u16(e);
      if (tag === null) break;
      if (CAMERA_TAGS.has(tag)) found.add("camera");
      if (SERIAL_TAGS.has(tag)) found.add("serial");
      if (AUTHOR_TAGS.has(tag)) found.add("author");
      if (DATE_TAGS.has(tag)) found.add("dates");
      if (DESCRIPTION_TAGS.has(tag)) found.add("description");
      if (COMMENT_TAGS.has(tag)) found.add("comments");
      if (tag === 0x0131) found.add("software");
      if (tag === 0x927c) found.add("makerNotes");
      if (tag === 0x83bb) found.add("iptc");
      if (tag === 0x02bc) found.add("xmp");
      if (tag === 0x0201 || tag === 0x0111) {
        if (kind === "ifd1") found.add("thumbnail");
      }
      if (tag === 0x0112 && kind === "ifd0" && u16(e + 2) === 3) {
        const o = u16(e + 8);
        if (o !== null && o >= 1 && o <= 8) summary.orientation = o;
      }
      const pointer = u32(e + 8);
      if (pointer === null) continue;
      if (tag === 0x8769) queue.push({ at: pointer, kind: "exif" });
      else if (tag === 0x8825) {
        found.add("gps");
        queue.push({ at: pointer, kind: "gps" });
      } else if (tag === 0xa005) queue.push({ at: pointer, kind: "other" });
    }
    if (kind === "ifd0") {
      const next = u32(at + 2 + count * 12);
      if (next) queue.push({ at: next, kind: "ifd1" });
    }
  }
  return summary;
}

/** A TIFF block with only IFD0's Orientation tag (big-endian), for a photo turned by its camera. */
export function orientationOnlyTiff(orientation: number): Uint8Array {
  // prettier-ignore
  return Uint8Array.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation & 0xff, 0x00, 0x00, // Orientation, SHORT, 1
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
}
