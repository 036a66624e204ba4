// A whole report through the key hierarchy: reporter seals, investigators and
// the returning reporter open; attachments through their wrapped file keys.
import { beforeAll, describe, expect, it } from "vitest";
import {
  decryptAttachment,
  decryptBody,
  decryptFileMeta,
  decryptIdentity,
  decryptTitle,
  deriveReceiptSecrets,
  encryptAttachment,
  encryptFileMeta,
  encryptJson,
  encryptRecord,
  generateFileKey,
  generateStaffKeyPair,
  loadSodium,
  newRecordId,
  openEnvelope,
  openIdentity,
  parseReceipt,
  sealNewReport,
  unwrapFileKey,
  unwrapReporterKey,
  wrapFileKey,
  type ReceiptWrapKey,
  type ReportBody,
  type ReportKey,
  type SealedReport,
  type StaffKeyPair,
} from "../../crypto/index";
import { expectCryptoError, hex } from "./helpers";

let alice: StaffKeyPair;
let bob: StaffKeyPair;
let sealed: SealedReport;
const body: ReportBody = {
  description: "Kickbacks from a supplier",
  details: "The purchasing lead received payments from the supplier's account.",
  periodFrom: "2024-01-01",
  periodTo: null,
};

beforeAll(async () => {
  await loadSodium();
  alice = generateStaffKeyPair();
  bob = generateStaffKeyPair();
  sealed = sealNewReport({
    reportId: newRecordId(),
    title: "구매 담당자 리베이트",
    body,
    identity: { name: null, email: "someone@example.com", phone: null },
    recipients: [
      { staffUserId: newRecordId(), publicKey: alice.publicKey },
      { staffUserId: newRecordId(), publicKey: bob.publicKey },
    ],
  });
});

describe("a sealed report", () => {
  it("opens for every investigator it was sealed to", () => {
    for (const [i, kp] of [alice, bob].entries()) {
      const keys = openEnvelope(sealed.envelopes[i]!.envelope, sealed.reportId, kp);
      expect(hex(keys.reportKey)).toBe(hex(sealed.keys.reportKey));
      expect(hex(keys.caseKey)).toBe(hex(sealed.keys.caseKey));
      expect(decryptTitle(keys.reportKey, sealed.reportId, sealed.title)).toBe("구매 담당자 리베이트");
      expect(decryptBody(keys.reportKey, sealed.reportId, sealed.body)).toEqual(body);
      // With the identity key wrap (ADR 052), which the server hands out only after a recorded reason.
      expect(openIdentity(keys.reportKey, sealed.reportId, sealed.identity!, sealed.identityKey)).toEqual({
        name: null,
        email: "someone@example.com",
        phone: null,
      });
    }
  });

  it("opens for the reporter from the receipt code alone", () => {
    const { lookup, wrapKey } = deriveReceiptSecrets(sealed.receiptCode.toLowerCase());
    expect(hex(lookup)).toBe(hex(sealed.receiptLookup));
    const reportKey = unwrapReporterKey(wrapKey, sealed.reportId, sealed.reporterKey);
    expect(decryptBody(reportKey, sealed.reportId, sealed.body)).toEqual(body);
    expect(parseReceipt(sealed.receiptCode).ok).toBe(true);
  });

  it("does not open for another receipt code, another report or the case key", () => {
    const other = deriveReceiptSecrets(sealNewReportLike().receiptCode);
    expectCryptoError(() => unwrapReporterKey(other.wrapKey, sealed.reportId, sealed.reporterKey), "decrypt_failed");
    const { wrapKey } = deriveReceiptSecrets(sealed.receiptCode);
    expectCryptoError(() => unwrapReporterKey(wrapKey, newRecordId(), sealed.reporterKey), "decrypt_failed");
    expectCryptoError(() => decryptBody(sealed.keys.caseKey as unknown as ReportKey, sealed.reportId, sealed.body), "decrypt_failed");
    expectCryptoError(() => decryptBody(sealed.keys.reportKey, sealed.reportId, sealed.title), "decrypt_failed");
    expectCryptoError(() => openEnvelope(sealed.envelopes[0]!.envelope, newRecordId(), alice), "wrong_record");
  });

  it("needs at least one recipient", () => {
    expectCryptoError(() => sealNewReport({ reportId: newRecordId(), title: "t", body, identity: null, recipients: [] }), "bad_key");
  });

  it("rejects fields of the wrong shape after decryption", () => {
    const id = sealed.reportId;
    const key = sealed.keys.reportKey;
    expectCryptoError(() => decryptTitle(key, id, encryptJson(key, { purpose: "report-title", id }, 42)), "bad_format");
    expectCryptoError(() => decryptBody(key, id, encryptJson(key, { purpose: "report-body", id }, [body])), "bad_format");
    expectCryptoError(() => decryptBody(key, id, encryptJson(key, { purpose: "report-body", id }, { ...body, periodTo: 5 })), "bad_format");
    expectCryptoError(() => decryptIdentity(key, id, encryptJson(key, { purpose: "report-identity", id }, null)), "bad_format");
  });

  it("rejects an unwrapped reporter key of the wrong length", () => {
    const { wrapKey } = deriveReceiptSecrets(sealed.receiptCode);
    const short = encryptRecord(wrapKey as ReceiptWrapKey, { purpose: "reporter-key", id: sealed.reportId }, new Uint8Array(16));
    expectCryptoError(() => unwrapReporterKey(wrapKey, sealed.reportId, short), "bad_key");
  });
});

describe("an attachment", () => {
  it("round-trips through its wrapped file key and encrypted metadata", () => {
    const key = sealed.keys.reportKey;
    const id = sealed.reportId;
    const attachmentId = newRecordId();
    const fileKey = generateFileKey();
    const content = new TextEncoder().encode("%PDF-1.7 ...".repeat(1000));
    const ct = encryptAttachment(fileKey, { reportId: id, attachmentId }, content);
    const wrapped = wrapFileKey(key, id, attachmentId, fileKey);
    const meta = encryptFileMeta(key, id, attachmentId, { name: "증빙.pdf", type: "application/pdf", size: content.length });

    const k = unwrapFileKey(key, id, attachmentId, wrapped);
    expect(decryptFileMeta(key, id, attachmentId, meta)).toEqual({ name: "증빙.pdf", type: "application/pdf", size: content.length });
    expect(hex(decryptAttachment(k, { reportId: id, attachmentId }, ct))).toBe(hex(content));

    const otherAttachment = newRecordId();
    expectCryptoError(() => unwrapFileKey(key, id, otherAttachment, wrapped), "decrypt_failed");
    expectCryptoError(() => decryptFileMeta(key, id, otherAttachment, meta), "decrypt_failed");
    expectCryptoError(() => decryptAttachment(k, { reportId: id, attachmentId: otherAttachment }, ct), "decrypt_failed");
    const badSize = encryptJson(key, { purpose: "file-meta", id, subId: attachmentId }, { name: "a", type: "b", size: -1 });
    expectCryptoError(() => decryptFileMeta(key, id, attachmentId, badSize), "bad_format");
  });
});

function sealNewReportLike(): SealedReport {
  return sealNewReport({ reportId: newRecordId(), title: "x", body, identity: null, recipients: [{ staffUserId: newRecordId(), publicKey: alice.publicKey }] });
}
