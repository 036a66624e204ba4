// PDF through pdf-lib (ADR 045): the document information dictionary (author, creator, producer,
// dates), every XMP stream (/Metadata of the catalog, pages, images), /PieceInfo, the trailer's
// /ID and markup annotations' author and dates are removed; then every object no longer reachable
// from the catalog, the earlier revisions of an incrementally updated file with them, is dropped
// and the file is written afresh. Pages, their content streams, fonts and images are copied as
// they are, so the text and pictures stay.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream, ParseSpeeds, type PDFObject } from "pdf-lib";
import { Found, latin1, MalformedFile, type CleanResult } from "./findings";

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
  for (const [, object] of context.enumerateIndirectObjects()) {
    const dict = dictOf(object);
    if (!dict) continue;
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
  }
  const removed = collectGarbage(doc);
  const revisions = (latin1(bytes).match(/startxref/g) ?? []).length;
  if (removed > 0 && revisions > 1) found.add("earlierRevisions");
  if (found.size === 0 && revisions <= 1) return { kind: "nothing" };
  const out = await doc.save({ useObjectStreams: false, updateFieldAppearances: false, addDefaultPage: false });
  return { kind: "cleaned", bytes: out, found: found.list() };
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
