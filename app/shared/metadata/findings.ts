// What a metadata cleaner found and removed, and the outcome the page shows per file (ADR 045).
// Browser-safe and pure: the cleaners run in a Web Worker (clean.worker.ts) or, failing that, in the page.

/** Kinds of identifying detail, each named to the reporter through the catalogs (`metadata.found.<kind>`). */
export const FINDINGS = [
  "gps",
  "camera",
  "serial",
  "author",
  "company",
  "software",
  "dates",
  "description",
  "comments",
  "commentAuthors",
  "people",
  "template",
  "filePath",
  "printer",
  "customXml",
  "customProperties",
  "makerNotes",
  "thumbnail",
  "embeddedImages",
  "embeddedFiles",
  "exif",
  "xmp",
  "iptc",
  "textChunks",
  "documentInfo",
  "earlierRevisions",
  "other",
] as const;
export type Finding = (typeof FINDINGS)[number];

/** Parts of a file the cleaners leave as they are, named to the reporter (`metadata.kept.<kind>`): their own details may remain. */
export const RESIDUES = ["embeddedObjects"] as const;
export type Residue = (typeof RESIDUES)[number];

/** The outcome for one file. `cleaned` carries the new bytes; every other outcome sends the file as it is. */
export type CleanResult =
  | { kind: "cleaned"; bytes: Uint8Array; found: Finding[]; kept?: Residue[] }
  /** A type the cleaners know, with nothing identifying in it (but for what `kept` names, if anything). */
  | { kind: "nothing"; kept?: Residue[] }
  /** A type the cleaners do not know: metadata may remain. */
  | { kind: "unsupported" }
  /** Known type, but not cleaned: metadata may remain. */
  | { kind: "failed"; reason: CleanFailure };

export type CleanFailure = "malformed" | "encrypted" | "too_large" | "crashed";

/** A file that does not follow its format's rules where the cleaner needs them to (untrusted input). */
export class MalformedFile extends Error {
  override name = "MalformedFile";
}

/** A file that is larger, or would unpack larger, than the cleaners take on. */
export class TooLargeToClean extends Error {
  override name = "TooLargeToClean";
}

/** A set that keeps the order of FINDINGS, so the page lists them the same way every time. */
export class Found {
  private readonly set = new Set<Finding>();
  add(...kinds: Finding[]): void {
    for (const k of kinds) this.set.add(k);
  }
  get size(): number {
    return this.set.size;
  }
  list(): Finding[] {
    return FINDINGS.filter((k) => this.set.has(k));
  }
}

/** Scans XMP (RDF/XML text) for what it names: only to tell the reporter; the whole packet is removed regardless. */
export function xmpFindings(xmp: string, found: Found): void {
  found.add("xmp");
  if (/exif:GPS|GPSLatitude|GPSLongitude/i.test(xmp)) found.add("gps");
  if (/tiff:Make|tiff:Model|aux:SerialNumber|exifEX:BodySerialNumber|aux:Lens/i.test(xmp)) found.add("camera");
  if (/dc:creator|dc:rights|xmpRights|photoshop:AuthorsPosition|pdf:Author/i.test(xmp)) found.add("author");
  if (/xmp:CreatorTool|pdf:Producer|tiff:Software/i.test(xmp)) found.add("software");
  if (/xmp:CreateDate|xmp:ModifyDate|xmp:MetadataDate|photoshop:DateCreated/i.test(xmp)) found.add("dates");
  if (/xmpMM:History|stEvt:/i.test(xmp)) found.add("software");
}

export const latin1 = (bytes: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
};

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
