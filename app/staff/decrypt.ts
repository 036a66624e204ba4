// Decrypting what staff pages receive, item by item: a damaged record shows
// as unreadable instead of hiding the rest.
import { decryptTitle, fromBase64Url, isCryptoError, openEnvelope, type ReportKeys, type StaffKeyPair } from "../../crypto";

export function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (error) {
    if (isCryptoError(error)) return null;
    throw error;
  }
}

export function openCaseKeys(envelope: string, reportId: string, keys: StaffKeyPair): ReportKeys | null {
  return attempt(() => openEnvelope(fromBase64Url(envelope), reportId, keys));
}

export function inboxTitle(row: { id: string; envelope: string; title: string }, keys: StaffKeyPair): string | null {
  const k = openCaseKeys(row.envelope, row.id, keys);
  return k ? attempt(() => decryptTitle(k.reportKey, row.id, fromBase64Url(row.title))) : null;
}
