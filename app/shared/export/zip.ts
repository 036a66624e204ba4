// The export ZIP (ADR 054, docs/CRYPTO.md §14): built in the browser that exports, read back by
// export:verify and /staff/verify. Entries are stored, not deflated: a changed byte of a file is
// then a changed byte of that file, named as such, rather than an archive that no longer inflates.
import { unzipSync, zipSync, type Zippable } from "fflate";
import {
  exportFileEntry,
  canonicalExportParts,
  encodeManifest,
  EXPORT_FORMAT,
  MANIFEST_PATH,
  SIGNATURE_PATH,
  verifyExportEntries,
  type ExportCertificate,
  type ExportManifest,
  type ExportProblem,
  type ExportVerdict,
} from "../../../crypto";
import type { ExportDocument, ExportFile } from "./document";
import { renderExportPdf } from "./pdf";

/** The largest ZIP the verifiers read (they hold it whole). */
export const EXPORT_VERIFY_MAX_BYTES = 2 * 1024 * 1024 * 1024 - 1;
/** ZIP entries the verifiers accept before refusing the archive. */
const MAX_ENTRIES = 10_000;

const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file's path in the ZIP: "files/NN-name", the name cleaned of separators and controls, numbered so names never collide. */
export function exportFilePath(index: number, name: string): string {
  let clean = name
    .normalize("NFC")
    .replace(UNSAFE, "_")
    .replace(/^[.\s]+/, "")
    .trim();
  if (!clean) clean = "file";
  if (clean.length > 120) {
    const dot = clean.lastIndexOf(".");
    const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : "";
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return `files/${String(index + 1).padStart(2, "0")}-${clean}`;
}

export interface ExportBuildInput {
  document: ExportDocument;
  exportId: string;
  files: ExportFile[];
  font: Uint8Array;
  /** The portal's certificate of the signer (investigator exports); null for a reporter's copy. */
  certificate: ExportCertificate | null;
  /** Signs manifest.json's bytes into manifest.sig's; absent for a reporter's copy. */
  sign?: (manifest: Uint8Array) => Uint8Array;
}

export interface BuiltExport {
  zip: Uint8Array;
  manifest: ExportManifest;
  fileName: string;
}

/** The PDF, the files, the manifest of them all and (for an investigator) its signature, as one stored ZIP. */
export async function buildExportZip(input: ExportBuildInput): Promise<BuiltExport> {
  const d = input.document;
  const pdfPath = `${d.caseNumber}.pdf`;
  const entries: [string, Uint8Array][] = [[pdfPath, await renderExportPdf(d, input.font)]];
  input.files.forEach((f, i) => entries.push([exportFilePath(i, f.name), f.bytes]));
  const parts = d.sections.map((s) => s.part);
  if (input.files.length > 0) parts.push("files");
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    kind: d.kind,
    exportId: input.exportId,
    caseNumber: d.caseNumber,
    createdAt: d.createdAt,
    language: d.language,
    parts,
    files: entries.map(([path, bytes]) => exportFileEntry(path, bytes)),
    certificate: input.certificate,
  };
  const manifestBytes = encodeManifest(manifest);
  // A verifier refuses a manifest whose parts are not the certified ones (parts_not_certified): never write one.
  if (input.certificate && canonicalExportParts(parts).join() !== input.certificate.parts.join())
    throw new Error(`the export's parts (${parts.join()}) are not the certified ones (${input.certificate.parts.join()})`);
  const zippable: Zippable = { [MANIFEST_PATH]: manifestBytes };
  if (input.sign) zippable[SIGNATURE_PATH] = input.sign(manifestBytes);
  for (const [path, bytes] of entries) zippable[path] = bytes;
  const mtime = new Date(d.createdAt);
  const zip = zipSync(zippable, { level: 0, mtime });
  const stamp = d.createdAt.slice(0, 10);
  return { zip, manifest, fileName: `${d.caseNumber}-export-${stamp}.zip` };
}

export type ZipVerdict = ExportVerdict | { ok: false; signed: false; manifest: null; matched: []; problems: [{ code: "not_zip"; detail: string }] };
export type ZipProblem = ExportProblem | { code: "not_zip"; detail: string };

/** Reads the ZIP and checks it (crypto/export.ts `verifyExportEntries`); a ZIP that cannot be read is `not_zip`. */
export function verifyExportZip(zip: Uint8Array, opts: { portalKey?: string } = {}): ZipVerdict {
  const notZip = (detail: string): ZipVerdict => ({ ok: false, signed: false, manifest: null, matched: [], problems: [{ code: "not_zip", detail }] });
  if (zip.length > EXPORT_VERIFY_MAX_BYTES) return notZip("larger than an export can be");
  let files: Record<string, Uint8Array>;
  try {
    let count = 0;
    files = unzipSync(zip, {
      filter: (f) => {
        if (++count > MAX_ENTRIES) throw new Error("too many entries");
        return !f.name.endsWith("/");
      },
    });
  } catch (error) {
    return notZip((error as Error).message);
  }
  return verifyExportEntries(new Map(Object.entries(files)), opts);
}
