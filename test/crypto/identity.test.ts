// The identity behind a recorded reason (ADR 052, CRYPTO.md §8.4): the report key alone does not open a new
// report's identity; the identity key wrap does, for the reporter and for an investigator it was released to.
import { beforeAll, describe, expect, it } from "vitest";
import {
  decryptAccessReason,
  decryptJson,
  decryptNotifyAddress,
  encryptAccessReason,
  encryptJson,
  generateStaffKeyPair,
  loadSodium,
  newRecordId,
  openEnvelope,
  openIdentity,
  sealIdentity,
  sealNewReport,
  unwrapIdentityKey,
  type ReporterIdentity,
} from "../../crypto/index";

const who: ReporterIdentity = { name: "홍길동", email: "gildong@example.com", phone: "010-1234-5678", notify: { email: true, language: "ko" } };

describe("identity key", () => {
  beforeAll(loadSodium);

  const sealed = () => {
    const investigator = generateStaffKeyPair();
    const reportId = newRecordId();
    const r = sealNewReport({
      reportId,
      title: "t",
      body: { description: "d", details: "", periodFrom: null, periodTo: null },
      identity: who,
      recipients: [{ staffUserId: newRecordId(), publicKey: investigator.publicKey }],
    });
    const keys = openEnvelope(r.envelopes[0]!.envelope, reportId, investigator);
    return { r, reportId, keys };
  };

  it("a new report's identity opens only with its key wrap, not with the report key alone", () => {
    const { r, reportId, keys } = sealed();
    expect(r.identityKey).not.toBeNull();
    expect(openIdentity(keys.reportKey, reportId, r.identity!, r.identityKey)).toEqual(who);
    // Without the wrap (what the server withholds), neither reading of the record works.
    expect(() => openIdentity(keys.reportKey, reportId, r.identity!, null)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
    expect(() => decryptJson(keys.reportKey, { purpose: "identity", id: reportId }, r.identity!)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
  });

  it("the update-e-mail address is a record of its own, present only when asked for", () => {
    const { r, reportId, keys } = sealed();
    expect(decryptNotifyAddress(keys.reportKey, reportId, r.notifyAddress!)).toEqual({ email: who.email, language: "ko" });
    const quiet = sealIdentity(keys.reportKey, reportId, { ...who, notify: { email: false, language: "en" } });
    expect(quiet.notifyAddress).toBeNull();
    expect(sealIdentity(keys.reportKey, reportId, { name: "n", email: null, phone: null }).notifyAddress).toBeNull();
  });

  it("the reporter's update keeps the identity key, so an earlier release stays valid", () => {
    const { r, reportId, keys } = sealed();
    const key = unwrapIdentityKey(keys.reportKey, reportId, r.identityKey!);
    const next = sealIdentity(keys.reportKey, reportId, { ...who, notify: { email: false, language: "ko" } }, key);
    // The wrap released before still opens the new record.
    expect(openIdentity(keys.reportKey, reportId, next.identity, r.identityKey).notify).toEqual({ email: false, language: "ko" });
  });

  it("a report from before ADR 052 opens as before (report-identity under the report key)", () => {
    const { reportId, keys } = sealed();
    const legacy = encryptJson(keys.reportKey, { purpose: "report-identity", id: reportId }, { name: "A", email: null, phone: null });
    expect(openIdentity(keys.reportKey, reportId, legacy, null)).toEqual({ name: "A", email: null, phone: null });
  });

  it("the identity is bound to its report, and the wrap to its key", () => {
    const { r, keys } = sealed();
    expect(() => openIdentity(keys.reportKey, newRecordId(), r.identity!, r.identityKey)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
    const other = sealed();
    expect(() => openIdentity(other.keys.reportKey, r.reportId, r.identity!, r.identityKey)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
  });

  it("a reason is bound to its access id under the case key", () => {
    const { reportId, keys } = sealed();
    const accessId = newRecordId();
    const ct = encryptAccessReason(keys.caseKey, reportId, accessId, "보호 조치");
    expect(decryptAccessReason(keys.caseKey, reportId, accessId, ct)).toBe("보호 조치");
    expect(() => decryptAccessReason(keys.caseKey, reportId, newRecordId(), ct)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
    expect(() => decryptAccessReason(keys.reportKey as never, reportId, accessId, ct)).toThrow(expect.objectContaining({ code: "decrypt_failed" }));
  });

  it("refuses an identity of the wrong shape", () => {
    const { reportId, keys } = sealed();
    const bad = sealIdentity(keys.reportKey, reportId, { name: 1 } as unknown as ReporterIdentity);
    expect(() => openIdentity(keys.reportKey, reportId, bad.identity, bad.identityKey)).toThrow(expect.objectContaining({ code: "bad_format" }));
  });
});
