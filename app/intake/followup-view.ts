// The reporter's case view decrypted with the report key: in the reporter's
// browser (app/reporter/followup-client.ts), and on the server for the
// follow-up without JavaScript (app/.server/followup/plain.ts, ADR 044), in
// memory for the one request that renders it.
import {
  decryptBody,
  decryptFileMeta,
  decryptMessage,
  decryptPrivacyText,
  decryptTitle,
  fromBase64Url,
  isCryptoError,
  openIdentity,
  type AttachmentMeta,
  type MessageKind,
  type ReportBody,
  type ReporterIdentity,
  type ReportKey,
} from "../../crypto";
import type { ReporterCaseView } from "./followup-wire";

/** The wire view with every ciphertext replaced by what it decrypts to (privacy texts keep their shape). */
export interface DecryptedCase extends Omit<ReporterCaseView, "reporterKey" | "title" | "body" | "identity" | "identityKey" | "attachments" | "messages"> {
  title: string;
  body: ReportBody;
  identity: ReporterIdentity | null;
  attachments: (AttachmentMeta & { id: string; source: "reporter" | "investigator"; addedOn: string })[];
  /** `text` is null when a message does not decrypt (tampered or damaged): shown as unreadable, the rest still works. */
  messages: { id: string; seq: number; author: "reporter" | "investigator"; kind: MessageKind; text: string | null; sentOn: string }[];
}

/** One damaged record must not hide the whole case: it reads as null instead. */
function readable<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (error) {
    if (isCryptoError(error)) return null;
    throw error;
  }
}

export function decryptCase(view: ReporterCaseView, reportKey: ReportKey): DecryptedCase {
  const id = view.reportId;
  const ct = fromBase64Url;
  return {
    reportId: id,
    caseNumber: view.caseNumber,
    categoryId: view.categoryId,
    status: view.status,
    receivedOn: view.receivedOn,
    acknowledgedOn: view.acknowledgedOn,
    updatedOn: view.updatedOn,
    closedOn: view.closedOn,
    ackDueOn: view.ackDueOn,
    feedbackDueOn: view.feedbackDueOn,
    title: decryptTitle(reportKey, id, ct(view.title)),
    body: decryptBody(reportKey, id, ct(view.body)),
    identity: view.identity ? openIdentity(reportKey, id, ct(view.identity), view.identityKey ? ct(view.identityKey) : null) : null,
    identityAccesses: view.identityAccesses,
    attachments: view.attachments.map((a) => ({
      id: a.id,
      source: a.source,
      addedOn: a.addedOn,
      ...decryptFileMeta(reportKey, id, a.id, ct(a.meta)),
    })),
    messages: view.messages.map((m) => {
      const plain = readable(() => decryptMessage(reportKey, id, m.id, ct(m.body), m.author));
      return { id: m.id, seq: m.seq, author: m.author, kind: plain?.kind ?? "message", text: plain?.text ?? null, sentOn: m.sentOn };
    }),
    privacyRequests: view.privacyRequests.map((p) => ({
      id: p.id,
      kind: p.kind,
      state: p.state,
      requestedOn: p.requestedOn,
      dueOn: p.dueOn,
      answeredOn: p.answeredOn,
      outcome: p.outcome,
      refusalReason: p.refusalReason,
      refusalBasis: p.refusalBasis,
      detail: p.detail ? readable(() => decryptPrivacyText(reportKey, id, p.id, "request", ct(p.detail!))) : null,
      answer: p.answer ? readable(() => decryptPrivacyText(reportKey, id, p.id, "answer", ct(p.answer!))) : null,
    })),
    provisions: view.provisions,
    emailNotifications: view.emailNotifications,
  };
}

/**
 * A text of the page without JavaScript: a catalog key and its parameters (`date` is a day, shown in the page's
 * language; `<name>Key` is a catalog key whose text fills `{name}`).
 */
export interface PlainNotice {
  key: string;
  params?: Record<string, string>;
}

/** A privacy request the page without JavaScript shows before it is sent (ADR 044). */
export interface PlainPrivacyDraft {
  id: string;
  kind: "access" | "correction" | "deletion" | "suspension";
  detail: string | null;
}

/** What each answer of the follow-up page without JavaScript shows (ADR 044). */
export type PlainPage =
  | { view: "signin"; notice: PlainNotice | null; error: PlainNotice | null }
  | {
      view: "case";
      /** The hidden field every form of the page posts back: the session token and the receipt wrap key. */
      session: string;
      case: DecryptedCase;
      /** The id the next message is sent under: a repeated post of the same form is stored once. */
      nextId: string;
      notice: PlainNotice | null;
      error: PlainNotice | null;
      /** The message typed when sending failed, given back (nothing typed is lost). */
      draft: string;
      /** A privacy request waiting for the reporter's confirmation. */
      confirm: PlainPrivacyDraft | null;
      /** Which form the error belongs to. */
      errorFor: "message" | "privacy" | "files" | null;
    };
