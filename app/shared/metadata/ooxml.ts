// Office Open XML (.docx, .xlsx, .pptx) with fflate (ADR 045): the zip is unpacked within bounds
// (zip-read.ts: entry count and declared sizes checked before anything is inflated, no entry
// allowed past its declared size, CRC-32 checked), then
// - docProps/core.xml, app.xml and custom.xml are replaced by empty property sets (author, last
//   modified by, company, manager, template, application, dates, custom properties);
// - comment and revision authors and initials, and the people parts (names, e-mail addresses of
//   co-authors), are blanked where they stand, so the comments themselves stay;
// - the attached template's path (word/_rels/settings.xml.rels) and a workbook's own path
//   (x15ac:absPath), which name the user's folders, are blanked;
// - customXml/ parts (document-management data: SharePoint authors, e-mail addresses) and printer
//   settings (the printer's name) are dropped, with their relationships and content types, so the
//   file still opens;
// - pictures inside (media/, the docProps thumbnail, embeddings) go through the image cleaners too,
//   and embedded Office documents through this cleaner (at most MAX_DEPTH deep); any other embedded
//   object (OLE) is kept and named to the reporter as not cleaned;
// and the zip is written again. The document's text and layout parts are untouched.
import { strFromU8, strToU8, zipSync, type Zippable } from "fflate";
import { Found, MalformedFile, TooLargeToClean, type CleanResult, type Finding, type Residue } from "./findings";
import { cleanImage } from "./images";
import { readZip } from "./zip-read";

export const OOXML_LIMITS = { entries: 10_000, unpackedBytes: 256 * 1024 * 1024 };
/** Office documents inside Office documents are cleaned this many levels down; deeper ones are reported. */
const MAX_DEPTH = 2;

/** Parts dropped whole: document-management data and printer settings. */
const DROPPED: [RegExp, Finding][] = [
  [/^customxml\//i, "customXml"],
  [/(^|\/)printersettings[^/]*\.bin$/i, "printer"],
];

export const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

const CORE = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`;
const APP = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>`;
const CUSTOM = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>`;

const has = (xml: string, pattern: RegExp) => pattern.test(xml);

function propertyFindings(path: string, xml: string, found: Found): void {
  if (path.endsWith("core.xml")) {
    if (has(xml, /<dc:creator>[^<]|<cp:lastModifiedBy>[^<]/)) found.add("author");
    if (has(xml, /<dcterms:(created|modified)[^>]*>[^<]|<cp:lastPrinted>[^<]/)) found.add("dates");
    if (has(xml, /<(dc:title|dc:subject|dc:description|cp:keywords|cp:category)>[^<]/)) found.add("description");
  } else if (path.endsWith("app.xml")) {
    if (has(xml, /<(Company|Manager)>[^<]/)) found.add("company");
    if (has(xml, /<Template>[^<]/)) found.add("template");
    if (has(xml, /<(Application|AppVersion)>[^<]/)) found.add("software");
  } else if (has(xml, /<property\b/)) found.add("customProperties");
}

/** Blanks attribute values (`name="..."`, any namespace prefix) and reports whether any was non-empty. */
function blankAttributes(xml: string, names: string[]): [string, boolean] {
  let hit = false;
  const re = new RegExp(`(\\s(?:[\\w.-]+:)?(?:${names.join("|")})\\s*=\\s*)("[^"]*"|'[^']*')`, "g");
  const out = xml.replace(re, (_, head: string, value: string) => {
    if (value.length > 2) hit = true;
    return `${head}""`;
  });
  return [out, hit];
}

/** What to do with one XML part: its new text and what it held, or null to keep it. */
function cleanPart(path: string, xml: string, found: Found): string | null {
  const lower = path.toLowerCase();
  if (/^docprops\/(core|app|custom)\.xml$/.test(lower)) {
    propertyFindings(lower, xml, found);
    return lower.endsWith("core.xml") ? CORE : lower.endsWith("app.xml") ? APP : CUSTOM;
  }
  let text = xml;
  let changed = false;
  const note = (hit: boolean, kind: Finding) => {
    if (hit) {
      found.add(kind);
      changed = true;
    }
  };
  // People parts: co-authors' names and accounts (Word's people.xml, Excel's persons, PowerPoint's authors).
  if (/(^|\/)(people\.xml|persons\/[^/]+\.xml|authors\.xml|commentauthors\.xml)$/.test(lower)) {
    const [t, hit] = blankAttributes(text, ["author", "name", "initials", "displayName", "userId", "providerId"]);
    text = t;
    note(hit, lower.includes("comment") ? "commentAuthors" : "people");
  } else if (/\.xml$/.test(lower) && /^(word|xl|ppt)\//.test(lower)) {
    // A workbook's own folder (x15ac:absPath url="C:\Users\<name>\...").
    let path = false;
    text = text.replace(/(<[\w.-]+:absPath\b[^>]*?\surl\s*=\s*)("[^"]*"|'[^']*')/g, (_, head: string, value: string) => {
      path ||= value.length > 2;
      return `${head}""`;
    });
    note(path, "filePath");
    // Comments and tracked changes carry their author (and initials, and the account in threaded comments).
    const [t, hit] = blankAttributes(text, ["author", "initials", "personId", "userId", "providerId"]);
    text = t;
    note(hit, "commentAuthors");
    // Excel's legacy comments list their authors as elements.
    if (/^xl\/comments[^/]*\.xml$/.test(lower)) {
      let authors = false;
      text = text.replace(/<author>[^<]*<\/author>/g, (m) => ((authors ||= m !== "<author></author>"), "<author></author>"));
      note(authors, "commentAuthors");
    }
  }
  return changed ? text : null;
}

