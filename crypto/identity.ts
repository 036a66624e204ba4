// The reporter's identity behind a recorded reason (ADR 052, CRYPTO.md §8.4).
// Since release 0.x of this format a report's identity (name, e-mail, phone) is
// encrypted under its own random identity key, made in the reporter's browser
// (or by the server on the path without JavaScript), and that key is wrapped
// under the report key as the record `identity-key`. Investigators hold the
// report key from the start, but the server hands out the identity record and
// its key wrap only to an investigator whose recorded reason was released; the
// reporter gets both with their own case view. The reason's free text is a
// record under the case key (`identity-reason`). The address for update
// e-mails, when the reporter asked for them, is a record of its own under the
// report key (`notify-address`), so sending those e-mails needs no identity.
//
// Reports made before this format keep `report-identity` under the report key;
// the server withholds it the same way (no wrap: `wrappedKey` null).
import { decryptJson, decryptRecord, encryptJson, encryptRecord } from "./aead";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { CaseKey, IdentityKey, RecordCiphertext, ReportKey } from "./types";

export interface ReporterIdentity {
  name: string | null;
  email: string | null;
  phone: string | null;
  /** The reporter asked for content-free update e-mails at `email`, in this language (absent: no). */
  notify?: { email: boolean; language: "ko" | "en" };
}

/** Where update e-mails go: only when the reporter asked for them. */
export interface NotifyAddress {
  email: string;
  language: "ko" | "en";
}

/** The identity as stored: the record and, for reports since ADR 052, its key wrapped under the report key. */
export interface SealedIdentity {
  identity: RecordCiphertext;
  identityKey: RecordCiphertext;
  notifyAddress: RecordCiphertext | null;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CryptoError("bad_format", `${what} is not an object`);
  return value as Record<string, unknown>;
}

function nullableString(value: unknown, what: string): string | null {
  if (value !== null && typeof value !== "string") throw new CryptoError("bad_format", `${what} is not text`);
  return value;
}

function language(value: unknown): "ko" | "en" {
  if (value !== "ko" && value !== "en") throw new CryptoError("bad_format", "language is not ko or en");
  return value;
}

/** Checks the JSON shape of an identity plaintext (both record kinds share it). */
export function parseIdentity(value: unknown): ReporterIdentity {
  const o = object(value, "identity");
  const identity: ReporterIdentity = {
    name: nullableString(o.name, "name"),
    email: nullableString(o.email, "email"),
    phone: nullableString(o.phone, "phone"),
  };
  if (o.notify !== undefined) {
    const n = object(o.notify, "notify");
    if (typeof n.email !== "boolean") throw new CryptoError("bad_format", "notification preference has the wrong shape");
    identity.notify = { email: n.email, language: language(n.language) };
  }
  return identity;
}

export function generateIdentityKey(): IdentityKey {
  return sodiumNow().crypto_aead_xchacha20poly1305_ietf_keygen() as IdentityKey;
}

export function wrapIdentityKey(reportKey: ReportKey, reportId: string, key: IdentityKey): RecordCiphertext {
  return encryptRecord(reportKey, { purpose: "identity-key", id: reportId }, key);
}

export function unwrapIdentityKey(reportKey: ReportKey, reportId: string, wrapped: Uint8Array): IdentityKey {
  const key = decryptRecord(reportKey, { purpose: "identity-key", id: reportId }, wrapped);
  if (key.length !== 32) throw new CryptoError("bad_key", "wrapped identity key has the wrong length");
  return key as IdentityKey;
}

/** The update-e-mail address the identity asks for, or null. */
export function notifyWish(identity: ReporterIdentity): NotifyAddress | null {
  return identity.email && identity.notify?.email ? { email: identity.email, language: identity.notify.language } : null;
}

export function encryptNotifyAddress(reportKey: ReportKey, reportId: string, address: NotifyAddress): RecordCiphertext {
  return encryptJson(reportKey, { purpose: "notify-address", id: reportId }, address);
}

export function decryptNotifyAddress(reportKey: ReportKey, reportId: string, ct: Uint8Array): NotifyAddress {
  const o = object(decryptJson(reportKey, { purpose: "notify-address", id: reportId }, ct), "notification address");
  if (typeof o.email !== "string" || o.email === "") throw new CryptoError("bad_format", "notification address has no e-mail");
  return { email: o.email, language: language(o.language) };
}

/**
 * Encrypts an identity under `key` (a fresh identity key when absent): the record, its key wrap and,
 * if the reporter wants update e-mails, the address record. Used at intake and when the reporter
 * changes their wish at follow-up (with the key they already have, so the wrap stays valid).
 */
export function sealIdentity(reportKey: ReportKey, reportId: string, identity: ReporterIdentity, key?: IdentityKey): SealedIdentity {
  const identityKey = key ?? generateIdentityKey();
  const wish = notifyWish(identity);
  return {
    identity: encryptJson(identityKey, { purpose: "identity", id: reportId }, identity),
    identityKey: wrapIdentityKey(reportKey, reportId, identityKey),
    notifyAddress: wish ? encryptNotifyAddress(reportKey, reportId, wish) : null,
  };
}

/**
 * Opens a stored identity: with a key wrap the `identity` record under the identity key, without one
 * (reports from before ADR 052) the `report-identity` record under the report key.
 */
export function openIdentity(reportKey: ReportKey, reportId: string, identity: Uint8Array, wrappedKey: Uint8Array | null): ReporterIdentity {
  if (wrappedKey === null) return parseIdentity(decryptJson(reportKey, { purpose: "report-identity", id: reportId }, identity));
  const key = unwrapIdentityKey(reportKey, reportId, wrappedKey);
  try {
    return parseIdentity(decryptJson(key, { purpose: "identity", id: reportId }, identity));
  } finally {
    key.fill(0);
  }
}

/** The investigator's reason for opening the identity, free text under the case key (subId: the access id). */
export function encryptAccessReason(caseKey: CaseKey, reportId: string, accessId: string, text: string): RecordCiphertext {
  return encryptJson(caseKey, { purpose: "identity-reason", id: reportId, subId: accessId }, { text });
}

export function decryptAccessReason(caseKey: CaseKey, reportId: string, accessId: string, ct: Uint8Array): string {
  const o = object(decryptJson(caseKey, { purpose: "identity-reason", id: reportId, subId: accessId }, ct), "reason");
  if (typeof o.text !== "string") throw new CryptoError("bad_format", "reason has the wrong shape");
  return o.text;
}
