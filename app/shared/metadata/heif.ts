// HEIC/HEIF (and AVIF, the same container) in place (ADR 045): the Exif and XMP items' bytes,
// found through the `meta` box's item information (iinf) and locations (iloc), are overwritten
// with zeros. No box moves, so every offset in the file stays right and the coded picture is
// untouched; the file keeps its size. The orientation of a HEIF picture is its `irot`/`imir`
// properties, not EXIF, so it is kept as it is. Only the file's top-level `meta` box is read: a
// `meta` inside `moov` (HEIF image sequences, some camera videos) is left as it is.
import { readExif } from "./exif";
import { Found, latin1, MalformedFile, xmpFindings, type CleanResult } from "./findings";

const BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "mif2", "msf1", "avif", "avis"]);
const MAX_ITEMS = 10_000;
const MAX_BOXES = 100_000;

interface Box {
  type: string;
  start: number;
  /** First byte of the payload (after the header). */
  body: number;
  end: number;
}

class Reader {
  private readonly view: DataView;
  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(at: number, n: number, end: number) {
    if (at < 0 || at + n > end) throw new MalformedFile(`field at ${at} runs past its box`);
  }
  uint(at: number, size: number, end: number): number {
    if (size === 0) return 0;
    this.need(at, size, end);
    if (size === 1) return this.b[at]!;
    if (size === 2) return this.view.getUint16(at);
    if (size === 4) return this.view.getUint32(at);
    if (size === 8) {
      const high = this.view.getUint32(at);
      if (high > 0x1fffff) throw new MalformedFile("64-bit offset beyond any file");
      return high * 2 ** 32 + this.view.getUint32(at + 4);
    }
    throw new MalformedFile(`field size ${size}`);
  }
  /** The boxes between `from` and `to`, each checked to lie inside them. */
  boxes(from: number, to: number, budget: { n: number }): Box[] {
    const out: Box[] = [];
    let at = from;
    while (at + 8 <= to) {
      if (++budget.n > MAX_BOXES) throw new MalformedFile("too many boxes");
      let size = this.uint(at, 4, to);
      const type = latin1(this.b.subarray(at + 4, at + 8));
      let body = at + 8;
      if (size === 1) {
        size = this.uint(at + 8, 8, to);
        body = at + 16;
      } else if (size === 0) size = to - at;
      if (size < body - at || at + size > to) throw new MalformedFile(`box ${type} runs past its parent`);
      out.push({ type, start: at, body, end: at + size });
      at += size;
    }
    return out;
  }
  cstring(at: number, end: number): [string, number] {
    let z = at;
    while (z < end && this.b[z] !== 0) z++;
    return [latin1(this.b.subarray(at, z)), Math.min(z + 1, end)];
  }
}

export function isHeif(b: Uint8Array): boolean {
  if (b.length < 16 || latin1(b.subarray(4, 8)) !== "ftyp") return false;
  const size = Math.min(b.length, new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0));
  for (let at = 8; at + 4 <= size; at += 4) if (at !== 12 && BRANDS.has(latin1(b.subarray(at, at + 4)))) return true;
  return false;
}

type Extent = { start: number; length: number };