/** A picture inside the document; one the cleaners cannot read stays as it is (the document is still cleaned). */
function cleanPicture(data: Uint8Array): CleanResult | null {
  try {
    return cleanImage(data);
  } catch (error) {
    if (error instanceof MalformedFile) return null;
    throw error;
  }
}

export function isOoxml(entries: string[]): boolean {
  return entries.includes("[Content_Types].xml") && entries.some((e) => /^(word|xl|ppt)\//.test(e));
}

/** The part a relationship points to, as a zip entry name (null for an external target). */
function resolveTarget(relsPath: string, target: string): string | null {
  if (/^[a-z][\w+.-]*:/i.test(target)) return null;
  // "dir/_rels/part.xml.rels" describes "dir/part.xml"; its targets are relative to "dir/".
  const base = relsPath.replace(/(^|\/)_rels\/[^/]*$/, "$1");
  const parts = (target.startsWith("/") ? target.slice(1) : base + target).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.join("/");
}

const attribute = (element: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(element);
  return m ? (m[1] ?? m[2] ?? "") : null;
};

/**
 * A relationships part without the relationships to dropped parts, and with the attached template's
 * path blanked. Returns the new text (or null if unchanged) and the ids it removed.
 */
function cleanRels(relsPath: string, xml: string, dropped: Set<string>, found: Found): [string | null, string[]] {
  const removed: string[] = [];
  let changed = false;
  const text = xml.replace(/<Relationship\b[^>]*?(?:\/>|>\s*<\/Relationship>)/g, (element) => {
    const target = attribute(element, "Target") ?? "";
    const resolved = attribute(element, "TargetMode") === "External" ? null : resolveTarget(relsPath, target);
    if (resolved !== null && dropped.has(resolved.toLowerCase())) {
      const id = attribute(element, "Id");
      if (id) removed.push(id);
      changed = true;
      return "";
    }
    // Word's attachedTemplate: "file:///C:\Users\<name>\AppData\...\Normal.dotm".
    if (/\/attachedTemplate$/.test(attribute(element, "Type") ?? "") && target !== "") {
      found.add("template");
      changed = true;
      return element.replace(/(\sTarget\s*=\s*)("[^"]*"|'[^']*')/, '$1""');
    }
    return element;
  });
  return [changed ? text : null, removed];
}

/** The source part of a relationships part ("word/_rels/settings.xml.rels" → "word/settings.xml"). */
const sourceOf = (relsPath: string) => relsPath.replace(/(^|\/)_rels\/([^/]*)\.rels$/, "$1$2");

/** What is left of the unpacking budget, shared by a document and the documents inside it. */
interface Budget {
  bytes: number;
  entries: number;
}

/** What became of an embedded object: its cleaned bytes (null: kept as it was), what it held, and what in it was not cleaned. */
interface Embedded {
  bytes: Uint8Array | null;
  found: Finding[];
  kept: Residue[];
}

const NOT_CLEANED: Embedded = { bytes: null, found: [], kept: ["embeddedObjects"] };

/** An embedded object: a picture or an Office document is cleaned; anything else is left and reported. */
function cleanEmbedded(data: Uint8Array, depth: number, budget: Budget): Embedded {
  if (isZip(data)) {
    if (depth + 1 > MAX_DEPTH) return NOT_CLEANED;
    try {
      const inner = cleanPackage(data, depth + 1, budget);
      if (inner.kind === "cleaned") return { bytes: inner.bytes, found: inner.found, kept: inner.kept ?? [] };
      if (inner.kind === "nothing") return { bytes: null, found: [], kept: inner.kept ?? [] };
      return NOT_CLEANED;
    } catch (error) {
      if (error instanceof MalformedFile || error instanceof TooLargeToClean) return NOT_CLEANED;
      throw error;
    }
  }
  const image = cleanPicture(data);
  if (image === null) return NOT_CLEANED;
  return image.kind === "cleaned" ? { bytes: image.bytes, found: image.found, kept: [] } : { bytes: null, found: [], kept: [] };
}

export function cleanOoxml(bytes: Uint8Array): CleanResult {
  return cleanPackage(bytes, 0, { bytes: OOXML_LIMITS.unpackedBytes, entries: OOXML_LIMITS.entries });
}

function cleanPackage(bytes: Uint8Array, depth: number, budget: Budget): CleanResult {
  if (!isZip(bytes)) throw new MalformedFile("not a zip");
  const entries = readZip(bytes, { entries: budget.entries, unpackedBytes: budget.bytes });
  budget.bytes -= entries.reduce((n, e) => n + e.data.length, 0);
  budget.entries -= entries.length;
  const names = entries.map((e) => e.name);
  if (!isOoxml(names)) return { kind: "unsupported" };
  if (new Set(names).size !== names.length) throw new MalformedFile("duplicate entry names");
  const files = Object.fromEntries(entries.map((e) => [e.name, e.data]));
  const found = new Found();
  const kept = new Set<Residue>();
  let changed = false;
  const dropped = new Set<string>();
  for (const path of names) {
    const rule = DROPPED.find(([re]) => re.test(path));
    if (rule) {
      dropped.add(path.toLowerCase());
      found.add(rule[1]);
      changed = true;
    }
  }
  // Relationships first: which ids went with the dropped parts, so their sources can forget them.
  const texts = new Map<string, string>();
  const removedIds = new Map<string, string[]>();
  for (const path of names) {
    if (dropped.has(path.toLowerCase()) || !/\.rels$/i.test(path)) continue;
    const [text, removed] = cleanRels(path, strFromU8(files[path]!), dropped, found);
    if (text !== null) texts.set(path, text);
    if (removed.length > 0) removedIds.set(sourceOf(path), removed);
  }
  const out: Zippable = {};
  for (const path of names) {
    if (dropped.has(path.toLowerCase())) continue;
    const data = files[path]!;
    if (/\.(xml|rels)$/i.test(path)) {
      let text = texts.get(path) ?? null;
      if (text === null && !/\.rels$/i.test(path)) text = cleanPart(path, strFromU8(data), found);
      if (path === "[Content_Types].xml" && dropped.size > 0) {
        // Without the overrides naming parts that are gone (a package may not declare a missing part).
        const types = (text ?? strFromU8(data)).replace(/<Override\b[^>]*?(?:\/>|>\s*<\/Override>)/g, (element) =>
          dropped.has((attribute(element, "PartName") ?? "").replace(/^\//, "").toLowerCase()) ? "" : element,
        );
        text = types;
      }
      const ids = removedIds.get(path);
      if (ids) {
        // References to removed relationships (Excel's <pageSetup r:id="rId1"/>): optional attributes, dropped.
        const source = text ?? strFromU8(data);
        text = source.replace(/\s[\w.-]+:id\s*=\s*("[^"]*"|'[^']*')/g, (m, value: string) => (ids.includes(value.slice(1, -1)) ? "" : m));
      }
      if (text !== null) {
        out[path] = strToU8(text);
        changed = true;
        continue;
      }
    } else if (/\/embeddings\//i.test(path)) {
      const inner = cleanEmbedded(data, depth, budget);
      for (const k of inner.kept) kept.add(k);
      if (inner.bytes) {
        found.add(...inner.found);
        out[path] = [inner.bytes, { level: 0 }];
        changed = true;
        continue;
      }
    } else if (/\/media\//i.test(path) || /^docprops\/thumbnail\.[^/]+$/i.test(path)) {
      const image = cleanPicture(data);
      if (image?.kind === "cleaned") {
        found.add(...image.found);
        out[path] = [image.bytes, { level: 0 }];
        changed = true;
        continue;
      }
    }
    // Pictures and other binaries are mostly compressed already: stored, not deflated again.
    out[path] = [data, { level: /\.(xml|rels|txt|vml)$/i.test(path) ? 6 : 0 }];
  }
  const residues = kept.size > 0 ? { kept: [...kept] } : {};
  if (!changed) return { kind: "nothing", ...residues };
  // "[Content_Types].xml" first, as Office writes it (some readers expect it).
  const ordered: Zippable = { "[Content_Types].xml": out["[Content_Types].xml"]! };
  for (const path of names) if (path !== "[Content_Types].xml" && out[path]) ordered[path] = out[path];
  return { kind: "cleaned", bytes: zipSync(ordered, { mtime: new Date(Date.UTC(1980, 0, 1)) }), found: found.list(), ...residues };
}
