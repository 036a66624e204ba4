// The metadata cleaners (ADR 045) on synthetic files and on hostile ones: what identifies is gone,
// the picture or document bytes are untouched, and a truncated, lying or bomb-like file ends in a
// clear outcome (never an exception, never a hang, never more memory than its bounds).
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { cleanBytes, MAX_CLEAN_BYTES } from "../../app/shared/metadata/clean";
import { readExif } from "../../app/shared/metadata/exif";
import type { CleanResult } from "../../app/shared/metadata/findings";
import { OOXML_LIMITS } from "../../app/shared/metadata/ooxml";
import {
  box,
  cat,
  docx,
  enc,
  DOC_TEXT,
  hasBytes,
  hasText,
  heif,
  HEIF_CODED,
  JPEG_PICTURE,
  jpeg,
  png,
  PNG_IDAT,
  SECRET,
  u16be,
  u32be,
  webp,
  WEBP_VP8,
} from "../support/metadata-fixtures";

const SECRETS = Object.values(SECRET);
function cleaned(result: CleanResult): { bytes: Uint8Array; found: string[]; kept?: string[] } {
  if (result.kind !== "cleaned") throw new Error(`expected cleaned, got ${JSON.stringify(result)}`);
  return result;
}
const noSecrets = (bytes: Uint8Array) => expect(SECRETS.filter((s) => hasText(bytes, s))).toEqual([]);

describe("pictures", () => {
  it("JPEG: EXIF, XMP, APP13, comments, the JFIF thumbnail and the trailer go; the picture, ICC profile and orientation stay", async () => {
    const r = cleaned(await cleanBytes(jpeg()));
    noSecrets(r.bytes);
    expect(hasBytes(r.bytes, JPEG_PICTURE)).toBe(true);
    expect(hasText(r.bytes, "ICC-BYTES")).toBe(true);
    expect(r.found).toEqual(expect.arrayContaining(["gps", "camera", "author", "software", "comments", "thumbnail", "embeddedImages", "exif", "xmp", "iptc"]));
    const at = Buffer.from(r.bytes).indexOf("Exif\0\0");
    expect(readExif(r.bytes.subarray(at + 6)).orientation).toBe(6);
    expect(Array.from(r.bytes.subarray(-2))).toEqual([0xff, 0xd9]);
    // Cleaning again finds nothing left: the orientation block is the cleaner's own.
    expect((await cleanBytes(r.bytes)).kind).toBe("nothing");
  });

  it("PNG: text chunks, tIME, eXIf, private chunks and data after IEND go; the image chunks stay", async () => {
    const r = cleaned(await cleanBytes(png()));
    noSecrets(r.bytes);
    expect(hasBytes(r.bytes, PNG_IDAT)).toBe(true);
    expect(r.found).toEqual(expect.arrayContaining(["gps", "camera", "author", "dates", "xmp", "textChunks", "other", "embeddedImages"]));
    expect(hasText(r.bytes, "eXIf")).toBe(true); // orientation 6 kept
  });

  it("WebP: EXIF and XMP chunks go, VP8X flags and RIFF size follow; the bitstream stays", async () => {
    const r = cleaned(await cleanBytes(webp()));
    noSecrets(r.bytes);
    expect(hasBytes(r.bytes, WEBP_VP8)).toBe(true);
    const v = new DataView(r.bytes.buffer, r.bytes.byteOffset);
    expect(v.getUint32(4, true)).toBe(r.bytes.length - 8);
    expect(r.bytes[20]! & 0x04).toBe(0); // XMP flag cleared; EXIF flag kept for the orientation block
    expect(r.found).toEqual(expect.arrayContaining(["gps", "camera", "xmp", "author"]));
  });

  it("HEIF: the Exif and XMP items are zeroed in place; the coded picture and every offset stay", async () => {
    const original = heif();
    const r = cleaned(await cleanBytes(original));
    noSecrets(r.bytes);
    expect(r.bytes.length).toBe(original.length);
    expect(hasBytes(r.bytes, HEIF_CODED)).toBe(true);
    const differing = r.bytes.reduce((n, b, i) => n + (b !== original[i] ? 1 : 0), 0);
    expect(differing).toBeGreaterThan(0);
    expect(r.found).toEqual(expect.arrayContaining(["gps", "camera", "xmp", "author"]));
  });
});