export function cleanHeif(original: Uint8Array): CleanResult {
  if (!isHeif(original)) throw new MalformedFile("not HEIF");
  const r = new Reader(original);
  const budget = { n: 0 };
  const meta = r.boxes(0, original.length, budget).find((x) => x.type === "meta");
  if (!meta) return { kind: "nothing" };
  const children = r.boxes(meta.body + 4, meta.end, budget); // meta is a full box
  // Which items are metadata: iinf's entries (infe v2/v3) of type Exif, or mime XMP.
  const targets = new Map<number, "exif" | "xmp">();
  const iinf = children.find((x) => x.type === "iinf");
  if (iinf) {
    const version = r.uint(iinf.body, 1, iinf.end);
    const entriesAt = iinf.body + 4 + (version === 0 ? 2 : 4);
    for (const infe of r.boxes(entriesAt, iinf.end, budget)) {
      if (infe.type !== "infe") continue;
      const v = r.uint(infe.body, 1, infe.end);
      if (v < 2) continue;
      const idSize = v === 2 ? 2 : 4;
      const id = r.uint(infe.body + 4, idSize, infe.end);
      const typeAt = infe.body + 4 + idSize + 2;
      r.need(typeAt, 4, infe.end);
      const itemType = latin1(original.subarray(typeAt, typeAt + 4));
      if (itemType === "Exif") targets.set(id, "exif");
      else if (itemType === "mime") {
        const [, afterName] = r.cstring(typeAt + 4, infe.end);
        const [contentType] = r.cstring(afterName, infe.end);
        if (/rdf\+xml|xmp/i.test(contentType)) targets.set(id, "xmp");
      }
      if (targets.size > MAX_ITEMS) throw new MalformedFile("too many items");
    }
  }
  if (targets.size === 0) return { kind: "nothing" };
  const idat = children.find((x) => x.type === "idat");
  const iloc = children.find((x) => x.type === "iloc");
  if (!iloc) throw new MalformedFile("items without locations");
  const extents = new Map<number, Extent[]>();
  const v = r.uint(iloc.body, 1, iloc.end);
  let at = iloc.body + 4;
  const sizes1 = r.uint(at, 1, iloc.end);
  const sizes2 = r.uint(at + 1, 1, iloc.end);
  const offsetSize = sizes1 >> 4;
  const lengthSize = sizes1 & 15;
  const baseSize = sizes2 >> 4;
  const indexSize = v === 1 || v === 2 ? sizes2 & 15 : 0;
  at += 2;
  const count = r.uint(at, v < 2 ? 2 : 4, iloc.end);
  at += v < 2 ? 2 : 4;
  if (count > MAX_ITEMS) throw new MalformedFile("too many item locations");
  // Zero-width fields take no bytes, so the box's size alone does not bound the extents: it does here.
  let extentsLeft = iloc.end - iloc.body;
  for (let i = 0; i < count; i++) {
    const id = r.uint(at, v < 2 ? 2 : 4, iloc.end);
    at += v < 2 ? 2 : 4;
    let method = 0;
    if (v === 1 || v === 2) {
      method = r.uint(at, 2, iloc.end) & 15;
      at += 2;
    }
    const dataRef = r.uint(at, 2, iloc.end);
    at += 2;
    const base = r.uint(at, baseSize, iloc.end);
    at += baseSize;
    const extentCount = r.uint(at, 2, iloc.end);
    at += 2;
    const list: Extent[] = [];
    if (extentCount > extentsLeft) throw new MalformedFile("more extents than the iloc box holds bytes");
    extentsLeft -= extentCount;
    for (let e = 0; e < extentCount; e++) {
      at += indexSize;
      const offset = r.uint(at, offsetSize, iloc.end);
      at += offsetSize;
      const length = r.uint(at, lengthSize, iloc.end);
      at += lengthSize;
      if (!targets.has(id)) continue;
      if (dataRef !== 0) throw new MalformedFile("metadata in another file");
      let start: number;
      let limit: number;
      if (method === 0) {
        start = base + offset;
        limit = original.length;
      } else if (method === 1 && idat) {
        start = idat.body + base + offset;
        limit = idat.end;
      } else throw new MalformedFile(`construction method ${method}`);
      const len = length === 0 ? limit - start : length;
      if (start < 0 || start + len > limit) throw new MalformedFile("item extent outside the file");
      list.push({ start, length: len });
    }
    if (targets.has(id)) extents.set(id, list);
  }
  const found = new Found();
  const bytes = original.slice();
  let blanked = false;
  for (const [id, kind] of targets) {
    const list = extents.get(id) ?? [];
    const payload = new Uint8Array(list.reduce((n, x) => n + x.length, 0));
    let p = 0;
    for (const x of list) {
      payload.set(original.subarray(x.start, x.start + x.length), p);
      p += x.length;
      bytes.fill(0, x.start, x.start + x.length);
      if (x.length > 0) blanked = true;
    }
    if (kind === "xmp") xmpFindings(latin1(payload.subarray(0, 1 << 20)), found);
    else if (payload.length >= 4) {
      // The Exif item: a 32-bit offset to the TIFF header, then (usually "Exif\0\0" and) the TIFF block.
      const skip = 4 + new DataView(payload.buffer).getUint32(0);
      readExif(payload.subarray(Math.min(skip, payload.length)), found);
    }
  }
  if (!blanked) return { kind: "nothing" };
  return { kind: "cleaned", bytes, found: found.list() };
}
