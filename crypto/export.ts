// Case exports that prove themselves (ADR 054, docs/CRYPTO.md §14): the
// manifest of an export ZIP, its signature by the exporting investigator, the
// portal's certificate of that investigator's signing key, and the check of all
// three against the ZIP's entries. Pure: the ZIP itself is read elsewhere
// (app/shared/export/), this module sees its entries as bytes.
//
//   signing key    Ed25519 seed = crypto_kdf_derive_from_key(32, 1, "corexsig", staff X25519 secret key)
//   certificate    Ed25519(portal export key, "cor/export-certificate-v2\0" || JSON.stringify([...fields]))
//                  (v2 signs the audited parts too; v1, never released, did not and is refused)
//   manifest.sig   Ed25519(signing key, "cor/export-manifest-v1\0" || bytes of manifest.json)
import { fromBase64Url, toBase64Url, utf8, fromUtf8, isUuid } from "./encoding";
import { CryptoError } from "./errors";
import { signDetached, signingKeyPairFromSeed, verifyDetached, type SigningKeyPair } from "./signing";
import { sha256 } from "./sha256";
import { sodiumNow } from "./sodium";
import type { StaffSecretKey } from "./types";

export const EXPORT_FORMAT = "cor-export-v1";
export const EXPORT_CERTIFICATE_FORMAT = "cor-export-certificate-v2";
export const EXPORT_SIGNATURE_FORMAT = "cor-export-signature-v1";
export const MANIFEST_PATH = "manifest.json";
export const SIGNATURE_PATH = "manifest.sig";

/** What an export may hold, in the order the manifest lists them. */
export const EXPORT_PARTS = ["report", "identity", "dialogue", "notes", "history", "deadlines", "sharing", "privacy", "files"] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];
export type ExportKind = "investigator" | "reporter-access";

export interface ExportCertificate {
  format: typeof EXPORT_CERTIFICATE_FORMAT;
  exportId: string;
  reportId: string;
  caseNumber: string;
  /** The parts the server audited for this export, in the order of EXPORT_PARTS: the manifest must list exactly these. */
  parts: ExportPart[];
  staffUserId: string;
  displayName: string;
  /** The investigator's Ed25519 public key, base64url. */
  signingKey: string;
  /** The export's own `case.exported` entry in the audit chain (ADR 028). */
  audit: { seq: number; hash: string };
  issuedAt: string;
  /** The portal's export-certificate public key, base64url. */
  portalKey: string;
  signature: string;
}

export interface ExportFileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  kind: ExportKind;
  exportId: string;
  caseNumber: string;
  createdAt: string;
  language: "ko" | "en";
  parts: ExportPart[];
  files: ExportFileEntry[];
  certificate: ExportCertificate | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const B64_32 = /^[A-Za-z0-9_-]{43}$/;
const B64_64 = /^[A-Za-z0-9_-]{86}$/;

