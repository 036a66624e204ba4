// Known answers for cor-export-v1 (docs/CRYPTO.md §14): the signing key derived from a staff secret
// key, a certificate, a manifest's exact bytes, its manifest.sig, and files that must be refused.
// Ed25519 is deterministic, so every value comes out byte-identical on every run.
import {
  encodeManifest,
  exportFileEntry,
  exportSigningKeyPair,
  signExportCertificate,
  signingKeyPairFromSeed,
  signManifest,
  toBase64Url,
  utf8,
  type ExportManifest,
  type StaffSecretKey,
} from "../../crypto";
import { labelBytes, labelUuid, sha256Hex, toHex } from "./common";

export interface ExportVectors {
  format: "cor-export-v1";
  description: string;
  signingKey: { staffSecretKey: string; context: string; publicKey: string };
  portal: { seed: string; publicKey: string };
  files: { path: string; content: string }[];
  manifest: { text: string; sha256: string };
  signatureFile: string;
  /** Each must be refused by parseManifest (bad_format or bad_version). */
  invalidManifests: { why: string; text: string }[];
  /**
   * Well-formed manifests, signed again by the same investigator's key under the same certificate, that
   * verification refuses with exactly `problems` (their manifest.sig is `signatureFile`).
   */
  refusedExports: { why: string; manifest: string; signatureFile: string; problems: unknown[] }[];
}

export function exportVectors(): ExportVectors {
  const staffSecretKey = labelBytes("export/staff-secret-key") as StaffSecretKey;
  const signer = exportSigningKeyPair(staffSecretKey);
  const portal = signingKeyPairFromSeed(labelBytes("export/portal-seed"));
  const files = [
    { path: "COR-7Q2M-K4XD.pdf", content: "%PDF-1.7 stand-in" },
    { path: "files/01-증거 evidence.txt", content: "회계 부정 Accounting fraud\n" },
  ];
  const certificate = signExportCertificate(
    {
      exportId: labelUuid("export/export-id"),
      reportId: labelUuid("export/report-id"),
      caseNumber: "COR-7Q2M-K4XD",
      parts: ["report", "dialogue", "files"],
      staffUserId: labelUuid("export/staff-user-id"),
      displayName: "이수진 Lee",
      signingKey: toBase64Url(signer.publicKey),
      audit: { seq: 4711, hash: toHex(labelBytes("export/audit-hash")) },
      issuedAt: "2026-12-08T00:53:00.000Z",
    },
    portal,
  );
  const manifest: ExportManifest = {
    format: "cor-export-v1",
    kind: "investigator",
    exportId: certificate.exportId,
    caseNumber: certificate.caseNumber,
    createdAt: certificate.issuedAt,
    language: "ko",
    parts: ["report", "dialogue", "files"],
    files: files.map((f) => exportFileEntry(f.path, utf8(f.content))),
    certificate,
  };
  const bytes = encodeManifest(manifest);
  const text = new TextDecoder().decode(bytes);
  // The certificate says report, dialogue, files; a manifest re-signed by the investigator with other parts.
  const resigned = (why: string, parts: ExportManifest["parts"]) => {
    const other = encodeManifest({ ...manifest, parts });
    return {
      why,
      manifest: new TextDecoder().decode(other),
      signatureFile: new TextDecoder().decode(signManifest(other, signer)),
      problems: [{ code: "parts_not_certified", listed: parts.join(", "), certified: "report, dialogue, files" }],
    };
  };
  const mutate = (fn: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(text) as Record<string, unknown>;
    fn(o);
    return `${JSON.stringify(o, null, 2)}\n`;
  };
  return {
    format: "cor-export-v1",
    description:
      "cor-export-v1 (docs/CRYPTO.md §14). Inputs are labelBytes/labelUuid of the labels in test/vectors/export-vectors.ts. manifest.text is the exact content of manifest.json; signatureFile of manifest.sig. refusedExports: manifests signed by the same investigator whose parts differ from the certified ones, with the problems verification must name.",
    signingKey: { staffSecretKey: toHex(staffSecretKey), context: "corexsig", publicKey: toBase64Url(signer.publicKey) },
    portal: { seed: toHex(labelBytes("export/portal-seed")), publicKey: toBase64Url(portal.publicKey) },
    files,
    manifest: { text, sha256: sha256Hex(bytes) },
    signatureFile: new TextDecoder().decode(signManifest(bytes, signer)),
    invalidManifests: [
      { why: "not canonical: compact JSON", text: JSON.stringify(JSON.parse(text)) },
      { why: "not canonical: no final line feed", text: text.slice(0, -1) },
      { why: "keys in another order", text: mutate((o) => ((o.zzz = o.format), delete o.format, (o.format = o.zzz), delete o.zzz)) },
      { why: "an extra field", text: mutate((o) => (o.comment = "added")) },
      { why: "another format", text: text.replace("cor-export-v1", "cor-export-v2") },
      { why: "a path that climbs out", text: text.replace("files/01-증거 evidence.txt", "../evil.txt") },
      { why: "the manifest listed as a file", text: text.replace("COR-7Q2M-K4XD.pdf", "manifest.json") },
      { why: "a digest in upper case", text: text.replace(/"sha256": "([0-9a-f]{64})"/, (_m, h: string) => `"sha256": "${h.toUpperCase()}"`) },
      { why: "an unknown part", text: text.replace('"dialogue"', '"secrets"') },
      { why: "parts out of order", text: text.replace('"report",\n    "dialogue"', '"dialogue",\n    "report"') },
      { why: "an unknown part in the certificate", text: text.replace(/("caseNumber": "COR-7Q2M-K4XD",\n {4}"parts": \[\n {6})"report"/, '$1"secrets"') },
      { why: "a certificate of format v1, which did not sign the parts", text: text.replace("cor-export-certificate-v2", "cor-export-certificate-v1") },
      { why: "a certificate without its parts", text: mutate((o) => delete (o.certificate as Record<string, unknown>).parts) },
    ],
    refusedExports: [
      resigned("the internal notes and the identity added to a certificate for report, dialogue, files", ["report", "identity", "dialogue", "notes", "files"]),
      resigned("the files left out", ["report", "dialogue"]),
    ],
  };
}