describe("pictures: second read (issue 19)", () => {
  it("JPEG: reserved JPGn segments (0xF0-0xFD) are dropped; the picture stays", async () => {
    const original = jpeg();
    const withJpg = cat(original.subarray(0, 2), [0xff, 0xf3, ...u16be(2 + SECRET.gps.length)], enc(SECRET.gps), original.subarray(2));
    const r = cleaned(await cleanBytes(withJpg));
    noSecrets(r.bytes);
    expect(hasBytes(r.bytes, JPEG_PICTURE)).toBe(true);
    expect(r.found).toContain("other");
  });

  it("HEIF: an iloc with zero-width fields cannot list more extents than its box has bytes", async () => {
    const infe = box("infe", [2, 0, 0, 0], u16be(1), [0, 0], enc("Exif"), [0]);
    const iinf = box("iinf", [0, 0, 0, 0], u16be(1), infe);
    // Offset, length, base sizes all 0: each extent takes no bytes; one item with 65,535 of them.
    const iloc = box("iloc", [0, 0, 0, 0], [0x00, 0x00], u16be(1), u16be(1), u16be(0), u16be(0xffff));
    const file = cat(box("ftyp", enc("heic"), u32be(0), enc("mif1heic")), box("meta", [0, 0, 0, 0], iinf, iloc), box("mdat", enc(SECRET.gps)));
    expect(await cleanBytes(file)).toEqual({ kind: "failed", reason: "malformed" });
  });
});

