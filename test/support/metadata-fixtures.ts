// Synthetic files for the metadata cleaners' unit tests (ADR 045): each carries marker strings in
// the places a camera, an editor or an office suite puts identifying details, and picture or
// document bytes that must come through unchanged. Structure only: the end-to-end test
// (test/e2e/metadata.e2e.test.ts) uses real files made by Chromium and exiftool.
import { strToU8, zipSync } from "fflate";

export const SECRET = { make: "SECRETMAKE", author: "Kim Secretauthor", software: "SecretSoft 9", company: "Secret Holdings", gps: "SECRETGPS" };

export const enc = (s: string) => new TextEncoder().encode(s);
export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
export const u16be = (n: number) => [n >> 8, n & 255];
export const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** A big-endian TIFF/EXIF block: Make (ASCII), Orientation 6, a GPS IFD with an ASCII tag, and IFD1 (a thumbnail). */
export function exifTiff(): Uint8Array {
  const make = enc(SECRET.make + "\0");
  const gps = enc(SECRET.gps + "\0");
  // Layout: header 8 | IFD0 (3 entries) at 8: 2+36+4 = 42 -> 50 | GPS IFD at 50: 2+12+4 = 18 -> 68 | IFD1 at 68: 2+12+4 -> 86 | make at 86 | gps at 86+make
  const makeAt = 86;
  const gpsAt = makeAt + make.length;
  return cat(
    [0x4d, 0x4d, 0, 42, ...u32be(8)],
    [...u16be(3)],
    [...u16be(0x010f), ...u16be(2), ...u32be(make.length), ...u32be(makeAt)],
    [...u16be(0x0112), ...u16be(3), ...u32be(1), ...u16be(6), 0, 0],
    [...u16be(0x8825), ...u16be(4), ...u32be(1), ...u32be(50)],
    [...u32be(68)],
    [...u16be(1), ...u16be(0x001b), ...u16be(2), ...u32be(gps.length), ...u32be(gpsAt), ...u32be(0)],
    [...u16be(1), ...u16be(0x0201), ...u16be(4), ...u32be(1), ...u32be(0), ...u32be(0)],
    make,
    gps,
  );
}

