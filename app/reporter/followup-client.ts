// The reporter's follow-up, independent of React and of the platform: open the
// case with the receipt code (only a derived look-up value leaves), decrypt it,
// talk with the investigators, add files, make privacy requests, leave. Keys
// and the session token live in this object's memory only.
import {
  AttachmentDecryptor,
  decryptFileMeta,
  deriveReceiptSecrets,
  encryptMessage,
  encryptPrivacyText,
  fromBase64Url,
  isCryptoError,
  loadSodium,
  newRecordId,
  openIdentity,
  parseReceipt,
  sealIdentity,
  toBase64Url,
  unwrapFileKey,
  unwrapIdentityKey,
  unwrapReporterKey,
  type AttachmentMeta,
  type MessageKind,
  type ReceiptProblem,
  type ReportKey,
} from "../../crypto";
import { decryptCase, type DecryptedCase } from "../intake/followup-view";
import type { OpenSessionResponse, PrivacyKind, ReporterCaseView } from "../intake/followup-wire";
import { decryptResponseToBlob } from "./decrypt-download";
import { withPow } from "../shared/pow-client";
import {
  Api,
  apiFor,
  IntakeError,
  OpenedUploads,
  untilCancelled,
  uploadEncryptedFile,
  type IntakeOptions,
  type Progress,
  type SourceFile,
} from "../shared/transport";

export { fromBrowserFile, IntakeError, wireBytes } from "../shared/transport";

/** Thrown before any request when the typed code cannot be right (check symbol, length, characters). */
export class ReceiptFormatError extends Error {
  constructor(readonly problem: ReceiptProblem) {
    super(`receipt code is invalid (${problem})`);
    this.name = "ReceiptFormatError";
  }
}

export { decryptCase, type DecryptedCase };

export class FollowupSession {
  private token: string | null;
  readonly idleSeconds: number;

  constructor(
    private readonly api: Api,
    token: string,
    readonly reportId: string,
    private reportKey: ReportKey | null,
    idleSeconds: number,
    private readonly options: IntakeOptions,
    /** The last case view received: the wrapped file keys for downloads. */
    private view: ReporterCaseView,
  ) {
    this.token = token;
    this.idleSeconds = idleSeconds;
  }

  private auth(): Record<string, string> {
    if (!this.token) throw new IntakeError("session_ended", "the session has ended");
    return { Authorization: `Bearer ${this.token}` };
  }

  private key(): ReportKey {
    if (!this.reportKey) throw new IntakeError("session_ended", "the session has ended");
    return this.reportKey;
  }

  private busyCount = 0;

  /** True while an upload or send is under way: the session must not time out then. */
  get busy(): boolean {
    return this.busyCount > 0;
  }

  private async whileBusy<T>(fn: () => Promise<T>): Promise<T> {
    this.busyCount++;
    try {
      return await fn();
    } finally {
      this.busyCount--;
    }
  }

  /** Tells the server the reporter is still here (their idle clock restarts). */
  async keepAlive(): Promise<void> {
    await this.api.call("GET", "/api/followup/session", { headers: this.auth() });
  }

  /** The session token, for a last log-out beacon when the page goes away. */
  get beaconToken(): string | null {
    return this.token;
  }

  async refresh(): Promise<DecryptedCase> {
    this.view = await this.api.call<ReporterCaseView>("GET", "/api/followup/case", { headers: this.auth() });
    return decryptCase(this.view, this.key());
  }

  async sendMessage(text: string, kind: MessageKind = "message"): Promise<void> {
    return this.whileBusy(() => this.send(text, kind));
  }

  private async send(text: string, kind: MessageKind): Promise<void> {
    const id = newRecordId();
    const body = encryptMessage(this.key(), this.reportId, id, { author: "reporter", kind, text });
    await this.post("/api/followup/messages", { id, body: toBase64Url(body) });
  }

  /**
   * Switches update e-mails on or off: the identity is re-encrypted here with the new wish (and the
   * language of this page), so the server never learns the address or the choice.
   */
  async setEmailUpdates(on: boolean, language: "ko" | "en"): Promise<DecryptedCase> {
    const v = this.view;
    const wrapped = v.identityKey ? fromBase64Url(v.identityKey) : null;
    const current = v.identity ? openIdentity(this.key(), this.reportId, fromBase64Url(v.identity), wrapped) : null;
    if (!current?.email) throw new IntakeError("no_email", "no e-mail address was given with this report");
    const next = { ...current, notify: { email: on, language } };
    // The same identity key, so what investigators were released stays valid; a report from before ADR 052 gets one now.
    const key = wrapped ? unwrapIdentityKey(this.key(), this.reportId, wrapped) : undefined;
    const sealed = sealIdentity(this.key(), this.reportId, next, key);
    key?.fill(0);
    await this.post("/api/followup/identity", {
      identity: toBase64Url(sealed.identity),
      identityKey: toBase64Url(sealed.identityKey),
      notifyAddress: sealed.notifyAddress ? toBase64Url(sealed.notifyAddress) : null,
    });
    return this.refresh();
  }