describe("documents", () => {
  it("DOCX: core, app and custom properties emptied, comment and revision authors and people blanked, pictures inside cleaned; the text stays", async () => {
    const r = cleaned(await cleanBytes(docx()));
    const files = unzipSync(r.bytes);
    for (const [name, data] of Object.entries(files))
      expect(
        SECRETS.filter((s) => hasText(data, s)),
        name,
      ).toEqual([]);
    expect(hasText(r.bytes, "kim@secret.example")).toBe(false);
    expect(strFromU8(files["word/document.xml"]!)).toContain(DOC_TEXT);
    expect(strFromU8(files["word/comments.xml"]!)).toContain("Check this");
    expect(hasBytes(files["word/media/image1.jpeg"]!, JPEG_PICTURE)).toBe(true);
    expect(r.found).toEqual(expect.arrayContaining(["author", "company", "template", "software", "customProperties", "commentAuthors", "people", "gps"]));
  });

  it("XLSX and PPTX: comment authors, threaded-comment people and comment-author lists are blanked; the cells and slides stay", async () => {
    const xlsx = zipSync({
      "[Content_Types].xml": strToU8("<Types/>"),
      "xl/sharedStrings.xml": strToU8("<sst><si><t>Q3 totals</t></si></sst>"),
      "xl/comments1.xml": strToU8(
        `<comments><authors><author>${SECRET.author}</author></authors><commentList><comment ref="A1" authorId="0"><text><t>Check</t></text></comment></commentList></comments>`,
      ),
      "xl/persons/person.xml": strToU8(
        `<personList><person displayName="${SECRET.author}" id="{1}" userId="kim@secret.example" providerId="AD"/></personList>`,
      ),
      "docProps/app.xml": strToU8(`<Properties><Company>${SECRET.company}</Company></Properties>`),
    });
    const x = cleaned(await cleanBytes(xlsx));
    noSecrets(x.bytes);
    expect(hasText(x.bytes, "kim@secret.example")).toBe(false);
    expect(strFromU8(unzipSync(x.bytes)["xl/sharedStrings.xml"]!)).toContain("Q3 totals");
    expect(x.found).toEqual(expect.arrayContaining(["commentAuthors", "people", "company"]));
    const pptx = zipSync({
      "[Content_Types].xml": strToU8("<Types/>"),
      "ppt/slides/slide1.xml": strToU8("<p:sld><a:t>Slide text</a:t></p:sld>"),
      "ppt/commentAuthors.xml": strToU8(`<p:cmAuthorLst><p:cmAuthor id="1" name="${SECRET.author}" initials="KS" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>`),
    });
    const p = cleaned(await cleanBytes(pptx));
    noSecrets(p.bytes);
    expect(strFromU8(unzipSync(p.bytes)["ppt/slides/slide1.xml"]!)).toContain("Slide text");
    expect(p.found).toContain("commentAuthors");
  });

  it("DOCX: the attached template's path, customXml parts, a thumbnail and embedded documents are cleaned; an OLE object is reported as not cleaned", async () => {
    const base = unzipSync(docx());
    const rels = (...items: string[]) =>
      strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items.join("")}</Relationships>`);
    const rel = (id: string, type: string, target: string, external = false) =>
      `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"${external ? ' TargetMode="External"' : ""}/>`;
    const inner = zipSync({
      "[Content_Types].xml": strToU8("<Types/>"),
      "xl/workbook.xml": strToU8("<workbook><sheets/></workbook>"),
      "docProps/core.xml": strToU8(`<cp:coreProperties><dc:creator>${SECRET.author}</dc:creator></cp:coreProperties>`),
      "xl/embeddings/oleObject1.bin": Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0]), // reported, and the sheet still cleaned
    });
    const file = zipSync({
      ...base,
      "[Content_Types].xml": strToU8(
        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/></Types>`,
      ),
      "word/settings.xml": strToU8(`<w:settings><w:attachedTemplate r:id="rId1"/></w:settings>`),
      "word/_rels/settings.xml.rels": rels(
        rel("rId1", "attachedTemplate", `file:///C:\\Users\\${SECRET.author}\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm`, true),
      ),
      "word/_rels/document.xml.rels": rels(
        rel("rId1", "customXml", "../customXml/item1.xml"),
        rel("rId2", "image", "media/image1.jpeg"),
        rel("rId3", "package", "embeddings/Sheet.xlsx"),
        rel("rId4", "oleObject", "embeddings/oleObject1.bin"),
      ),
      "customXml/item1.xml": strToU8(`<p:properties><Author>${SECRET.author}</Author><Email>kim@secret.example</Email></p:properties>`),
      "customXml/itemProps1.xml": strToU8(`<ds:datastoreItem ds:itemID="{1}"/>`),
      "customXml/_rels/item1.xml.rels": rels(rel("rId1", "customXmlProps", "itemProps1.xml")),
      "docProps/thumbnail.jpeg": jpeg(),
      "word/embeddings/Sheet.xlsx": inner,
      "word/embeddings/oleObject1.bin": Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
    });
    const r = cleaned(await cleanBytes(file));
    const files = unzipSync(r.bytes);
    const nested = unzipSync(files["word/embeddings/Sheet.xlsx"]!);
    for (const [name, data] of [...Object.entries(files), ...Object.entries(nested)])
      expect(
        SECRETS.filter((s) => hasText(data, s)),
        name,
      ).toEqual([]);
    expect(hasText(r.bytes, "kim@secret.example")).toBe(false);
    expect(Object.keys(files).filter((n) => n.startsWith("customXml/"))).toEqual([]);
    expect(strFromU8(files["[Content_Types].xml"]!)).not.toContain("customXml");
    expect(strFromU8(files["[Content_Types].xml"]!)).toContain("/word/document.xml");
    const documentRels = strFromU8(files["word/_rels/document.xml.rels"]!);
    expect(documentRels).not.toContain("customXml");
    expect(documentRels).toContain("media/image1.jpeg");
    expect(strFromU8(files["word/_rels/settings.xml.rels"]!)).toContain('Target=""');
    expect(hasBytes(files["docProps/thumbnail.jpeg"]!, JPEG_PICTURE)).toBe(true);
    expect(files["word/embeddings/oleObject1.bin"]).toBeDefined();
    expect(r.found).toEqual(expect.arrayContaining(["author", "template", "customXml", "gps", "camera"]));
    expect(r.kept).toEqual(["embeddedObjects"]);
  });

  it("XLSX: the workbook's own path is blanked and printer settings are dropped with their relationship and reference", async () => {
    const file = zipSync({
      "[Content_Types].xml": strToU8(
        `<Types><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/><Override PartName="/xl/printerSettings/printerSettings1.bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/></Types>`,
      ),
      "xl/workbook.xml": strToU8(
        `<workbook xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"><x15ac:absPath url="C:\\Users\\${SECRET.author}\\Documents\\" xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"/><sheets/></workbook>`,
      ),
      "xl/worksheets/sheet1.xml": strToU8(
        `<worksheet><sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData><pageSetup orientation="portrait" r:id="rId1"/></worksheet>`,
      ),
      "xl/worksheets/_rels/sheet1.xml.rels": strToU8(
        `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/printerSettings" Target="../printerSettings/printerSettings1.bin"/></Relationships>`,
      ),
      "xl/printerSettings/printerSettings1.bin": strToU8(`\\\\PRINTSRV\\${SECRET.company}`),
    });
    const r = cleaned(await cleanBytes(file));
    noSecrets(r.bytes);
    const files = unzipSync(r.bytes);
    expect(files["xl/printerSettings/printerSettings1.bin"]).toBeUndefined();
    expect(strFromU8(files["xl/worksheets/_rels/sheet1.xml.rels"]!)).not.toContain("printerSettings");
    expect(strFromU8(files["[Content_Types].xml"]!)).not.toContain("/xl/printerSettings/");
    const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]!);
    expect(sheet).toContain('<pageSetup orientation="portrait"/>');
    expect(sheet).toContain("<v>42</v>");
    expect(strFromU8(files["xl/workbook.xml"]!)).toContain('url=""');
    expect(r.found).toEqual(expect.arrayContaining(["filePath", "printer"]));
  });

  it("PDF: JPEG pictures lose their EXIF with the coded picture byte for byte; attached files and file attachment annotations are dropped", async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage([200, 100]);
    const picture = doc.context.register(
      doc.context.stream(jpeg(), {
        Type: "XObject",
        Subtype: "Image",
        Width: 1,
        Height: 1,
        ColorSpace: "DeviceGray",
        BitsPerComponent: 8,
        Filter: "DCTDecode",
      }),
    );
    page.node.setXObject(PDFName.of("Im1"), picture);
    page.pushOperators(); // keeps the page's content valid; the picture need not be drawn to be kept
    await doc.attach(enc("attached"), `${SECRET.gps}.txt`, { mimeType: "text/plain" });
    const attached = doc.context.register(doc.context.stream(SECRET.company, { Type: "EmbeddedFile" }));
    const spec = doc.context.obj({ Type: "Filespec", F: PDFString.of("note.txt"), EF: { F: attached } });
    const annot = doc.context.register(doc.context.obj({ Type: "Annot", Subtype: "FileAttachment", Rect: [0, 0, 10, 10], FS: spec }));
    page.node.set(PDFName.of("Annots"), doc.context.obj([annot]));
    const r = cleaned(await cleanBytes(await doc.save({ useObjectStreams: false })));
    noSecrets(r.bytes);
    expect(hasBytes(r.bytes, JPEG_PICTURE)).toBe(true);
    expect(r.found).toEqual(expect.arrayContaining(["gps", "camera", "embeddedFiles"]));
    const back = await PDFDocument.load(r.bytes);
    expect(back.catalog.lookupMaybe(PDFName.of("Names"), PDFDict)?.has(PDFName.of("EmbeddedFiles")) ?? false).toBe(false);
    expect(back.getPage(0).node.lookupMaybe(PDFName.of("Annots"), PDFArray)?.size() ?? 0).toBe(0);
  });

  it("PDF: the information dictionary, XMP and the earlier revision that still held them are gone; pages and text stay", async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage([200, 100]);
    page.drawText("Ledger page one", { x: 10, y: 50, font: await doc.embedFont(StandardFonts.Helvetica), size: 12 });
    doc.setAuthor(SECRET.author);
    doc.setProducer(SECRET.software);
    const xmp = doc.context.stream(`<x:xmpmeta><dc:creator>${SECRET.company}</dc:creator></x:xmpmeta>`, { Type: "Metadata", Subtype: "XML" });
    doc.catalog.set(PDFName.of("Metadata"), doc.context.register(xmp));
    const first = await doc.save({ useObjectStreams: false });
    // An incremental update, as exiftool writes one: a new Info object; the old one stays in the file.
    const text = Buffer.from(first).toString("latin1");
    const root = /\/Root (\d+ 0 R)/.exec(text)![1];
    const size = Number(/\/Size (\d+)/.exec(text)![1]);
    const startxref = Number(/startxref\s+(\d+)/.exec(text)![1]);
    const info = `${size} 0 obj\n<< /Author (${SECRET.gps}) >>\nendobj\n`;
    const at = first.length;
    const update = `${info}xref\n${size} 1\n${String(at).padStart(10, "0")} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${startxref} >>\nstartxref\n${at + info.length}\n%%EOF\n`;
    const updated = cat(first, Buffer.from(update, "latin1"));
    const r = cleaned(await cleanBytes(updated));
    noSecrets(r.bytes);
    // What is named is the latest revision's; the earlier one's producer is removed with it unnamed.
    expect(r.found).toEqual(expect.arrayContaining(["author", "documentInfo", "xmp", "earlierRevisions"]));
    const back = await PDFDocument.load(r.bytes);
    expect(back.getPageCount()).toBe(1);
    expect(back.getAuthor()).toBeUndefined();
  });

  it("a PDF without metadata is left alone, and an encrypted one is sent as it is with its reason", async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage();
    expect((await cleanBytes(await doc.save())).kind).toBe("nothing");
    const enc = await doc.save({ useObjectStreams: false });
    const text = Buffer.from(enc).toString("latin1").replace("/Root", "/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >> /Root");
    expect(await cleanBytes(Buffer.from(text, "latin1"))).toEqual({ kind: "failed", reason: "encrypted" });
  });
});

