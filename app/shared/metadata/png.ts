// PNG at the chunk level (ADR 045): the chunks needed to show the picture are copied byte for
// byte (a list of them, so an unknown chunk, which may hold anything, is dropped); text chunks
// (tEXt, zTXt, iTXt, which carry XMP too), tIME, eXIf and private chunks go, and anything after
// IEND. The orientation of an eXIf chunk is kept in a one-tag eXIf.
import { crc32 } from "./crc32";
import { orientationOnlyTiff, readExif } from "./exif";
import { ascii, concat, Found, latin1, MalformedFile, xmpFindings, type CleanResult } from "./findings";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that shape the picture (PNG 3rd edition and APNG); everything else is dropped. */
const KEEP = new Set([
  "IHDR",
  "PLTE",
  "IDAT",
  "IEND",
  "tRNS",
  "cHRM",
  "gAMA",
  "iCCP",
  "sBIT",
  "sRGB",
  "cICP",
  "mDCV",
  "cLLI",
  "bKGD",
  "hIST",
  "pHYs",
  "sPLT",
  "acTL",
  "fcTL",
  "fdAT",
]);

export const isPng = (b: Uint8Array) => b.length >= 8 && SIGNATURE.every((v, i) => b[i] === v);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([ascii(type), data]);
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(typed, 4);
  v.setUint32(8 + data.length, crc32(typed));
  return out;
}

export function cleanPng(b: Uint8Array): CleanResult {
  if (!isPng(b)) throw new MalformedFile("not a PNG");
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const found = new Found();
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let orientation: number | null = null;
  let changed = false;
  let sawEnd = false;
  let i = 8;
  while (i < b.length) {
    if (i + 12 > b.length) throw new MalformedFile("truncated chunk");
    const length = view.getUint32(i);
    if (length > 0x7fffffff || i + 12 + length > b.length) throw new MalformedFile("chunk runs past the end of the file");
    const type = latin1(b.subarray(i + 4, i + 8));
    const data = b.subarray(i + 8, i + 8 + length);
    const end = i + 12 + length;
    if (KEEP.has(type)) out.push(b.subarray(i, end));
    else {
      changed = true;
      if (type === "tEXt" || type === "zTXt" || type === "iTXt") {
        const text = latin1(data.subarray(0, Math.min(data.length, 1 << 20)));
        if (text.startsWith("XML:com.adobe.xmp")) xmpFindings(text, found);
        else {
          found.add("textChunks");
          const key = text.slice(0, text.indexOf("\0")).toLowerCase();
          if (key === "author" || key === "copyright") found.add("author");
          else if (key === "software") found.add("software");
          else if (key === "creation time") found.add("dates");
          else if (key === "comment") found.add("comments");
          else if (key === "description" || key === "title") found.add("description");
          else if (key.startsWith("raw profile type")) found.add("exif");
        }
      } else if (type === "tIME") found.add("dates");
      else if (type === "eXIf") orientation ??= readExif(data, found).orientation;
      else found.add("other");
    }
    i = end;
    if (type === "IEND") {
      sawEnd = true;
      break;
    }
  }
  if (!sawEnd) throw new MalformedFile("no IEND");
  if (i < b.length) {
    changed = true;
    found.add("embeddedImages");
  }
  if (!changed) return { kind: "nothing" };
  if (orientation !== null && orientation !== 1) out.splice(2, 0, chunk("eXIf", orientationOnlyTiff(orientation)));
  return { kind: "cleaned", bytes: concat(out), found: found.list() };
}
