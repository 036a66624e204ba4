// Investigator-only records of a case, under the case-internal key: the
// reporter never holds that key, so notes and labels stay with the team.
import { decryptJson, encryptJson } from "./aead";
import { CryptoError } from "./errors";
import type { CaseKey, RecordCiphertext } from "./types";

/** An internal note: JSON `{text}` (purpose "note", subId the note id). */
export function encryptNote(caseKey: CaseKey, reportId: string, noteId: string, text: string): RecordCiphertext {
  return encryptJson(caseKey, { purpose: "note", id: reportId, subId: noteId }, { text });
}

export function decryptNote(caseKey: CaseKey, reportId: string, noteId: string, ct: Uint8Array): string {
  const o = decryptJson(caseKey, { purpose: "note", id: reportId, subId: noteId }, ct) as { text?: unknown } | null;
  if (!o || typeof o.text !== "string") throw new CryptoError("bad_format", "note has the wrong shape");
  return o.text;
}

/** The case's labels, free text: one JSON array of strings per case (purpose "labels"). */
export function encryptLabels(caseKey: CaseKey, reportId: string, labels: string[]): RecordCiphertext {
  return encryptJson(caseKey, { purpose: "labels", id: reportId }, labels);
}

export function decryptLabels(caseKey: CaseKey, reportId: string, ct: Uint8Array): string[] {
  const o = decryptJson(caseKey, { purpose: "labels", id: reportId }, ct);
  if (!Array.isArray(o) || !o.every((l) => typeof l === "string")) throw new CryptoError("bad_format", "labels have the wrong shape");
  return o as string[];
}