describe("hostile input", () => {
  const samples: [string, () => Uint8Array][] = [
    ["jpeg", jpeg],
    ["png", png],
    ["webp", webp],
    ["heif", heif],
    ["docx", docx],
  ];

  it.each(samples)("%s cut short at every length: a clear outcome, and a cleaned result never holds a secret", async (_, make) => {
    const whole = make();
    const step = Math.max(1, Math.floor(whole.length / 300));
    for (let n = 0; n < whole.length; n += step) {
      const r = await cleanBytes(whole.slice(0, n));
      expect(["cleaned", "nothing", "unsupported", "failed"]).toContain(r.kind);
      if (r.kind === "cleaned") noSecrets(r.bytes);
    }
  });

  it.each(samples)("%s with random bytes changed: a clear outcome every time", async (_, make) => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const bytes = make();
      for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const r = await cleanBytes(bytes);
      expect(["cleaned", "nothing", "unsupported", "failed"]).toContain(r.kind);
    }
  });

  it("lying lengths are refused, not followed", async () => {
    const j = jpeg();
    j[4] = 0xff; // JFIF APP0 claims 65 KiB
    j[5] = 0xff;
    expect(await cleanBytes(j)).toEqual({ kind: "failed", reason: "malformed" });
    const p = png();
    new DataView(p.buffer).setUint32(33, 0x7ffffff0); // the first chunk after IHDR claims 2 GiB
    expect(await cleanBytes(p)).toEqual({ kind: "failed", reason: "malformed" });
    const w = webp();
    new DataView(w.buffer).setUint32(16, 0xfffffff0, true); // VP8X claims 4 GiB
    expect(await cleanBytes(w)).toEqual({ kind: "failed", reason: "malformed" });
    const h = heif();
    const iloc = Buffer.from(h).indexOf("iloc");
    new DataView(h.buffer).setUint32(iloc + 4 + 4 + 2 + 2 + 2 + 2 + 2 + 2 + 4 + 4 + 2 + 2 + 2 + 2, 0x7fffffff); // the Exif extent's offset
    expect((await cleanBytes(h)).kind).toBe("failed");
    const box = heif();
    new DataView(box.buffer).setUint32(Buffer.from(box).indexOf("meta") - 4, 0x7fffffff); // meta runs past the file
    expect(await cleanBytes(box)).toEqual({ kind: "failed", reason: "malformed" });
  });

  it("a zip bomb in an Office file: refused on its declared sizes before any inflating, or stopped as soon as an entry outgrows its declared size", async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const bomb = zipSync({ "[Content_Types].xml": new Uint8Array(3), "word/document.xml": zeros }, { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    // Declared honestly, 64 MiB is within bounds; told it may be at most 1 MiB, refused before inflating.
    const saved = OOXML_LIMITS.unpackedBytes;
    OOXML_LIMITS.unpackedBytes = 1024 * 1024;
    try {
      expect(await cleanBytes(bomb)).toEqual({ kind: "failed", reason: "too_large" });
    } finally {
      OOXML_LIMITS.unpackedBytes = saved;
    }
    // Lying: the central directory and local header say 100 bytes.
    const lying = bomb.slice();
    const v = new DataView(lying.buffer);
    for (let i = 0; i + 4 <= lying.length; i++) {
      const sig = v.getUint32(i, true);
      if (sig === 0x02014b50 && strFromU8(lying.subarray(i + 46, i + 46 + v.getUint16(i + 28, true))) === "word/document.xml") v.setUint32(i + 24, 100, true);
    }
    expect(await cleanBytes(lying)).toEqual({ kind: "failed", reason: "malformed" });
  });

  it("too many entries, and a file above the size bound, are not taken on", async () => {
    const many: Record<string, Uint8Array> = { "[Content_Types].xml": new Uint8Array(1) };
    for (let i = 0; i <= OOXML_LIMITS.entries; i++) many[`word/x${i}.xml`] = new Uint8Array(0);
    expect(await cleanBytes(zipSync(many))).toEqual({ kind: "failed", reason: "too_large" });
    expect(MAX_CLEAN_BYTES).toBeGreaterThan(0);
  });

  it("documents inside documents share the entry budget: past it, the embedded one is reported as not cleaned", async () => {
    const part = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`xl/x${i}.xml`, strToU8("<x/>")]));
    const inner = zipSync({ "[Content_Types].xml": strToU8("<Types/>"), ...part(5) });
    const outer = zipSync({
      "[Content_Types].xml": strToU8("<Types/>"),
      "docProps/app.xml": strToU8(`<Properties><Company>${SECRET.company}</Company></Properties>`),
      "word/document.xml": strToU8("<w:document/>"),
      "word/embeddings/Sheet.xlsx": inner,
    });
    const saved = OOXML_LIMITS.entries;
    OOXML_LIMITS.entries = 8; // each alone is within it (4 and 6 entries), together they are not
    try {
      const r = cleaned(await cleanBytes(outer));
      expect(r.kept).toEqual(["embeddedObjects"]);
      noSecrets(r.bytes);
    } finally {
      OOXML_LIMITS.entries = saved;
    }
  });

  it("unknown types are reported as not cleaned", async () => {
    expect(await cleanBytes(new TextEncoder().encode("plain text"))).toEqual({ kind: "unsupported" });
    expect(await cleanBytes(zipSync({ "a.txt": new Uint8Array(3) }))).toEqual({ kind: "unsupported" });
  });
});
