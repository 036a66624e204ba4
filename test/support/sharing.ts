// What an investigator's case page does before sharing, from Node: open the
// case's envelope with the signed-in investigator's own key and decrypt the
// fields and file metadata the share form offers.
import { and, asc, eq } from "drizzle-orm";
import {
  decryptBody,
  decryptFileMeta,
  decryptNotifyAddress,
  openIdentity,
  decryptTitle,
  openEnvelope,
  toBase64Url,
  type ReportKeys,
  type StaffKeyPair,
} from "../../crypto";
import type { ShareSelection } from "../../app/staff/share-builder";
import { attachments, reportKeyEnvelopes, reports } from "../../db/schema";
import type { TestPortal } from "./portal";

export interface CaseForSharing {
  ref: { id: string; caseNumber: string };
  keys: ReportKeys;
  title: string;
  body: ReturnType<typeof decryptBody>;
  identity: ReturnType<typeof openIdentity> | null;
  /** The update-e-mail address record, as the case page decrypts it (ADR 052). */
  notifyAddress: ReturnType<typeof decryptNotifyAddress> | null;
  files: ShareSelection["files"];
}

export async function caseForSharing(portal: TestPortal, reportId: string, staffUserId: string, keyPair: StaffKeyPair): Promise<CaseForSharing> {
  const db = portal.services.db;
  const [r] = await db.select().from(reports).where(eq(reports.id, reportId));
  const [e] = await db
    .select()
    .from(reportKeyEnvelopes)
    .where(and(eq(reportKeyEnvelopes.reportId, reportId), eq(reportKeyEnvelopes.staffUserId, staffUserId)));
  const keys = openEnvelope(e!.envelope, reportId, keyPair);
  const files = await db.select().from(attachments).where(eq(attachments.reportId, reportId)).orderBy(asc(attachments.id));
  return {
    ref: { id: reportId, caseNumber: r!.caseNumber },
    keys,
    title: decryptTitle(keys.reportKey, reportId, r!.titleCt),
    body: decryptBody(keys.reportKey, reportId, r!.bodyCt),
    identity: r!.identityCt ? openIdentity(keys.reportKey, reportId, r!.identityCt, r!.identityKeyWrapped) : null,
    notifyAddress: r!.notifyAddressCt ? decryptNotifyAddress(keys.reportKey, reportId, r!.notifyAddressCt) : null,
    files: files.map((a) => ({ id: a.id, ...decryptFileMeta(keys.reportKey, reportId, a.id, a.metaCt), fileKeyWrapped: toBase64Url(a.fileKeyWrapped) })),
  };
}
