// Sharing with affiliates (crypto/share.ts): the share package, the key wraps
// around it, feedback, and the share-key envelopes (envelope-v1 kind 0x02).
import { beforeAll, describe, expect, it } from "vitest";
import {
  IDENTITY_ITEMS,
  SHARE_ENVELOPE_BYTES,
  SHARE_ITEMS,
  decryptFeedback,
  decryptRecord,
  decryptSharePackage,
  encryptFeedback,
  encryptJson,
  encryptRecord,
  encryptSharePackage,
  generateFeedbackKey,
  generateReportKeys,
  generateShareKey,
  generateStaffKeyPair,
  itemsOf,
  loadSodium,
  openReportKeys,
  openShareKey,
  sealReportKeys,
  sealShareKey,
  toBase64Url,
  unwrapFeedbackKeyForCase,
  unwrapFileKeyForShare,
  unwrapShareKeyForCase,
  uuidToBytes,
  wrapFeedbackKeyForCase,
  wrapFileKeyForShare,
  wrapShareKeyForCase,
  type CaseKey,
  type FeedbackKey,
  type FileKey,
  type ReportKeys,
  type ShareKey,
  type SharePackage,
  type StaffKeyPair,
} from "../../crypto/index";
import type { Sodium } from "../../crypto/sodium";
import { concat, expectCryptoError, flipByte, hex } from "./helpers";

let sodium: Sodium;
let shareKey: ShareKey;
let feedbackKey: FeedbackKey;
let keys: ReportKeys;
let pkg: SharePackage;
const reportId = "0c3e5a7b-9d1f-4a2b-8c4d-6e8f0a1b2c3d";
const shareId = "1d4f6b8c-0e2a-4b3c-9d5e-7f9a1b2c3d4e";
const otherShareId = "1d4f6b8c-0e2a-4b3c-9d5e-7f9a1b2c3d4f";
const attachmentId = "2e5a7c9d-1f3b-4c4d-8e6f-8a0b2c3d4e5f";
const feedbackId = "3f6b8d0e-2a4c-4d5e-9f7a-9b1c3d4e5f6a";

/** The plaintext of a package as encryptSharePackage writes it, for building malformed ones. */
function wire(p: SharePackage): Record<string, unknown> {
  return { ...p, feedbackKey: toBase64Url(p.feedbackKey) } as Record<string, unknown>;
}

/** An authentic ciphertext (right key, share id and version) of any JSON value. */
function sealedAsPackage(value: unknown, version = 2): Uint8Array {
  return encryptJson(shareKey, { purpose: "share-package", id: shareId, subId: String(version) }, value);
}