export const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:creator>${"Kim Secretauthor"}</dc:creator><xmp:CreatorTool>SecretSoft 9</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta>`;

function segment(marker: number, payload: Uint8Array): Uint8Array {
  return cat([0xff, marker, ...u16be(payload.length + 2)], payload);
}

/** The bytes of the compressed picture (tables, frame, scan with stuffed bytes and a restart marker). */
export const JPEG_PICTURE = cat(
  segment(
    0xdb,
    Uint8Array.from({ length: 65 }, (_, i) => i),
  ),
  segment(0xc0, Uint8Array.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
  segment(0xda, Uint8Array.from([1, 1, 0, 0, 63, 0])),
  [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0x78],
);

export function jpeg(): Uint8Array {
  return cat(
    [0xff, 0xd8],
    segment(0xe0, cat(enc("JFIF\0"), [1, 2, 0, 0, 1, 0, 1, 1, 1], [9, 9, 9])), // a 1x1 thumbnail
    segment(0xe1, cat(enc("Exif\0\0"), exifTiff())),
    segment(0xe1, cat(enc("http://ns.adobe.com/xap/1.0/\0"), enc(XMP))),
    segment(0xe2, cat(enc("ICC_PROFILE\0"), [1, 1], enc("ICC-BYTES"))),
    segment(0xed, cat(enc("Photoshop 3.0\0"), enc(SECRET.author))),
    segment(0xfe, enc(SECRET.software)),
    JPEG_PICTURE,
    [0xff, 0xd9],
    enc("TRAILER" + SECRET.author),
  );
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  // The CRC is not checked by the cleaner; a fixed value keeps the fixture simple.
  return cat(u32be(data.length), enc(type), data, [0, 0, 0, 0]);
}
export const PNG_IDAT = pngChunk("IDAT", Uint8Array.from([1, 2, 3, 4, 5]));
export function png(): Uint8Array {
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pngChunk("IHDR", Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])),
    pngChunk("tEXt", enc("Author\0" + SECRET.author)),
    pngChunk("iTXt", enc("XML:com.adobe.xmp\0\0\0\0\0" + XMP)),
    pngChunk("tIME", Uint8Array.from([7, 234, 1, 2, 3, 4, 5])),
    pngChunk("eXIf", exifTiff()),
    pngChunk("prVt", enc(SECRET.company)),
    PNG_IDAT,
    pngChunk("IEND", new Uint8Array(0)),
    enc(SECRET.software),
  );
}

function riff(type: string, data: Uint8Array): Uint8Array {
  return cat(enc(type), u32le(data.length), data, data.length & 1 ? [0] : []);
}
export const WEBP_VP8 = riff("VP8 ", Uint8Array.from([1, 2, 3, 4, 5, 6, 7]));
export function webp(): Uint8Array {
  const body = cat(enc("WEBP"), riff("VP8X", Uint8Array.from([0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0])), WEBP_VP8, riff("EXIF", exifTiff()), riff("XMP ", enc(XMP)));
  return cat(enc("RIFF"), u32le(body.length), body);
}

export function box(type: string, ...payload: (Uint8Array | number[])[]): Uint8Array {
  const body = cat(...payload);
  return cat(u32be(8 + body.length), enc(type), body);
}
export const HEIF_CODED = enc("HEVC-CODED-PICTURE-BYTES");
/** ftyp, meta (iinf with an hvc1 item, an Exif item and an XMP item; iloc with their extents in mdat), mdat. */
export function heif(): Uint8Array {
  const exif = cat(u32be(6), enc("Exif\0\0"), exifTiff());
  const xmp = enc(XMP);
  const infe = (id: number, type: string, extra: Uint8Array = new Uint8Array(0)) => box("infe", [2, 0, 0, 0], u16be(id), [0, 0], enc(type), [0], extra);
  const iinf = box("iinf", [0, 0, 0, 0], u16be(3), infe(1, "hvc1"), infe(2, "Exif"), infe(3, "mime", cat(enc("application/rdf+xml"), [0])));
  const ilocFor = (offsets: number[]) =>
    box(
      "iloc",
      [1, 0, 0, 0],
      [0x44, 0x00],
      u16be(3),
      ...[HEIF_CODED, exif, xmp].map((data, i) => cat(u16be(i + 1), [0, 0], u16be(0), u16be(1), u32be(offsets[i]!), u32be(data.length))),
    );
  const ftyp = box("ftyp", enc("heic"), u32be(0), enc("mif1heic"));
  const sizeOfMeta = (iloc: Uint8Array) => box("meta", [0, 0, 0, 0], box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0], enc("pict"), new Uint8Array(13)), iinf, iloc).length;
  const metaLength = sizeOfMeta(ilocFor([0, 0, 0]));
  const mdatStart = ftyp.length + metaLength + 8;
  const offsets = [mdatStart, mdatStart + HEIF_CODED.length, mdatStart + HEIF_CODED.length + exif.length];
  const meta = box("meta", [0, 0, 0, 0], box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0], enc("pict"), new Uint8Array(13)), iinf, ilocFor(offsets));
  return cat(ftyp, meta, box("mdat", HEIF_CODED, exif, xmp));
}

export const DOC_TEXT = "The ledger is kept in the basement";
/** A .docx with the identifying parts an office suite writes, and a JPEG with EXIF in its media. */
export function docx(): Uint8Array {
  const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`;
  return zipSync({
    "[Content_Types].xml": strToU8(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`),
    "_rels/.rels": strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`),
    "word/document.xml": strToU8(
      `<?xml version="1.0"?><w:document ${w}><w:body><w:p><w:ins w:id="1" w:author="${SECRET.author}" w:date="2026-01-01T00:00:00Z"><w:r><w:t>${DOC_TEXT}</w:t></w:r></w:ins></w:p></w:body></w:document>`,
    ),
    "word/comments.xml": strToU8(
      `<?xml version="1.0"?><w:comments ${w}><w:comment w:id="0" w:author="${SECRET.author}" w:initials="KS"><w:p><w:r><w:t>Check this</w:t></w:r></w:p></w:comment></w:comments>`,
    ),
    "word/people.xml": strToU8(
      `<?xml version="1.0"?><w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="${SECRET.author}"><w15:presenceInfo w15:providerId="AD" w15:userId="kim@secret.example"/></w15:person></w15:people>`,
    ),
    "word/media/image1.jpeg": jpeg(),
    "docProps/core.xml": strToU8(
      `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${SECRET.author}</dc:creator><cp:lastModifiedBy>${SECRET.author}</cp:lastModifiedBy></cp:coreProperties>`,
    ),
    "docProps/app.xml": strToU8(
      `<?xml version="1.0"?><Properties><Company>${SECRET.company}</Company><Template>Secret.dotm</Template><Application>${SECRET.software}</Application></Properties>`,
    ),
    "docProps/custom.xml": strToU8(`<?xml version="1.0"?><Properties><property name="Owner"><vt:lpwstr>${SECRET.author}</vt:lpwstr></property></Properties>`),
  });
}

export const hasText = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text));
export const hasBytes = (bytes: Uint8Array, part: Uint8Array) => Buffer.from(bytes).includes(Buffer.from(part));