  /**
   * Encrypts and adds files to the case, one after the other. `signal` cancels while a file is sent: its upload is
   * abandoned on the server (IntakeError `cancelled`); files already added stay, as the case view then shows.
   */
  async addFiles(files: SourceFile[], onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<void> {
    return this.whileBusy(() => this.upload(files, onProgress, signal));
  }

  private async upload(files: SourceFile[], onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<void> {
    const options: IntakeOptions = { ...this.options, ...(onProgress ? { onProgress } : {}), signal };
    // The parts go through a cancellable Api; abandoning and adding a sent file through the session's own.
    const sending = signal ? apiFor(options) : this.api;
    for (const [i, file] of files.entries()) {
      const opened = new OpenedUploads(this.api);
      let encrypted: Awaited<ReturnType<typeof uploadEncryptedFile>>;
      try {
        encrypted = await untilCancelled(
          uploadEncryptedFile(
            sending,
            { path: "/api/followup/uploads", headers: this.auth(), withPow: (request) => withPow(sending, "upload", options, request) },
            this.reportId,
            this.key(),
            file,
            i,
            { ...options, onUploadOpened: (u) => opened.add(u) },
          ),
          signal,
        );
      } catch (error) {
        opened.abandonAll();
        throw error;
      }
      await this.api.call("POST", "/api/followup/attachments", { json: encrypted, headers: this.auth() });
    }
  }

  async requestPrivacy(kind: PrivacyKind, text: string | null): Promise<{ dueOn: string }> {
    const id = newRecordId();
    const detail = text ? toBase64Url(encryptPrivacyText(this.key(), this.reportId, id, "request", text)) : null;
    return this.post("/api/followup/privacy-requests", { id, kind, detail });
  }

  /** A post from the session: each carries a solved proof of work (ADR 032). */
  private post<T>(path: string, json: unknown): Promise<T> {
    return withPow(this.api, "followup-post", this.options, (pow) => this.api.call<T>("POST", path, { json, headers: { ...this.auth(), ...pow } }));
  }

  /** Downloads and decrypts one attachment as it streams, into a Blob (bounded page memory). */
  async downloadAttachment(attachmentId: string): Promise<{ meta: AttachmentMeta; blob: Blob }> {
    const entry = this.view.attachments.find((a) => a.id === attachmentId);
    if (!entry) throw new IntakeError("not_found", "no such attachment in this case");
    const key = this.key();
    const meta = decryptFileMeta(key, this.reportId, entry.id, fromBase64Url(entry.meta));
    const fileKey = unwrapFileKey(key, this.reportId, entry.id, fromBase64Url(entry.fileKey));
    const response = await this.api.raw("GET", `/api/followup/attachments/${entry.id}`, this.auth());
    const decryptor = new AttachmentDecryptor(fileKey, { reportId: this.reportId, attachmentId: entry.id });
    return { meta, blob: await decryptResponseToBlob(response, decryptor, "application/octet-stream") };
  }

  /** Ends the session on the server and forgets the keys here. */
  async logout(): Promise<void> {
    const headers = this.token ? this.auth() : null;
    this.forget();
    if (headers) await this.api.call("DELETE", "/api/followup/session", { headers }).catch(() => {});
  }

  /** Drops the token and the report key from memory. */
  forget(): void {
    this.token = null;
    this.reportKey?.fill(0);
    this.reportKey = null;
  }
}

/** Everything about the case, decrypted, as the reporter's own copy (the access right). */
export function exportCase(c: DecryptedCase): string {
  return JSON.stringify(
    {
      exportedBy: "Clean OKESTRO Report",
      caseNumber: c.caseNumber,
      status: c.status,
      dates: { received: c.receivedOn, acknowledged: c.acknowledgedOn, lastUpdate: c.updatedOn, closed: c.closedOn },
      report: { title: c.title, ...c.body },
      contact: c.identity,
      attachments: c.attachments.map(({ name, type, size, addedOn, source }) => ({ name, type, size, addedOn, addedBy: source })),
      dialogue: c.messages.map(({ author, kind, text, sentOn }) => ({ author, kind, text, sentOn })),
      privacyRequests: c.privacyRequests.map(({ kind, state, detail, requestedOn, dueOn, answer, answeredOn, outcome, refusalReason, refusalBasis }) => ({
        kind,
        state,
        outcome,
        refusalReason,
        refusalBasis,
        detail,
        requestedOn,
        dueOn,
        answer,
        answeredOn,
      })),
      providedToAffiliates: c.provisions.map(({ affiliate, items, purpose, legalBasis, providedOn, retainUntil, endedOn, endReason }) => ({
        affiliate,
        items,
        purpose,
        legalBasis,
        providedOn,
        retainUntil,
        endedOn,
        endReason,
      })),
    },
    null,
    2,
  );
}

/**
 * Opens the case for a typed receipt code. A code that cannot be right throws
 * ReceiptFormatError without any request; a wrong one gets the server's
 * uniform "not_found"; too many attempts get "too_many_attempts".
 */
export async function openCase(receipt: string, options: IntakeOptions = {}): Promise<{ session: FollowupSession; case: DecryptedCase }> {
  const parsed = parseReceipt(receipt);
  if (!parsed.ok) throw new ReceiptFormatError(parsed.problem);
  await loadSodium();
  const { lookup, wrapKey } = deriveReceiptSecrets(parsed.code);
  const api = apiFor(options);
  const opened = await withPow(api, "followup-session", options, (headers) =>
    api.call<OpenSessionResponse>("POST", "/api/followup/session", { json: { lookup: toBase64Url(lookup) }, headers }),
  );
  try {
    const reportKey = unwrapReporterKey(wrapKey, opened.case.reportId, fromBase64Url(opened.case.reporterKey));
    const session = new FollowupSession(api, opened.token, opened.case.reportId, reportKey, opened.idleSeconds, options, opened.case);
    return { session, case: decryptCase(opened.case, reportKey) };
  } catch (error) {
    if (isCryptoError(error)) throw new IntakeError("decrypt_failed", "the case could not be decrypted with this receipt code", undefined, { cause: error });
    throw error;
  } finally {
    wrapKey.fill(0);
  }
}

export { preloadCrypto } from "./intake-client";