beforeAll(async () => {
  sodium = await loadSodium();
  shareKey = generateShareKey();
  feedbackKey = generateFeedbackKey();
  keys = generateReportKeys();
  pkg = {
    reportId,
    caseNumber: "COR-7K3M-Q9PX",
    affiliate: "agi",
    version: 2,
    purpose: "corrective_action",
    purposeNote: null,
    fields: {
      title: "데이터센터 장비 구매 리베이트",
      description: "The purchasing lead received payments from a supplier.",
      period: { from: "2024-01-01", to: null },
      name: null,
      email: "someone@example.com",
    },
    redacted: ["description"],
    files: [{ id: attachmentId, name: "payments.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 20480 }],
    feedbackKey,
  };
});

describe("share package", () => {
  it("round-trips with its fields, files and feedback key", () => {
    const ct = encryptSharePackage(shareKey, shareId, pkg);
    const opened = decryptSharePackage(shareKey, shareId, 2, ct);
    expect(hex(opened.feedbackKey)).toBe(hex(feedbackKey));
    expect({ ...opened, feedbackKey: null }).toEqual({ ...pkg, feedbackKey: null });
  });

  it("is aead-v1 purpose share-package under the share key, subId = the version, feedback key as base64url", () => {
    const ct = encryptSharePackage(shareKey, shareId, pkg);
    const plain = decryptRecord(shareKey, { purpose: "share-package", id: shareId, subId: "2" }, ct);
    const json = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
    expect(json.feedbackKey).toBe(toBase64Url(feedbackKey));
    expect(json.version).toBe(2);
    expect((ct.length - 41) % 1024).toBe(0);
  });

  it("is randomized", () => {
    expect(hex(encryptSharePackage(shareKey, shareId, pkg))).not.toBe(hex(encryptSharePackage(shareKey, shareId, pkg)));
  });

  it("accepts a package with no fields, only files, and identity items that are null", () => {
    const only = { ...pkg, fields: { name: null, email: null, phone: null }, redacted: [] };
    expect(decryptSharePackage(shareKey, shareId, 2, encryptSharePackage(shareKey, shareId, only)).fields).toEqual({ name: null, email: null, phone: null });
  });

  it("rejects another version, another share id, another key, a modified byte", () => {
    const ct = encryptSharePackage(shareKey, shareId, pkg);
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 1, ct), "decrypt_failed");
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 3, ct), "decrypt_failed");
    expectCryptoError(() => decryptSharePackage(shareKey, otherShareId, 2, ct), "decrypt_failed");
    expectCryptoError(() => decryptSharePackage(generateShareKey(), shareId, 2, ct), "decrypt_failed");
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 2, flipByte(ct, -1)), "decrypt_failed");
  });

  it("rejects an authentic package whose version field differs from the version it is bound to", () => {
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 2, sealedAsPackage({ ...wire(pkg), version: 3 })), "bad_format");
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 2, sealedAsPackage({ ...wire(pkg), version: "2" })), "bad_format");
  });

  const malformed: [string, (w: Record<string, unknown>) => unknown][] = [
    ["an unknown field name", (w) => ({ ...w, fields: { ...(w.fields as object), salary: "100" } })],
    ["attachments as a field", (w) => ({ ...w, fields: { ...(w.fields as object), attachments: "payments.xlsx" } })],
    ["a non-string title", (w) => ({ ...w, fields: { ...(w.fields as object), title: 42 } })],
    ["a null description", (w) => ({ ...w, fields: { ...(w.fields as object), description: null } })],
    ["a non-string email", (w) => ({ ...w, fields: { ...(w.fields as object), email: ["someone@example.com"] } })],
    ["fields as null", (w) => ({ ...w, fields: null })],
    ["a purpose not in SHARE_PURPOSES", (w) => ({ ...w, purpose: "marketing" })],
    ["no reportId", (w) => ({ ...w, reportId: undefined })],
    ["a numeric case number", (w) => ({ ...w, caseNumber: 7 })],
    ["a purposeNote that is not text", (w) => ({ ...w, purposeNote: { text: "x" } })],
    ["a redacted item that is not a text field", (w) => ({ ...w, redacted: ["name"] })],
    ["redacted as a string", (w) => ({ ...w, redacted: "description" })],
    ["files as an object", (w) => ({ ...w, files: { id: attachmentId } })],
    ["a file with a fractional size", (w) => ({ ...w, files: [{ id: attachmentId, name: "a", type: "b", size: 1.5 }] })],
    ["a file without a name", (w) => ({ ...w, files: [{ id: attachmentId, type: "b", size: 1 }] })],
    ["a null file entry", (w) => ({ ...w, files: [null] })],
    ["a feedback key that is not a string", (w) => ({ ...w, feedbackKey: Array.from(feedbackKey) })],
    ["a feedback key that is not base64url", (w) => ({ ...w, feedbackKey: `${(w.feedbackKey as string).slice(0, 40)}+/=` })],
    ["JSON null", () => null],
    ["a JSON string", () => "package"],
  ];
  it.each(malformed)("rejects a package with %s (bad_format)", (_name, change) => {
    expectCryptoError(() => decryptSharePackage(shareKey, shareId, 2, sealedAsPackage(change(wire(pkg)))), "bad_format");
  });

  it("rejects a feedback key of the wrong length (bad_key)", () => {
    for (const length of [0, 16, 31, 33]) {
      const w = { ...wire(pkg), feedbackKey: toBase64Url(new Uint8Array(length).fill(7)) };
      expectCryptoError(() => decryptSharePackage(shareKey, shareId, 2, sealedAsPackage(w)), "bad_key");
    }
  });

  it("keeps a package longer than one 1024-byte block", () => {
    const long = { ...pkg, fields: { ...pkg.fields, description: "긴 설명 ".repeat(200) } };
    const ct = encryptSharePackage(shareKey, shareId, long);
    expect(ct.length).toBeGreaterThan(41 + 1024);
    expect(decryptSharePackage(shareKey, shareId, 2, ct).fields.description).toBe(long.fields.description);
  });
});

