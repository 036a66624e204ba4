// PDF through pdf-lib (ADR 045): the document information dictionary (author, creator, producer,
// dates), every XMP stream (/Metadata of the catalog, pages, images), /PieceInfo, the trailer's
// /ID, markup annotations' author and dates, and attached files are removed; JPEG pictures lose
// their EXIF and XMP (jpeg.ts, the coded picture kept byte for byte); then every object no longer reachable
// from the catalog, the earlier revisions of an incrementally updated file with them, is dropped
// and the file is written afresh. Pages, their content streams, fonts and images are copied as
// they are, so the text and pictures stay.
import { PDFArray, PDFContext, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream, ParseSpeeds, type PDFObject } from "pdf-lib";
import { Found, latin1, MalformedFile, type CleanResult } from "./findings";
import { cleanJpeg } from "./jpeg";

export const isPdf = (b: Uint8Array) => b.length >= 5 && latin1(b.subarray(0, 1024)).includes("%PDF-");

const INFO_FINDINGS: Record<string, "author" | "software" | "dates" | "description"> = {
  Author: "author",
  Creator: "software",
  Producer: "software",
  CreationDate: "dates",
  ModDate: "dates",
  Title: "description",
  Subject: "description",
  Keywords: "description",
};

class EncryptedPdf extends Error {
  override name = "EncryptedPdf";
}
export { EncryptedPdf };

const name = (s: string) => PDFName.of(s);

function dictOf(object: PDFObject | undefined): PDFDict | undefined {
  if (object instanceof PDFDict) return object;
  if (object instanceof PDFStream) return object.dict;
  return undefined;
}

export async function cleanPdf(bytes: Uint8Array): Promise<CleanResult> {
  if (!isPdf(bytes)) throw new MalformedFile("not a PDF");
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest, throwOnInvalidObject: false });
  } catch (cause) {
    // pdf-lib is compiled to ES5: its EncryptedPDFError is neither named nor matched by instanceof.
    if (cause instanceof Error && /is encrypted/.test(cause.message)) throw new EncryptedPdf("encrypted PDF", { cause });
    throw new MalformedFile("PDF could not be parsed", { cause });
  }
  const context = doc.context;
  const found = new Found();
  const info = dictOf(context.lookup(context.trailerInfo.Info));
  if (info) {
    found.add("documentInfo");
    for (const [key] of info.entries()) {
      const kind = INFO_FINDINGS[key.decodeText()];
      if (kind) found.add(kind);
    }
  }
  context.trailerInfo.Info = undefined;
  context.trailerInfo.ID = undefined;
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    for (const dict of directDicts(object)) cleanDict(context, dict, found);
    if (object instanceof PDFRawStream && isDct(object.dict)) cleanPicture(context, ref, object, found);
  }
  const removed = collectGarbage(doc);
  const revisions = (latin1(bytes).match(/startxref/g) ?? []).length;
  if (removed > 0 && revisions > 1) found.add("earlierRevisions");
  if (found.size === 0 && revisions <= 1) return { kind: "nothing" };
  const out = await doc.save({ useObjectStreams: false, updateFieldAppearances: false, addDefaultPage: false });
  return { kind: "cleaned", bytes: out, found: found.list() };
}

/** The dictionaries an object holds directly (an annotation written inside its page's /Annots, a file spec inside it). */
function directDicts(root: PDFObject): PDFDict[] {
  const out: PDFDict[] = [];
  const stack: PDFObject[] = [root];
  while (stack.length > 0) {
    const object = stack.pop()!;
    if (object instanceof PDFArray) stack.push(...object.asArray());
    else {
      const dict = dictOf(object);
      if (!dict) continue;
      out.push(dict);
      for (const [, value] of dict.entries()) if (!(value instanceof PDFRef)) stack.push(value);
    }
  }
  return out;
}

function cleanDict(context: PDFContext, dict: PDFDict, found: Found): void {
  if (dict.has(name("Metadata"))) {
    found.add("xmp");
    dict.delete(name("Metadata"));
  }
  if (dict.has(name("PieceInfo"))) {
    found.add("other");
    dict.delete(name("PieceInfo"));
  }
  if (dict.has(name("LastModified"))) {
    found.add("dates");
    dict.delete(name("LastModified"));
  }
  // Markup annotations (comments, highlights): /T is their author; a form field's /T is its name and stays.
  const subtype = dict.get(name("Subtype"));
  const isMarkup = dict.get(name("Type")) === name("Annot") && subtype instanceof PDFName && subtype !== name("Widget") && subtype !== name("Link");
  if (isMarkup || (dict.has(name("Popup")) && dict.has(name("T")) && subtype !== name("Widget"))) {
    if (dict.has(name("T"))) found.add("commentAuthors");
    dict.delete(name("T"));
    dict.delete(name("M"));
    dict.delete(name("CreationDate"));
  }
  // Attached files, which keep their own metadata: the file specs' contents (/EF), the catalog's list
  // of them (/Names /EmbeddedFiles), associated files (/AF), portfolios, and file attachment annotations.
  for (const key of ["EF", "EmbeddedFiles", "AF", "Collection"]) {
    if (dict.has(name(key))) {
      found.add("embeddedFiles");
      dict.delete(name(key));
    }
  }
  const annots = context.lookup(dict.get(name("Annots")));
  if (annots instanceof PDFArray) {
    for (let i = annots.size() - 1; i >= 0; i--) {
      if (dictOf(context.lookup(annots.get(i)))?.get(name("Subtype")) === name("FileAttachment")) {
        found.add("embeddedFiles");
        annots.remove(i);
      }
    }
  }
}

/** A JPEG image stream: /Filter /DCTDecode, alone (a JPEG further compressed is left as it is). */
function isDct(dict: PDFDict): boolean {
  const filter = dict.get(name("Filter"));
  if (filter instanceof PDFArray) return filter.size() === 1 && filter.get(0) === name("DCTDecode");
  return filter === name("DCTDecode");
}

/** A JPEG inside the PDF loses its EXIF, XMP and comments like a JPEG file; its coded picture stays byte for byte. */
function cleanPicture(context: PDFContext, ref: PDFRef, stream: PDFRawStream, found: Found): void {
  let result: CleanResult;
  try {
    result = cleanJpeg(stream.contents);
  } catch (error) {
    if (error instanceof MalformedFile) return; // not a JPEG the cleaner reads: the viewer may still draw it
    throw error;
  }
  if (result.kind !== "cleaned") return;
  found.add(...result.found);
  context.assign(ref, PDFRawStream.of(stream.dict, result.bytes));
}

/** Drops every indirect object the catalog does not reach (old revisions, the removed dictionaries); returns how many. */
function collectGarbage(doc: PDFDocument): number {
  const context = doc.context;
  const reached = new Set<string>();
  const stack: PDFObject[] = [];
  const root = context.trailerInfo.Root;
  if (!(root instanceof PDFRef)) throw new MalformedFile("no document catalog");
  stack.push(root);
  while (stack.length > 0) {
    const object = stack.pop()!;
    if (object instanceof PDFRef) {
      const key = object.toString();
      if (reached.has(key)) continue;
      reached.add(key);
      const target = context.lookup(object);
      if (target) stack.push(target);
    } else if (object instanceof PDFArray) for (const item of object.asArray()) stack.push(item);
    else {
      const dict = dictOf(object);
      if (dict) for (const [, value] of dict.entries()) stack.push(value);
    }
  }
  let removed = 0;
  for (const [ref] of context.enumerateIndirectObjects()) {
    if (!reached.has(ref.toString())) {
      context.delete(ref);
      removed++;
    }
  }
  return removed;
}
