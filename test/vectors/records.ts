// The reader of each record purpose, as crypto/ exposes it, for the record-shape vectors of aead-v1.json
// (docs/CRYPTO.md §3.3, §3.4 step 5): used by the generator and by test/crypto/vectors.test.ts.
import {
  decryptBody,
  decryptFeedback,
  decryptFileMeta,
  decryptIdentity,
  decryptLabels,
  decryptMessage,
  decryptNote,
  decryptPrivacyText,
  decryptTitle,
  type CaseKey,
  type FeedbackAuthor,
  type FeedbackKey,
  type MessageAuthor,
  type ReportKey,
} from "../../crypto/index";
import { fromHex } from "./common";

/** Opens a record with the reader of its purpose (crypto/report.ts, dialogue.ts, casework.ts, share.ts). */
export function readRecord(v: { key: string; purpose: string; id: string; subId?: string; expectedAuthor?: string; ciphertext: string }): unknown {
  const key = fromHex(v.key);
  const ct = fromHex(v.ciphertext);
  const sub = v.subId ?? "";
  switch (v.purpose) {
    case "report-title":
      return decryptTitle(key as ReportKey, v.id, ct);
    case "report-body":
      return decryptBody(key as ReportKey, v.id, ct);
    case "report-identity":
      return decryptIdentity(key as ReportKey, v.id, ct);
    case "file-meta":
      return decryptFileMeta(key as ReportKey, v.id, sub, ct);
    case "message":
      return decryptMessage(key as ReportKey, v.id, sub, ct, v.expectedAuthor as MessageAuthor);
    case "privacy-request":
    case "privacy-answer":
      return { text: decryptPrivacyText(key as ReportKey, v.id, sub, v.purpose === "privacy-request" ? "request" : "answer", ct) };
    case "note":
      return { text: decryptNote(key as CaseKey, v.id, sub, ct) };
    case "labels":
      return decryptLabels(key as CaseKey, v.id, ct);
    case "share-feedback":
      return decryptFeedback(key as FeedbackKey, v.id, sub, ct, v.expectedAuthor as FeedbackAuthor);
    default:
      throw new Error(`no record reader for ${v.purpose}`);
  }
}