describe("itemsOf", () => {
  it("lists the shared items in SHARE_ITEMS order, whatever the order of the fields", () => {
    const fields = { phone: "010-0000-0000", period: { from: null, to: null }, title: "t", email: null } as SharePackage["fields"];
    expect(itemsOf({ fields, files: [pkg.files[0]!] })).toEqual(["title", "period", "attachments", "email", "phone"]);
    expect(itemsOf({ fields, files: [] })).toEqual(["title", "period", "email", "phone"]);
  });

  it("lists attachments only when there are files, and nothing for an empty share", () => {
    expect(itemsOf({ fields: {}, files: [] })).toEqual([]);
    expect(itemsOf({ fields: {}, files: pkg.files })).toEqual(["attachments"]);
  });

  it("lists every item of a full package, identity items last", () => {
    const full: SharePackage["fields"] = {
      title: "t",
      category: { ko: "회계 부정", en: "Accounting fraud" },
      description: "d",
      details: "x",
      period: { from: "2024-01-01", to: "2024-02-01" },
      name: "n",
      email: "e",
      phone: "p",
    };
    expect(itemsOf({ fields: full, files: pkg.files })).toEqual([...SHARE_ITEMS]);
    expect(SHARE_ITEMS.slice(-IDENTITY_ITEMS.length)).toEqual([...IDENTITY_ITEMS]);
  });

  it("lists what a decrypted package holds", () => {
    const opened = decryptSharePackage(shareKey, shareId, 2, encryptSharePackage(shareKey, shareId, pkg));
    expect(itemsOf(opened)).toEqual(["title", "description", "period", "attachments", "name", "email"]);
  });
});