export function sha256Hex(bytes: Uint8Array): string {
  const d = sha256(bytes);
  let out = "";
  for (const b of d) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The investigator's export signing key pair, derived from their staff secret key (so it is kept exactly as that key is). */
export function exportSigningKeyPair(staffSecretKey: StaffSecretKey): SigningKeyPair {
  if (staffSecretKey.length !== 32) throw new CryptoError("bad_key", "a staff secret key is 32 bytes");
  const seed = sodiumNow().crypto_kdf_derive_from_key(32, 1, "corexsig", staffSecretKey);
  try {
    return signingKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

// ------------------------------------------------------------------ certificate

function certificateBytes(c: Omit<ExportCertificate, "format" | "signature">): Uint8Array {
  const fields = [
    c.exportId,
    c.reportId,
    c.caseNumber,
    c.parts,
    c.staffUserId,
    c.displayName,
    c.signingKey,
    c.audit.seq,
    c.audit.hash,
    c.issuedAt,
    c.portalKey,
  ];
  return utf8(`cor/export-certificate-v2\0${JSON.stringify(fields)}`);
}

/** The parts in the order of EXPORT_PARTS, each once: the one form a certificate and a manifest hold them in. */
export function canonicalExportParts(parts: readonly ExportPart[]): ExportPart[] {
  return EXPORT_PARTS.filter((p) => parts.includes(p));
}

/** The portal's statement that `signingKey` belongs to the investigator, which parts it recorded, and where the export sits in the audit chain. */
export function signExportCertificate(fields: Omit<ExportCertificate, "format" | "signature" | "portalKey">, portal: SigningKeyPair): ExportCertificate {
  const unsigned = { ...fields, parts: canonicalExportParts(fields.parts), portalKey: toBase64Url(portal.publicKey) };
  return {
    format: EXPORT_CERTIFICATE_FORMAT,
    exportId: unsigned.exportId,
    reportId: unsigned.reportId,
    caseNumber: unsigned.caseNumber,
    parts: unsigned.parts,
    staffUserId: unsigned.staffUserId,
    displayName: unsigned.displayName,
    signingKey: unsigned.signingKey,
    audit: { seq: unsigned.audit.seq, hash: unsigned.audit.hash },
    issuedAt: unsigned.issuedAt,
    portalKey: unsigned.portalKey,
    signature: toBase64Url(signDetached(certificateBytes(unsigned), portal.privateKey)),
  };
}

/** True when the certificate's signature holds under the key it names. Whether that key is the portal's is the caller's question. */
export function certificateSignatureHolds(c: ExportCertificate): boolean {
  return verifyDetached(certificateBytes(c), fromBase64Url(c.signature), fromBase64Url(c.portalKey));
}

// ------------------------------------------------------------------ manifest encoding

function str(v: unknown, what: string, max = 200): string {
  if (typeof v !== "string" || v.length === 0 || v.length > max) throw new CryptoError("bad_format", `manifest: ${what} must be a string`);
  return v;
}

function matching(v: unknown, re: RegExp, what: string): string {
  if (typeof v !== "string" || !re.test(v)) throw new CryptoError("bad_format", `manifest: ${what} has the wrong form`);
  return v;
}

/** Unpadded base64url of exactly the length `re` allows, and canonical (decodes back to itself). */
function base64(v: unknown, re: RegExp, what: string): string {
  const text = matching(v, re, what);
  try {
    fromBase64Url(text);
  } catch (cause) {
    throw new CryptoError("bad_format", `manifest: ${what} is not canonical base64url`, { cause });
  }
  return text;
}

function count(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new CryptoError("bad_format", `manifest: ${what} must be a whole number`);
  return v as number;
}

function keysAre(o: unknown, keys: string[], what: string): Record<string, unknown> {
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new CryptoError("bad_format", `manifest: ${what} must be an object`);
  const have = Object.keys(o);
  if (have.length !== keys.length || have.some((k, i) => k !== keys[i]))
    throw new CryptoError("bad_format", `manifest: ${what} must have exactly ${keys.join(", ")} in that order`);
  return o as Record<string, unknown>;
}

/** A ZIP path an export may use: relative, forward slashes, no "." or ".." segment, printable. */
export function isSafeExportPath(p: string): boolean {
  if (p.length === 0 || p.length > 240 || p.startsWith("/") || p.includes("\\") || p.includes("//")) return false;
  if (/[\u0000-\u001f\u007f]/.test(p)) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/** A list of known parts, in the order of EXPORT_PARTS, each once. */
function partsOf(v: unknown, what: string): ExportPart[] {
  if (!Array.isArray(v) || !v.every((p) => (EXPORT_PARTS as readonly unknown[]).includes(p)))
    throw new CryptoError("bad_format", `manifest: unknown part in ${what}`);
  const parts = v as ExportPart[];
  if (canonicalExportParts(parts).join() !== parts.join()) throw new CryptoError("bad_format", `manifest: ${what} out of order or repeated`);
  return parts;
}

function certificateOf(v: unknown): ExportCertificate {
  const c = keysAre(
    v,
    ["format", "exportId", "reportId", "caseNumber", "parts", "staffUserId", "displayName", "signingKey", "audit", "issuedAt", "portalKey", "signature"],
    "certificate",
  );
  if (c.format !== EXPORT_CERTIFICATE_FORMAT) throw new CryptoError("bad_version", `manifest: certificate format is not ${EXPORT_CERTIFICATE_FORMAT}`);
  const audit = keysAre(c.audit, ["seq", "hash"], "certificate.audit");
  for (const k of ["exportId", "reportId", "staffUserId"] as const)
    if (!isUuid(str(c[k], `certificate.${k}`))) throw new CryptoError("bad_format", `manifest: certificate.${k} is not a uuid`);
  return {
    format: EXPORT_CERTIFICATE_FORMAT,
    exportId: c.exportId as string,
    reportId: c.reportId as string,
    caseNumber: str(c.caseNumber, "certificate.caseNumber", 40),
    parts: partsOf(c.parts, "certificate.parts"),
    staffUserId: c.staffUserId as string,
    displayName: str(c.displayName, "certificate.displayName"),
    signingKey: base64(c.signingKey, B64_32, "certificate.signingKey"),
    audit: { seq: count(audit.seq, "certificate.audit.seq"), hash: matching(audit.hash, HEX64, "certificate.audit.hash") },
    issuedAt: matching(c.issuedAt, ISO, "certificate.issuedAt"),
    portalKey: base64(c.portalKey, B64_32, "certificate.portalKey"),
    signature: base64(c.signature, B64_64, "certificate.signature"),
  };
}

/** The manifest's bytes: keys in the order of the interface, JSON.stringify with two spaces, one final line feed. */
export function encodeManifest(m: ExportManifest): Uint8Array {
  const ordered: ExportManifest = {
    format: EXPORT_FORMAT,
    kind: m.kind,
    exportId: m.exportId,
    caseNumber: m.caseNumber,
    createdAt: m.createdAt,
    language: m.language,
    parts: canonicalExportParts(m.parts),
    files: m.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
    certificate: m.certificate ? certificateOf(m.certificate) : null,
  };
  return utf8(`${JSON.stringify(ordered, null, 2)}\n`);
}

/** Parses manifest.json strictly: its shape, and that it is exactly the encoding of what it says (nothing added). */
export function parseManifest(bytes: Uint8Array): ExportManifest {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw new CryptoError("bad_format", "manifest: not UTF-8 JSON", { cause });
  }
  const o = keysAre(v, ["format", "kind", "exportId", "caseNumber", "createdAt", "language", "parts", "files", "certificate"], "the manifest");
  if (o.format !== EXPORT_FORMAT) throw new CryptoError("bad_version", `manifest: format is not ${EXPORT_FORMAT}`);
  if (o.kind !== "investigator" && o.kind !== "reporter-access") throw new CryptoError("bad_format", "manifest: unknown kind");
  if (o.language !== "ko" && o.language !== "en") throw new CryptoError("bad_format", "manifest: language must be ko or en");
  const parts = partsOf(o.parts, "parts");
  if (!Array.isArray(o.files) || o.files.length > 10_000) throw new CryptoError("bad_format", "manifest: files must be a list");
  const seen = new Set<string>();
  const files = o.files.map((f, i) => {
    const e = keysAre(f, ["path", "bytes", "sha256"], `files[${i}]`);
    const path = str(e.path, `files[${i}].path`, 240);
    if (!isSafeExportPath(path) || path === MANIFEST_PATH || path === SIGNATURE_PATH || seen.has(path))
      throw new CryptoError("bad_format", `manifest: files[${i}].path is not allowed or repeated`);
    seen.add(path);
    return { path, bytes: count(e.bytes, `files[${i}].bytes`), sha256: matching(e.sha256, HEX64, `files[${i}].sha256`) };
  });
  const exportId = str(o.exportId, "exportId", 36);
  if (!isUuid(exportId)) throw new CryptoError("bad_format", "manifest: exportId is not a uuid");
  const m: ExportManifest = {
    format: EXPORT_FORMAT,
    kind: o.kind,
    exportId,
    caseNumber: str(o.caseNumber, "caseNumber", 40),
    createdAt: matching(o.createdAt, ISO, "createdAt"),
    language: o.language,
    parts,
    files,
    certificate: o.certificate === null ? null : certificateOf(o.certificate),
  };
  const again = encodeManifest(m);
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) throw new CryptoError("bad_format", "manifest: not in its canonical encoding");
  return m;
}

// ------------------------------------------------------------------ signature file

function manifestSigned(manifest: Uint8Array): Uint8Array {
  const prefix = utf8("cor/export-manifest-v1\0");
  const out = new Uint8Array(prefix.length + manifest.length);
  out.set(prefix);
  out.set(manifest, prefix.length);
  return out;
}

/** manifest.sig: the manifest's SHA-256 (to name a changed manifest apart from a changed signature) and the signature. */
export function signManifest(manifest: Uint8Array, signer: SigningKeyPair): Uint8Array {
  const sig = toBase64Url(signDetached(manifestSigned(manifest), signer.privateKey));
  return utf8(`${JSON.stringify({ format: EXPORT_SIGNATURE_FORMAT, manifestSha256: sha256Hex(manifest), signature: sig })}\n`);
}

function parseSignatureFile(bytes: Uint8Array): { manifestSha256: string; signature: string } {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw new CryptoError("bad_format", "manifest.sig: not UTF-8 JSON", { cause });
  }
  const o = keysAre(v, ["format", "manifestSha256", "signature"], "manifest.sig");
  if (o.format !== EXPORT_SIGNATURE_FORMAT) throw new CryptoError("bad_version", `manifest.sig: format is not ${EXPORT_SIGNATURE_FORMAT}`);
  return { manifestSha256: matching(o.manifestSha256, HEX64, "manifestSha256"), signature: base64(o.signature, B64_64, "signature") };
}

// ------------------------------------------------------------------ verification

export type ExportProblem =
  | { code: "manifest_missing" }
  | { code: "manifest_unreadable"; detail: string }
  | { code: "manifest_changed" }
  | { code: "signature_missing" }
  | { code: "signature_unreadable"; detail: string }
  | { code: "signature_invalid" }
  | { code: "signature_file_changed" }
  | { code: "signature_unexpected" }
  | { code: "certificate_invalid" }
  | { code: "certificate_foreign"; portalKey: string }
  | { code: "certificate_mismatch" }
  | { code: "parts_not_certified"; listed: string; certified: string }
  | { code: "file_missing"; path: string }
  | { code: "file_changed"; path: string }
  | { code: "file_added"; path: string };

export interface ExportVerdict {
  /** Every check passed (for a reporter's copy: every file matches; it carries no signature). */
  ok: boolean;
  /** Signed by an investigator whose key the portal certified (and, with `portalKey`, this portal). */
  signed: boolean;
  manifest: ExportManifest | null;
  /** Files that match the manifest. */
  matched: string[];
  problems: ExportProblem[];
}

/**
 * Checks an export's entries (path → bytes): the manifest's own hash and signature, the certificate
 * (under `portalKey` when given: the key this portal certifies with), then every file, naming each
 * one missing, changed or added. Never throws on hostile input.
 */
export function verifyExportEntries(entries: Map<string, Uint8Array>, opts: { portalKey?: string } = {}): ExportVerdict {
  const problems: ExportProblem[] = [];
  const verdict = (manifest: ExportManifest | null, matched: string[] = []): ExportVerdict => ({
    ok: problems.length === 0,
    signed: problems.length === 0 && manifest?.certificate != null,
    manifest,
    matched,
    problems,
  });
  const manifestBytes = entries.get(MANIFEST_PATH);
  if (!manifestBytes) {
    problems.push({ code: "manifest_missing" });
    return verdict(null);
  }
  const sigBytes = entries.get(SIGNATURE_PATH);
  let sig: { manifestSha256: string; signature: string } | null = null;
  if (sigBytes) {
    try {
      sig = parseSignatureFile(sigBytes);
    } catch (error) {
      problems.push({ code: "signature_unreadable", detail: (error as Error).message });
    }
  }
  // The digest in manifest.sig tells a changed manifest from a changed signature.
  const digestDiffers = sig !== null && sig.manifestSha256 !== sha256Hex(manifestBytes);
  let manifest: ExportManifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (error) {
    problems.push(digestDiffers ? { code: "manifest_changed" } : { code: "manifest_unreadable", detail: (error as Error).message });
    return verdict(null);
  }
  const cert = manifest.certificate;
  if (cert) {
    if (!sigBytes) problems.push({ code: "signature_missing" });
    else if (sig) {
      const holds = verifyDetached(manifestSigned(manifestBytes), fromBase64Url(sig.signature), fromBase64Url(cert.signingKey));
      if (holds && digestDiffers) problems.push({ code: "signature_file_changed" });
      else if (!holds && digestDiffers) {
        // What the manifest says can no longer be trusted: its digests and certificate would only name
        // consequences (a file "changed" whose digest was edited), so the manifest alone is named.
        problems.push({ code: "manifest_changed" });
        return verdict(null);
      } else if (!holds) problems.push({ code: "signature_invalid" });
    }
    if (!certificateSignatureHolds(cert)) problems.push({ code: "certificate_invalid" });
    else if (opts.portalKey && cert.portalKey !== opts.portalKey) problems.push({ code: "certificate_foreign", portalKey: cert.portalKey });
    if (cert.exportId !== manifest.exportId || cert.caseNumber !== manifest.caseNumber || manifest.kind !== "investigator")
      problems.push({ code: "certificate_mismatch" });
    // The portal audited these parts; a manifest listing others (notes, the identity) is not the export it certified.
    if (manifest.parts.join() !== cert.parts.join())
      problems.push({ code: "parts_not_certified", listed: manifest.parts.join(", "), certified: cert.parts.join(", ") });
  } else {
    // Only a reporter's own copy is unsigned; an investigator's export without its certificate is not one.
    if (manifest.kind !== "reporter-access") problems.push({ code: "certificate_mismatch" });
    if (sigBytes) problems.push({ code: "signature_unexpected" });
  }
  const matched: string[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const bytes = entries.get(f.path);
    if (!bytes) problems.push({ code: "file_missing", path: f.path });
    else if (bytes.length !== f.bytes || sha256Hex(bytes) !== f.sha256) problems.push({ code: "file_changed", path: f.path });
    else matched.push(f.path);
  }
  for (const path of entries.keys()) {
    if (path !== MANIFEST_PATH && path !== SIGNATURE_PATH && !listed.has(path)) problems.push({ code: "file_added", path });
  }
  return verdict(manifest, matched);
}

/** The entry of a file for the manifest. */
export function exportFileEntry(path: string, bytes: Uint8Array): ExportFileEntry {
  if (!isSafeExportPath(path)) throw new CryptoError("bad_format", `not a safe path in an export: ${path}`);
  return { path, bytes: bytes.length, sha256: sha256Hex(bytes) };
}
