// An administrator's browser reading the archive: the envelope (kind 0x03)
// opens with the administrator's key, the archive key opens the package and
// the files' keys. Also seals the archive key to an administrator who joined later.
import {
  AttachmentDecryptor,
  decryptArchivePackage,
  fromBase64Url,
  openArchiveKey,
  sealArchiveKey,
  toBase64Url,
  unwrapFileKeyForArchive,
  type ArchivePackage,
  type StaffKeyPair,
  type StaffPublicKey,
} from "../../crypto";
import type { StaffCalls } from "../shared/transport";

/** What GET /api/admin/archives/:archiveId returns (app/.server/retention/archive.ts). */
export interface ArchiveWire {
  id: string;
  caseNumber: string;
  legalBasis: string;
  archivedOn: string;
  retainUntil: string;
  envelope: string;
  package: string;
  files: { id: string; fileKey: string; ciphertextBytes: number }[];
}

export function openArchive(wire: ArchiveWire, keys: StaffKeyPair): ArchivePackage {
  const key = openArchiveKey(fromBase64Url(wire.envelope), wire.id, keys);
  try {
    return decryptArchivePackage(key, wire.id, fromBase64Url(wire.package));
  } finally {
    key.fill(0);
  }
}

/** A decryptor for one archived file: the stream stays bound to the report and attachment it came from. */
export function archivedFileDecryptor(wire: ArchiveWire, pkg: ArchivePackage, keys: StaffKeyPair, fileId: string): AttachmentDecryptor {
  const file = wire.files.find((f) => f.id === fileId);
  if (!file) throw new Error("this file is not part of the archive");
  const key = openArchiveKey(fromBase64Url(wire.envelope), wire.id, keys);
  try {
    return new AttachmentDecryptor(unwrapFileKeyForArchive(key, wire.id, fileId, fromBase64Url(file.fileKey)), {
      reportId: pkg.reportId,
      attachmentId: fileId,
    });
  } finally {
    key.fill(0);
  }
}

export function grantArchive(client: StaffCalls, wire: Pick<ArchiveWire, "id" | "envelope">, keys: StaffKeyPair, to: { id: string; publicKey: string }) {
  const key = openArchiveKey(fromBase64Url(wire.envelope), wire.id, keys);
  const envelope = sealArchiveKey(key, wire.id, fromBase64Url(to.publicKey) as StaffPublicKey);
  key.fill(0);
  return client.post(`/api/admin/archives/${wire.id}/grants`, { staffUserId: to.id, envelope: toBase64Url(envelope) });
}