describe("share key wraps", () => {
  it("the share key under the case key round-trips and is bound to report, share and purpose", () => {
    const ct = wrapShareKeyForCase(keys.caseKey, reportId, shareId, shareKey);
    expect(hex(unwrapShareKeyForCase(keys.caseKey, reportId, shareId, ct))).toBe(hex(shareKey));
    expectCryptoError(() => unwrapShareKeyForCase(keys.caseKey, reportId, otherShareId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapShareKeyForCase(keys.caseKey, shareId, shareId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapShareKeyForCase(keys.reportKey as unknown as CaseKey, reportId, shareId, ct), "decrypt_failed");
    // Same key, same ids, same block: the purpose alone keeps a share key from passing as a feedback key.
    expectCryptoError(() => unwrapFeedbackKeyForCase(keys.caseKey, reportId, shareId, ct), "decrypt_failed");
  });

  it("the feedback key under the case key round-trips and is bound to report, share and purpose", () => {
    const ct = wrapFeedbackKeyForCase(keys.caseKey, reportId, shareId, feedbackKey);
    expect(hex(unwrapFeedbackKeyForCase(keys.caseKey, reportId, shareId, ct))).toBe(hex(feedbackKey));
    expectCryptoError(() => unwrapFeedbackKeyForCase(keys.caseKey, reportId, otherShareId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapShareKeyForCase(keys.caseKey, reportId, shareId, ct), "decrypt_failed");
  });

  it("a file key under the share key round-trips and is bound to share and attachment", () => {
    const fileKey = sodium.crypto_secretstream_xchacha20poly1305_keygen() as FileKey;
    const ct = wrapFileKeyForShare(shareKey, shareId, attachmentId, fileKey);
    expect(hex(unwrapFileKeyForShare(shareKey, shareId, attachmentId, ct))).toBe(hex(fileKey));
    expectCryptoError(() => unwrapFileKeyForShare(shareKey, shareId, feedbackId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForShare(shareKey, otherShareId, attachmentId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForShare(generateShareKey(), shareId, attachmentId, ct), "decrypt_failed");
  });

  it("an authentic wrap of a key that is not 32 bytes is bad_key", () => {
    const short = encryptRecord(keys.caseKey, { purpose: "share-key", id: reportId, subId: shareId }, new Uint8Array(31));
    expectCryptoError(() => unwrapShareKeyForCase(keys.caseKey, reportId, shareId, short), "bad_key");
    const long = encryptRecord(keys.caseKey, { purpose: "share-feedback-key", id: reportId, subId: shareId }, new Uint8Array(33));
    expectCryptoError(() => unwrapFeedbackKeyForCase(keys.caseKey, reportId, shareId, long), "bad_key");
    const empty = encryptRecord(shareKey, { purpose: "share-file-key", id: shareId, subId: attachmentId }, new Uint8Array(0));
    expectCryptoError(() => unwrapFileKeyForShare(shareKey, shareId, attachmentId, empty), "bad_key");
  });

  it("makes distinct 32-byte share and feedback keys", () => {
    const a = generateShareKey();
    const b = generateShareKey();
    expect(a.length).toBe(32);
    expect(generateFeedbackKey().length).toBe(32);
    expect(hex(a)).not.toBe(hex(b));
  });
});

describe("feedback", () => {
  it("round-trips for both authors", () => {
    for (const author of ["affiliate", "investigator"] as const) {
      const ct = encryptFeedback(feedbackKey, shareId, feedbackId, { author, text: `${author}: 확인했습니다.` });
      expect(decryptFeedback(feedbackKey, shareId, feedbackId, ct, author)).toEqual({ author, text: `${author}: 확인했습니다.` });
    }
  });

  it("rejects a relabelled author with wrong_record", () => {
    const ct = encryptFeedback(feedbackKey, shareId, feedbackId, { author: "affiliate", text: "We found no delivery record." });
    expectCryptoError(() => decryptFeedback(feedbackKey, shareId, feedbackId, ct, "investigator"), "wrong_record");
    const reply = encryptFeedback(feedbackKey, shareId, feedbackId, { author: "investigator", text: "Thank you." });
    expectCryptoError(() => decryptFeedback(feedbackKey, shareId, feedbackId, reply, "affiliate"), "wrong_record");
  });

  it("rejects another feedback id, another share, another key", () => {
    const ct = encryptFeedback(feedbackKey, shareId, feedbackId, { author: "affiliate", text: "x" });
    expectCryptoError(() => decryptFeedback(feedbackKey, shareId, attachmentId, ct, "affiliate"), "decrypt_failed");
    expectCryptoError(() => decryptFeedback(feedbackKey, otherShareId, feedbackId, ct, "affiliate"), "decrypt_failed");
    expectCryptoError(() => decryptFeedback(generateFeedbackKey(), shareId, feedbackId, ct, "affiliate"), "decrypt_failed");
  });

  it("rejects authentic feedback of the wrong shape, and returns only author and text", () => {
    const binding = { purpose: "share-feedback" as const, id: shareId, subId: feedbackId };
    for (const value of [null, "text", { author: "affiliate" }, { author: "affiliate", text: 5 }]) {
      expectCryptoError(() => decryptFeedback(feedbackKey, shareId, feedbackId, encryptJson(feedbackKey, binding, value), "affiliate"), "bad_format");
    }
    for (const author of [undefined, "reviewer", "Affiliate"]) {
      expectCryptoError(
        () => decryptFeedback(feedbackKey, shareId, feedbackId, encryptJson(feedbackKey, binding, { author, text: "x" }), "affiliate"),
        "wrong_record",
      );
    }
    const extra = encryptJson(feedbackKey, binding, { author: "affiliate", text: "x", at: "2024-06-01" });
    expect(decryptFeedback(feedbackKey, shareId, feedbackId, extra, "affiliate")).toEqual({ author: "affiliate", text: "x" });
  });
});

describe("share-key envelopes (envelope-v1 kind 0x02)", () => {
  let reviewer: StaffKeyPair;
  let other: StaffKeyPair;
  let envelope: Uint8Array;
  beforeAll(() => {
    reviewer = generateStaffKeyPair();
    other = generateStaffKeyPair();
    envelope = sealShareKey(shareKey, shareId, reviewer.publicKey);
  });

  it("is 98 bytes: version, then a sealed box of 0x02 || share id || share key", () => {
    expect(SHARE_ENVELOPE_BYTES).toBe(1 + 48 + 1 + 16 + 32);
    expect(envelope.length).toBe(SHARE_ENVELOPE_BYTES);
    expect(envelope[0]).toBe(1);
    const inner = sodium.crypto_box_seal_open(envelope.subarray(1), reviewer.publicKey, reviewer.secretKey);
    expect(hex(inner)).toBe(hex(concat(Uint8Array.of(2), uuidToBytes(shareId), shareKey)));
  });

  it("opens to the share key for its reviewer, and is randomized", () => {
    expect(hex(openShareKey(envelope, shareId, reviewer))).toBe(hex(shareKey));
    expect(hex(sealShareKey(shareKey, shareId, reviewer.publicKey))).not.toBe(hex(envelope));
  });

  it("rejects another share id, another reviewer, a wrong version byte, a wrong length", () => {
    expectCryptoError(() => openShareKey(envelope, otherShareId, reviewer), "wrong_record");
    expectCryptoError(() => openShareKey(envelope, shareId, other), "decrypt_failed");
    expectCryptoError(() => openShareKey(concat(Uint8Array.of(2), envelope.subarray(1)), shareId, reviewer), "bad_version");
    expectCryptoError(() => openShareKey(envelope.subarray(0, SHARE_ENVELOPE_BYTES - 1), shareId, reviewer), "truncated");
    expectCryptoError(() => openShareKey(concat(envelope, Uint8Array.of(0)), shareId, reviewer), "bad_format");
    expectCryptoError(() => openShareKey(flipByte(envelope, 60), shareId, reviewer), "decrypt_failed");
  });

  it("does not pass as the other kind, in either direction", () => {
    expectCryptoError(() => openReportKeys(envelope, shareId, reviewer), "truncated");
    const reportEnvelope = sealReportKeys(keys, reportId, reviewer.publicKey);
    expectCryptoError(() => openShareKey(reportEnvelope, reportId, reviewer), "bad_format");
    // An authentic 98-byte box whose kind byte says report keys.
    const kind1 = concat(Uint8Array.of(1), sodium.crypto_box_seal(concat(Uint8Array.of(1), uuidToBytes(shareId), shareKey), reviewer.publicKey));
    expectCryptoError(() => openShareKey(kind1, shareId, reviewer), "bad_format");
  });

  it("refuses a share key of the wrong length and an unusable public key", () => {
    expectCryptoError(() => sealShareKey(new Uint8Array(31) as ShareKey, shareId, reviewer.publicKey), "bad_key");
    expectCryptoError(() => sealShareKey(shareKey, shareId, new Uint8Array(32) as typeof reviewer.publicKey), "bad_key");
    expectCryptoError(() => sealShareKey(shareKey, "not-a-uuid", reviewer.publicKey), "bad_format");
  });

  it("a reviewer's keys open the package and feedback, not the case-key wraps", () => {
    const key = openShareKey(envelope, shareId, reviewer);
    const opened = decryptSharePackage(key, shareId, 2, encryptSharePackage(shareKey, shareId, pkg));
    const wrapped = wrapShareKeyForCase(keys.caseKey, reportId, shareId, shareKey);
    for (const k of [key, opened.feedbackKey]) {
      expectCryptoError(() => unwrapShareKeyForCase(k as unknown as CaseKey, reportId, shareId, wrapped), "decrypt_failed");
    }
  });
});
