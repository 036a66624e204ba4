// Moving a closed case into the archive, in the investigator's browser: every
// record the investigator can read is decrypted here, copied into one package
// under a fresh archive key, the files' keys are re-wrapped under it, and the
// key is sealed to each active administrator. The server then destroys the
// case's own ciphertexts and envelopes. Used by the case page and the tests.
import {
  decryptBody,
  decryptFileMeta,
  decryptMessage,
  decryptNote,
  decryptPrivacyText,
  decryptTitle,
  encryptArchivePackage,
  fromBase64Url,
  generateArchiveKey,
  newRecordId,
  sealArchiveKey,
  toBase64Url,
  unwrapFileKey,
  wrapFileKeyForArchive,
  type ArchivePackage,
  type ReporterIdentity,
  type ReportKeys,
  type StaffPublicKey,
} from "../../crypto";
import type { RETENTION_BASIS_CODES } from "./wire";
import { attempt } from "./decrypt";
import { releasedIdentityOrThrow } from "./identity-access";
import type { StaffClient } from "./staff-client";
import type { Reviewer } from "./share-builder";

export type RetentionBasisCode = (typeof RETENTION_BASIS_CODES)[number];

/** The parts of the case view (GET …/view, or the case page's loader) an archive is built from. */
export interface ArchivableCase {
  id: string;
  caseNumber: string;
  outcome: string | null;
  receivedOn: string;
  acknowledgedOn: string | null;
  closedOn: string | null;
  title: string;
  body: string;
  /** Whether the reporter gave contact details; the archive then needs them released to the archiver (ADR 052). */
  hasIdentity: boolean;
  attachments: { id: string; meta: string; fileKey: string }[];
  messages: { id: string; author: "reporter" | "investigator"; body: string; sentOn: string }[];
  notes: { id: string; body: string; createdAt: string }[];
  privacyRequests: { id: string; kind: string; state: string; requestedOn: string; answeredOn: string | null; detail: string | null; answer: string | null }[];
  provisions: { affiliate: string; items: string[]; purpose: string; legalBasis: string; providedOn: string; endedOn: string | null }[];
}

/** Decrypts everything of the case into an archive package; an unreadable record is kept as null rather than dropped silently. */
export function archivePackageOf(
  c: ArchivableCase,
  keys: ReportKeys,
  category: { ko: string; en: string } | null,
  identity: ReporterIdentity | null,
): ArchivePackage {
  const rk = keys.reportKey;
  const ct = fromBase64Url;
  return {
    caseNumber: c.caseNumber,
    reportId: c.id,
    category,
    outcome: c.outcome,
    dates: { receivedOn: c.receivedOn, acknowledgedOn: c.acknowledgedOn, closedOn: c.closedOn },
    title: attempt(() => decryptTitle(rk, c.id, ct(c.title))),
    body: attempt(() => decryptBody(rk, c.id, ct(c.body))),
    identity,
    messages: c.messages.map((m) => {
      const plain = attempt(() => decryptMessage(rk, c.id, m.id, ct(m.body), m.author));
      return { author: m.author, kind: plain?.kind ?? "message", text: plain?.text ?? null, sentOn: m.sentOn };
    }),
    notes: c.notes.map((n) => ({
      text: attempt(() => decryptNote(keys.caseKey, c.id, n.id, ct(n.body))),
      createdAt: n.createdAt,
    })),
    privacyRequests: c.privacyRequests.map((p) => ({
      kind: p.kind,
      requestedOn: p.requestedOn,
      answeredOn: p.answeredOn,
      detail: p.detail ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "request", ct(p.detail!))) : null,
      answer: p.answer ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "answer", ct(p.answer!))) : null,
    })),
    provisions: c.provisions.map(({ affiliate, items, purpose, legalBasis, providedOn, endedOn }) => ({
      affiliate,
      items,
      purpose,
      legalBasis,
      providedOn,
      endedOn,
    })),
    files: c.attachments.map((a) => ({ id: a.id, ...decryptFileMeta(rk, c.id, a.id, ct(a.meta)) })),
  };
}

function seal(c: ArchivableCase, keys: ReportKeys, pkg: ArchivePackage, basis: RetentionBasisCode, admins: Reviewer[]) {
  const archiveId = newRecordId();
  const archiveKey = generateArchiveKey();
  const body = {
    archiveId,
    basis,
    package: toBase64Url(encryptArchivePackage(archiveKey, archiveId, pkg)),
    files: c.attachments.map((a) => ({
      attachmentId: a.id,
      fileKey: toBase64Url(wrapFileKeyForArchive(archiveKey, archiveId, a.id, unwrapFileKey(keys.reportKey, c.id, a.id, fromBase64Url(a.fileKey)))),
    })),
    envelopes: admins.map((a) => ({
      staffUserId: a.id,
      envelope: toBase64Url(sealArchiveKey(archiveKey, archiveId, fromBase64Url(a.publicKey) as StaffPublicKey)),
    })),
  };
  archiveKey.fill(0);
  return body;
}

/** Archives the case; if the administrators changed between listing and posting, seals again once. */
export async function archiveCase(
  client: StaffClient,
  c: ArchivableCase,
  keys: ReportKeys,
  category: { ko: string; en: string } | null,
  basis: RetentionBasisCode,
) {
  // The identity goes into the archive only as released to this investigator after a recorded reason.
  const identity = c.hasIdentity ? await releasedIdentityOrThrow(client, keys, c.id) : null;
  const pkg = archivePackageOf(c, keys, category, identity);
  const post = async () => {
    const admins = await client.get<Reviewer[]>(`/api/staff/cases/${c.id}/admins`);
    return client.caseOp<{ archiveId: string; retainUntil: string }>(c.id, "archive", seal(c, keys, pkg, basis, admins));
  };
  try {
    return await post();
  } catch (error) {
    if ((error as { code?: string }).code !== "admins_changed") throw error;
    return post();
  }
}
