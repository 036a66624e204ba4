// The reporter <-> investigator dialogue and privacy requests, all under the
// report key so that both sides can read them. The author is inside the
// authenticated plaintext, so the server cannot relabel who said what.
import { decryptJson, encryptJson } from "./aead";
import { CryptoError } from "./errors";
import type { RecordCiphertext, ReportKey } from "./types";

export type MessageAuthor = "reporter" | "investigator";
export type MessageKind = "message" | "question";

export interface DialogueMessage {
  author: MessageAuthor;
  kind: MessageKind;
  text: string;
}

export function encryptMessage(reportKey: ReportKey, reportId: string, messageId: string, message: DialogueMessage): RecordCiphertext {
  return encryptJson(reportKey, { purpose: "message", id: reportId, subId: messageId }, message);
}

export function decryptMessage(reportKey: ReportKey, reportId: string, messageId: string, ct: Uint8Array, expectedAuthor: MessageAuthor): DialogueMessage {
  const o = decryptJson(reportKey, { purpose: "message", id: reportId, subId: messageId }, ct) as Partial<DialogueMessage> | null;
  if (!o || typeof o.text !== "string" || (o.kind !== "message" && o.kind !== "question")) {
    throw new CryptoError("bad_format", "message plaintext has the wrong shape");
  }
  if (o.author !== expectedAuthor) throw new CryptoError("wrong_record", "message author does not match its record");
  return { author: o.author, kind: o.kind, text: o.text };
}

export function encryptPrivacyText(reportKey: ReportKey, reportId: string, requestId: string, part: "request" | "answer", text: string): RecordCiphertext {
  return encryptJson(reportKey, { purpose: part === "request" ? "privacy-request" : "privacy-answer", id: reportId, subId: requestId }, { text });
}

export function decryptPrivacyText(reportKey: ReportKey, reportId: string, requestId: string, part: "request" | "answer", ct: Uint8Array): string {
  const o = decryptJson(reportKey, { purpose: part === "request" ? "privacy-request" : "privacy-answer", id: reportId, subId: requestId }, ct) as {
    text?: unknown;
  } | null;
  if (!o || typeof o.text !== "string") throw new CryptoError("bad_format", "privacy text has the wrong shape");
  return o.text;
}
