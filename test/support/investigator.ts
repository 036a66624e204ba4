// What an investigator's browser will do (issue 4 builds its UI): unlock the
// private key with the password, open the report's envelope and decrypt every
// field and attachment. Tests use it to prove a stored report reads back exactly.
import { and, eq } from "drizzle-orm";
import {
  AttachmentDecryptor,
  decryptBody,
  decryptFileMeta,
  openIdentity,
  decryptTitle,
  loadSodium,
  openEnvelope,
  unwrapFileKey,
  type AttachmentMeta,
  type ReportBody,
  type ReporterIdentity,
} from "../../crypto";
import { deriveStaffPasswordKeys, unwrapStaffSecretKey } from "../../crypto/staff";
import type { Services } from "../../app/.server/platform/services";
import { attachments, reportKeyEnvelopes, reports, staffUsers } from "../../db/schema";

export interface DecryptedReport {
  title: string;
  body: ReportBody;
  identity: ReporterIdentity | null;
  files: (AttachmentMeta & { bytes: Uint8Array })[];
}

export async function unlockStaff(s: Services, email: string, password: string) {
  await loadSodium();
  const [user] = await s.db.select().from(staffUsers).where(eq(staffUsers.email, email));
  if (!user) throw new Error(`no staff user ${email}`);
  const { wrapKey } = await deriveStaffPasswordKeys(password, user.kdfSalt);
  return { user, keyPair: unwrapStaffSecretKey(wrapKey, user.id, user.secretKeyWrapped, "password") };
}

export async function decryptReportAsInvestigator(s: Services, reportId: string, email: string, password: string): Promise<DecryptedReport> {
  const { reportKey } = await investigatorReportKey(s, reportId, email, password);
  const [report] = await s.db.select().from(reports).where(eq(reports.id, reportId));
  const files = [];
  for (const a of await s.db.select().from(attachments).where(eq(attachments.reportId, reportId))) {
    const meta = decryptFileMeta(reportKey, reportId, a.id, a.metaCt);
    const fileKey = unwrapFileKey(reportKey, reportId, a.id, a.fileKeyWrapped);
    const decryptor = new AttachmentDecryptor(fileKey, { reportId, attachmentId: a.id });
    const chunks: Uint8Array[] = [];
    for await (const piece of s.blobs.read(a.blobKey)) chunks.push(...decryptor.push(new Uint8Array(piece as Buffer)));
    chunks.push(...decryptor.finish());
    files.push({ ...meta, bytes: Buffer.concat(chunks) });
  }
  return {
    title: decryptTitle(reportKey, reportId, report!.titleCt),
    body: decryptBody(reportKey, reportId, report!.bodyCt),
    identity: report!.identityCt ? openIdentity(reportKey, reportId, report!.identityCt, report!.identityKeyWrapped) : null,
    files: files.sort((x, y) => x.name.localeCompare(y.name)),
  };
}

/** The report key as an investigator's browser obtains it: password -> secret key -> envelope. */
export async function investigatorReportKey(s: Services, reportId: string, email: string, password: string) {
  const { user, keyPair } = await unlockStaff(s, email, password);
  const [envelope] = await s.db
    .select()
    .from(reportKeyEnvelopes)
    .where(and(eq(reportKeyEnvelopes.reportId, reportId), eq(reportKeyEnvelopes.staffUserId, user.id)));
  if (!envelope) throw new Error(`${email} holds no envelope for report ${reportId}`);
  return { staffUserId: user.id, ...openEnvelope(envelope.envelope, reportId, keyPair) };
}
