// WebP at the RIFF chunk level (ADR 045): the picture's chunks (VP8, VP8L, ALPH, ANIM, ANMF, ICCP,
// VP8X) are copied byte for byte; EXIF, XMP and unknown chunks are dropped, VP8X's flags and the
// RIFF size are updated. The orientation is kept in a one-tag EXIF chunk.
import { orientationOnlyTiff, readExif } from "./exif";
import { ascii, concat, Found, latin1, MalformedFile, xmpFindings, type CleanResult } from "./findings";

const KEEP = new Set(["VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP"]);
const EXIF_FLAG = 0x08;
const XMP_FLAG = 0x04;

export const isWebp = (b: Uint8Array) => b.length >= 12 && latin1(b.subarray(0, 4)) === "RIFF" && latin1(b.subarray(8, 12)) === "WEBP";

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  out.set(ascii(type));
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

export function cleanWebp(b: Uint8Array): CleanResult {
  if (!isWebp(b)) throw new MalformedFile("not a WebP");
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riffEnd = Math.min(b.length, 8 + view.getUint32(4, true));
  const found = new Found();
  const kept: Uint8Array[] = [];
  let vp8x: Uint8Array | null = null;
  let orientation: number | null = null;
  let changed = riffEnd < b.length; // bytes after the RIFF container
  if (changed) found.add("other");
  let i = 12;
  while (i < riffEnd) {
    if (i + 8 > riffEnd) throw new MalformedFile("truncated chunk");
    const type = latin1(b.subarray(i, i + 4));
    const size = view.getUint32(i + 4, true);
    const end = i + 8 + size + (size & 1);
    if (i + 8 + size > riffEnd) throw new MalformedFile("chunk runs past the end of the file");
    const data = b.subarray(i + 8, i + 8 + size);
    if (type === "VP8X") {
      if (size < 10) throw new MalformedFile("short VP8X");
      vp8x = b.slice(i, Math.min(end, riffEnd));
      kept.push(vp8x);
    } else if (KEEP.has(type)) kept.push(b.subarray(i, Math.min(end, riffEnd)));
    else {
      changed = true;
      if (type === "EXIF") {
        // Some writers put "Exif\0\0" before the TIFF header.
        const tiff = latin1(data.subarray(0, 6)) === "Exif\0\0" ? data.subarray(6) : data;
        orientation ??= readExif(tiff, found).orientation;
      } else if (type === "XMP ") xmpFindings(latin1(data), found);
      else found.add("other");
    }
    i = end;
  }
  if (!changed) return { kind: "nothing" };
  const keepOrientation = vp8x !== null && orientation !== null && orientation !== 1;
  if (vp8x) vp8x[8] = (vp8x[8]! & ~(EXIF_FLAG | XMP_FLAG)) | (keepOrientation ? EXIF_FLAG : 0);
  // EXIF goes after the image data (the container's order); only an extended file (VP8X) may carry it.
  if (keepOrientation) kept.push(riffChunk("EXIF", orientationOnlyTiff(orientation!)));
  const body = concat(kept);
  const header = new Uint8Array(12);
  header.set(ascii("RIFF"));
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set(ascii("WEBP"), 8);
  return { kind: "cleaned", bytes: concat([header, body]), found: found.list() };
}
