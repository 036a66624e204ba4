// JPEG at the segment level (ADR 045): the compressed picture, its tables, the ICC colour profile and
// Adobe's colour-transform marker are copied byte for byte, so the pixels decode exactly as before;
// EXIF (GPS, camera, maker notes, the thumbnail), XMP, Photoshop/IPTC (APP13), comments, the JFIF
// thumbnail, reserved JPGn segments and anything after the end of the image (multi-picture extras)
// are dropped. The orientation is kept as a one-tag EXIF block.
import { orientationOnlyTiff, readExif } from "./exif";
import { ascii, concat, Found, latin1, MalformedFile, xmpFindings, type CleanResult } from "./findings";

const startsWith = (b: Uint8Array, at: number, s: string) => s.length <= b.length - at && latin1(b.subarray(at, at + s.length)) === s;

export const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Keep this segment (APPn/COM payload starting at `data`)? Records what a dropped one held. */
function keepSegment(marker: number, b: Uint8Array, data: number, end: number, found: Found, state: { orientation: number | null }): boolean {
  const payload = b.subarray(data, end);
  if (marker === 0xfe) {
    found.add("comments");
    return false;
  }
  if (marker === 0xe0) {
    if (startsWith(b, data, "JFIF\0")) return true; // rewritten without its thumbnail by the caller
    found.add("thumbnail"); // JFXX and others: thumbnails
    return false;
  }
  if (marker === 0xe1) {
    if (startsWith(b, data, "Exif\0")) {
      // Only the orientation, as this cleaner writes it: nothing to remove.
      if (payload.length === 6 + 26 && payload.subarray(6).every((v, i) => v === orientationOnlyTiff(payload[6 + 19]!)[i])) return true;
      const s = readExif(payload.subarray(6), found);
      state.orientation ??= s.orientation;
    } else if (startsWith(b, data, "http://ns.adobe.com/")) xmpFindings(latin1(payload), found);
    else found.add("other");
    return false;
  }
  if (marker === 0xe2) {
    if (startsWith(b, data, "ICC_PROFILE\0")) return true;
    if (startsWith(b, data, "MPF\0")) found.add("embeddedImages");
    else found.add("other");
    return false;
  }
  if (marker === 0xee && startsWith(b, data, "Adobe")) return true; // needed to decode CMYK/YCCK colours
  if (marker === 0xed) found.add("iptc");
  else found.add("other");
  return false;
}

/** JFIF APP0 without its thumbnail: the 14 fixed bytes with a 0x0 thumbnail. */
function jfifWithoutThumbnail(b: Uint8Array, data: number, end: number, found: Found): Uint8Array {
  if (end - data < 14) return b.subarray(data - 4, end);
  if (end - data > 14) found.add("thumbnail");
  const body = b.slice(data, data + 14);
  body[12] = 0;
  body[13] = 0;
  return concat([Uint8Array.from([0xff, 0xe0, 0x00, 16]), body]);
}

export function cleanJpeg(b: Uint8Array): CleanResult {
  if (!isJpeg(b)) throw new MalformedFile("not a JPEG");
  const found = new Found();
  const state = { orientation: null as number | null };
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let exifAt = -1; // where the orientation block goes: where EXIF was
  let changed = false;
  let i = 2;
  let inScan = false;
  while (i < b.length) {
    if (inScan) {
      // Entropy-coded data: FF00 is a data byte, FFD0-D7 restart markers, FFFF fill; any other FFxx ends it.
      const start = i;
      while (i < b.length && !(b[i] === 0xff && i + 1 < b.length && b[i + 1] !== 0x00 && b[i + 1] !== 0xff && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7))) i++;
      out.push(b.subarray(start, i));
      inScan = false;
      continue;
    }
    if (b[i] !== 0xff) throw new MalformedFile(`no marker at ${i}`);
    let m = i + 1;
    while (m < b.length && b[m] === 0xff) m++; // fill bytes
    if (m >= b.length) break;
    const marker = b[m]!;
    if (marker === 0xd9) {
      out.push(Uint8Array.from([0xff, 0xd9]));
      if (m + 1 < b.length) {
        found.add("embeddedImages"); // data after the image: appended pictures, trailers
        changed = true;
      }
      i = b.length;
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out.push(Uint8Array.from([0xff, marker]));
      i = m + 1;
      continue;
    }
    if (m + 3 > b.length) throw new MalformedFile("truncated segment header");
    const length = (b[m + 1]! << 8) | b[m + 2]!;
    if (length < 2) throw new MalformedFile(`segment length ${length}`);
    const data = m + 3;
    const end = m + 1 + length;
    if (end > b.length) throw new MalformedFile("segment runs past the end of the file");
    const isApp = (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
    // Reserved JPGn segments (0xF0-0xFD) are not needed to decode and may carry anything; JPEG-LS's
    // SOF55 (0xF7) and LSE (0xF8) are the exception, needed by a JPEG-LS picture.
    if (marker >= 0xf0 && marker <= 0xfd && marker !== 0xf7 && marker !== 0xf8) {
      found.add("other");
      changed = true;
    } else if (isApp) {
      if (keepSegment(marker, b, data, end, found, state)) {
        if (marker === 0xe0) {
          const jfif = jfifWithoutThumbnail(b, data, end, found);
          if (jfif.length !== end - i) changed = true;
          out.push(jfif);
        } else out.push(b.subarray(m - 1, end));
      } else {
        changed = true;
        if (marker === 0xe1 && exifAt < 0) exifAt = out.length;
      }
    } else {
      out.push(b.subarray(m - 1, end));
      if (marker === 0xda) inScan = true;
    }
    i = end;
  }
  if (!changed) return { kind: "nothing" };
  if (state.orientation !== null && state.orientation !== 1) {
    const tiff = orientationOnlyTiff(state.orientation);
    const length = 2 + 6 + tiff.length;
    const app1 = concat([Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff]), ascii("Exif\0\0"), tiff]);
    out.splice(exifAt < 0 ? 1 : exifAt, 0, app1);
  }
  return { kind: "cleaned", bytes: concat(out), found: found.list() };
}
