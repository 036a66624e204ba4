// Office Open XML (.docx, .xlsx, .pptx) with fflate (ADR 045): the zip is unpacked within bounds
// (zip-read.ts: entry count and declared sizes checked before anything is inflated, no entry
// allowed past its declared size, CRC-32 checked), then
// - docProps/core.xml, app.xml and custom.xml are replaced by empty property sets (author, last
//   modified by, company, manager, template, application, dates, custom properties);
// - comment and revision authors and initials, and the people parts (names, e-mail addresses of
//   co-authors), are blanked where they stand, so the comments themselves stay;
// - pictures inside (media/) go through the image cleaners too;
// and the zip is written again. The document's text and layout parts are untouched.
import { strFromU8, strToU8, zipSync, type Zippable } from "fflate";
import { Found, MalformedFile, type CleanResult, type Finding } from "./findings";
import { cleanImage } from "./images";
import { readZip } from "./zip-read";

export const OOXML_LIMITS = { entries: 10_000, unpackedBytes: 256 * 1024 * 1024 };

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

export function cleanOoxml(bytes: Uint8Array): CleanResult {
  if (!isZip(bytes)) throw new MalformedFile("not a zip");
  const entries = readZip(bytes, OOXML_LIMITS);
  const names = entries.map((e) => e.name);
  if (!isOoxml(names)) return { kind: "unsupported" };
  if (new Set(names).size !== names.length) throw new MalformedFile("duplicate entry names");
  const files = Object.fromEntries(entries.map((e) => [e.name, e.data]));
  const found = new Found();
  const out: Zippable = {};
  let changed = false;
  for (const path of names) {
    const data = files[path]!;
    if (/\.(xml|rels)$/i.test(path)) {
      const next = cleanPart(path, strFromU8(data), found);
      if (next !== null) {
        out[path] = strToU8(next);
        changed = true;
        continue;
      }
    } else if (/\/media\//i.test(path)) {
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
  if (!changed) return { kind: "nothing" };
  // "[Content_Types].xml" first, as Office writes it (some readers expect it).
  const ordered: Zippable = { "[Content_Types].xml": out["[Content_Types].xml"]! };
  for (const path of names) if (path !== "[Content_Types].xml") ordered[path] = out[path]!;
  return { kind: "cleaned", bytes: zipSync(ordered, { mtime: new Date(Date.UTC(1980, 0, 1)) }), found: found.list() };
}
