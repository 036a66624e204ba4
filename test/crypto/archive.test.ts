// The archive of a closed case (crypto/archive.ts): the archive package, the
// file keys re-wrapped under the archive key, and the archive-key envelopes for
// administrators (envelope-v1 kind 0x03).
import { beforeAll, describe, expect, it } from "vitest";
import {
  ARCHIVE_ENVELOPE_BYTES,
  SHARE_ENVELOPE_BYTES,
  decryptArchivePackage,
  decryptAttachment,
  decryptRecord,
  encryptArchivePackage,
  encryptAttachment,
  encryptJson,
  encryptRecord,
  generateArchiveKey,
  generateFileKey,
  generateReportKeys,
  generateShareKey,
  generateStaffKeyPair,
  loadSodium,
  openArchiveKey,
  openReportKeys,
  openShareKey,
  sealArchiveKey,
  sealReportKeys,
  sealShareKey,
  unwrapFileKey,
  unwrapFileKeyForArchive,
  unwrapFileKeyForShare,
  uuidToBytes,
  wrapFileKey,
  wrapFileKeyForArchive,
  type ArchiveKey,
  type ArchivePackage,
  type CaseKey,
  type FileKey,
  type ReportKeys,
  type ShareKey,
  type StaffKeyPair,
} from "../../crypto/index";
import type { Sodium } from "../../crypto/sodium";
import { concat, expectCryptoError, flipByte, hex } from "./helpers";

let sodium: Sodium;
let archiveKey: ArchiveKey;
let keys: ReportKeys;
let pkg: ArchivePackage;
const archiveId = "4a7c9e1f-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
const otherArchiveId = "4a7c9e1f-3b5d-4e6f-8a9b-0c1d2e3f4a5c";
const reportId = "0c3e5a7b-9d1f-4a2b-8c4d-6e8f0a1b2c3d";
const attachmentId = "2e5a7c9d-1f3b-4c4d-8e6f-8a0b2c3d4e5f";
const otherAttachmentId = "2e5a7c9d-1f3b-4c4d-8e6f-8a0b2c3d4e60";

/** An authentic archive-package ciphertext (right key and archive id) of any JSON value. */
function sealedAsPackage(value: unknown): Uint8Array {
  return encryptJson(archiveKey, { purpose: "archive-package", id: archiveId }, value);
}

function wire(p: ArchivePackage): Record<string, unknown> {
  return JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
}

beforeAll(async () => {
  sodium = await loadSodium();
  archiveKey = generateArchiveKey();
  keys = generateReportKeys();
  pkg = {
    caseNumber: "COR-4T8W-N2HD",
    reportId,
    category: { ko: "금품 수수", en: "Bribery" },
    outcome: "substantiated",
    dates: { receivedOn: "2024-02-05", acknowledgedOn: "2024-02-06", closedOn: "2024-09-30" },
    title: "데이터센터 장비 구매 리베이트",
    body: { description: "The purchasing lead received payments from a supplier.", details: "Two transfers.", periodFrom: "2024-01-01", periodTo: null },
    identity: { name: null, email: "reporter@example.com", phone: null },
    messages: [
      { author: "investigator", kind: "question", text: "Which supplier?", sentOn: "2024-02-07" },
      { author: "reporter", kind: "message", text: null, sentOn: "2024-02-08" },
    ],
    notes: [{ text: "Bank records obtained.", createdAt: "2024-05-14T09:30:00.000Z" }],
    privacyRequests: [{ kind: "access", requestedOn: "2024-06-03", answeredOn: "2024-06-10", detail: null, answer: "Sent." }],
    provisions: [
      { affiliate: "cloud", items: ["title", "attachments"], purpose: "fact_finding", legalBasis: "consent", providedOn: "2024-04-01", endedOn: null },
    ],
    files: [{ id: attachmentId, name: "payments.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 20480 }],
  };
});

describe("archive package", () => {
  it("round-trips with every record of the case", () => {
    const opened = decryptArchivePackage(archiveKey, archiveId, encryptArchivePackage(archiveKey, archiveId, pkg));
    expect(opened).toEqual(pkg);
  });

  it("is aead-v1 purpose archive-package under the archive key, id = archive id, no subId, 1024-byte blocks", () => {
    const ct = encryptArchivePackage(archiveKey, archiveId, pkg);
    const plain = decryptRecord(archiveKey, { purpose: "archive-package", id: archiveId }, ct);
    expect(JSON.parse(new TextDecoder().decode(plain))).toEqual(wire(pkg));
    expect(ct[0]).toBe(1);
    expect((ct.length - 41) % 1024).toBe(0);
    expect(() => decryptRecord(archiveKey, { purpose: "archive-package", id: archiveId, subId: attachmentId }, ct)).toThrow();
  });

  it("is randomized", () => {
    expect(hex(encryptArchivePackage(archiveKey, archiveId, pkg))).not.toBe(hex(encryptArchivePackage(archiveKey, archiveId, pkg)));
  });

  it("rejects another archive id, another key, a modified byte, another purpose (decrypt_failed)", () => {
    const ct = encryptArchivePackage(archiveKey, archiveId, pkg);
    expectCryptoError(() => decryptArchivePackage(archiveKey, otherArchiveId, ct), "decrypt_failed");
    expectCryptoError(() => decryptArchivePackage(generateArchiveKey(), archiveId, ct), "decrypt_failed");
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, flipByte(ct, -1)), "decrypt_failed");
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, flipByte(ct, 30)), "decrypt_failed");
    // Same key and id, but written as a share package: the purpose keeps them apart.
    const asShare = encryptJson(archiveKey, { purpose: "share-package", id: archiveId, subId: "1" }, wire(pkg));
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, asShare), "decrypt_failed");
  });

  it("rejects a truncated ciphertext and an unknown version byte", () => {
    const ct = encryptArchivePackage(archiveKey, archiveId, pkg);
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, ct.subarray(0, 40)), "truncated");
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, concat(Uint8Array.of(2), ct.subarray(1))), "bad_version");
  });

  it("accepts a case with no messages, notes, requests, provisions or files, and null optional records", () => {
    const bare: ArchivePackage = {
      ...pkg,
      category: null,
      outcome: null,
      dates: { receivedOn: "2024-02-05", acknowledgedOn: null, closedOn: null },
      title: null,
      body: null,
      identity: null,
      messages: [],
      notes: [],
      privacyRequests: [],
      provisions: [],
      files: [],
    };
    expect(decryptArchivePackage(archiveKey, archiveId, encryptArchivePackage(archiveKey, archiveId, bare))).toEqual(bare);
  });

  it("accepts a file of size 0", () => {
    const empty = { ...pkg, files: [{ id: attachmentId, name: "empty.txt", type: "text/plain", size: 0 }] };
    expect(decryptArchivePackage(archiveKey, archiveId, sealedAsPackage(empty)).files[0]!.size).toBe(0);
  });

  const without = (key: string) => (w: Record<string, unknown>) => {
    const copy = { ...w };
    delete copy[key];
    return copy;
  };
  const malformed: [string, (w: Record<string, unknown>) => unknown][] = [
    ["no messages", without("messages")],
    ["no notes", without("notes")],
    ["no privacyRequests", without("privacyRequests")],
    ["no provisions", without("provisions")],
    ["no files", without("files")],
    ["messages as null", (w) => ({ ...w, messages: null })],
    ["notes as an object", (w) => ({ ...w, notes: { 0: { text: "x" } } })],
    ["provisions as a string", (w) => ({ ...w, provisions: "cloud" })],
    ["files as an object", (w) => ({ ...w, files: { id: attachmentId } })],
    ["no caseNumber", without("caseNumber")],
    ["a numeric case number", (w) => ({ ...w, caseNumber: 7 })],
    ["no reportId", without("reportId")],
    ["a reportId that is not text", (w) => ({ ...w, reportId: 42 })],
    ["no dates", without("dates")],
    ["dates as null", (w) => ({ ...w, dates: null })],
    ["dates as a string", (w) => ({ ...w, dates: "2024-02-05" })],
    ["a null file entry", (w) => ({ ...w, files: [null] })],
    ["a file without an id", (w) => ({ ...w, files: [{ name: "a", type: "b", size: 1 }] })],
    ["a file without a name", (w) => ({ ...w, files: [{ id: attachmentId, type: "b", size: 1 }] })],
    ["a file with a numeric name", (w) => ({ ...w, files: [{ id: attachmentId, name: 5, type: "b", size: 1 }] })],
    ["a file with a fractional size", (w) => ({ ...w, files: [{ id: attachmentId, name: "a", type: "b", size: 1.5 }] })],
    ["a file with a size as text", (w) => ({ ...w, files: [{ id: attachmentId, name: "a", type: "b", size: "20480" }] })],
    ["a file with a size beyond 2^53", (w) => ({ ...w, files: [{ id: attachmentId, name: "a", type: "b", size: 2 ** 53 }] })],
    ["one good and one bad file", (w) => ({ ...w, files: [...(w.files as unknown[]), { id: otherAttachmentId, name: "b" }] })],
    ["JSON null", () => null],
    ["a JSON string", () => "package"],
    ["a JSON array", (w) => [w]],
  ];
  it.each(malformed)("rejects an authentic package with %s (bad_format)", (_name, change) => {
    const w = wire(pkg);
    // The unchanged package opens, so the failure below is the shape check alone.
    expect(decryptArchivePackage(archiveKey, archiveId, sealedAsPackage(w)).caseNumber).toBe(pkg.caseNumber);
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, sealedAsPackage(change(w))), "bad_format");
  });

  it("rejects an authentic plaintext that is not JSON or not UTF-8 (bad_format)", () => {
    const binding = { purpose: "archive-package" as const, id: archiveId };
    expectCryptoError(
      () => decryptArchivePackage(archiveKey, archiveId, encryptRecord(archiveKey, binding, new TextEncoder().encode("{caseNumber:"))),
      "bad_format",
    );
    expectCryptoError(() => decryptArchivePackage(archiveKey, archiveId, encryptRecord(archiveKey, binding, Uint8Array.of(0x7b, 0xff, 0x7d))), "bad_format");
  });

  it("keeps a package longer than one 1024-byte block", () => {
    const long = { ...pkg, notes: Array.from({ length: 40 }, (_, i) => ({ text: `메모 ${i}: ${"x".repeat(50)}`, createdAt: "2024-05-14T09:30:00.000Z" })) };
    const ct = encryptArchivePackage(archiveKey, archiveId, long);
    expect(ct.length).toBeGreaterThan(41 + 2048);
    expect(decryptArchivePackage(archiveKey, archiveId, ct).notes).toHaveLength(40);
  });
});

describe("file keys under the archive key", () => {
  it("round-trip, as aead-v1 archive-file-key with id = archive id and subId = attachment id", () => {
    const fileKey = generateFileKey();
    const ct = wrapFileKeyForArchive(archiveKey, archiveId, attachmentId, fileKey);
    expect(hex(unwrapFileKeyForArchive(archiveKey, archiveId, attachmentId, ct))).toBe(hex(fileKey));
    expect(hex(decryptRecord(archiveKey, { purpose: "archive-file-key", id: archiveId, subId: attachmentId }, ct))).toBe(hex(fileKey));
    expect(ct.length).toBe(41 + 48);
  });

  it("are bound to archive, attachment, key and purpose (decrypt_failed)", () => {
    const fileKey = generateFileKey();
    const ct = wrapFileKeyForArchive(archiveKey, archiveId, attachmentId, fileKey);
    expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, otherArchiveId, attachmentId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, archiveId, otherAttachmentId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, attachmentId, archiveId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForArchive(generateArchiveKey(), archiveId, attachmentId, ct), "decrypt_failed");
    expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, archiveId, attachmentId, flipByte(ct, 10)), "decrypt_failed");
    // Same key bytes, ids and block: a share-file-key wrap is not an archive-file-key wrap, either way.
    expectCryptoError(() => unwrapFileKeyForShare(archiveKey as unknown as ShareKey, archiveId, attachmentId, ct), "decrypt_failed");
    const asShare = encryptRecord(archiveKey, { purpose: "share-file-key", id: archiveId, subId: attachmentId }, fileKey);
    expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, archiveId, attachmentId, asShare), "decrypt_failed");
  });

  it("an authentic wrap of a key that is not 32 bytes is bad_key", () => {
    for (const length of [0, 16, 31, 33]) {
      const ct = encryptRecord(archiveKey, { purpose: "archive-file-key", id: archiveId, subId: attachmentId }, new Uint8Array(length).fill(9));
      expectCryptoError(() => unwrapFileKeyForArchive(archiveKey, archiveId, attachmentId, ct), "bad_key");
    }
  });

  it("an investigator re-wraps the case's file key; the kept blob opens with it, bound to the case's report id", () => {
    const fileKey = generateFileKey();
    const plaintext = new TextEncoder().encode("invoice 2024-03 ".repeat(100));
    const blob = encryptAttachment(fileKey, { reportId, attachmentId }, plaintext);
    const caseWrap = wrapFileKey(keys.reportKey, reportId, attachmentId, fileKey);
    // In the investigator's browser: the file key from the case, then under the archive key.
    const archived = wrapFileKeyForArchive(archiveKey, archiveId, attachmentId, unwrapFileKey(keys.reportKey, reportId, attachmentId, caseWrap));
    // Later, for an administrator: the archive key alone reaches the blob.
    const key = unwrapFileKeyForArchive(archiveKey, archiveId, attachmentId, archived);
    expect(hex(decryptAttachment(key, { reportId, attachmentId }, blob))).toBe(hex(plaintext));
    // The archive key opens none of the case's own wraps.
    expectCryptoError(() => unwrapFileKey(archiveKey as unknown as typeof keys.reportKey, reportId, attachmentId, caseWrap), "decrypt_failed");
  });

  it("makes distinct 32-byte archive keys", () => {
    const a = generateArchiveKey();
    expect(a.length).toBe(32);
    expect(hex(a)).not.toBe(hex(generateArchiveKey()));
  });
});

describe("archive-key envelopes (envelope-v1 kind 0x03)", () => {
  let admin: StaffKeyPair;
  let other: StaffKeyPair;
  let envelope: Uint8Array;
  beforeAll(() => {
    admin = generateStaffKeyPair();
    other = generateStaffKeyPair();
    envelope = sealArchiveKey(archiveKey, archiveId, admin.publicKey);
  });

  it("is 98 bytes, the length of a share envelope: version, then a sealed box of 0x03 || archive id || archive key", () => {
    expect(ARCHIVE_ENVELOPE_BYTES).toBe(1 + 48 + 1 + 16 + 32);
    expect(ARCHIVE_ENVELOPE_BYTES).toBe(SHARE_ENVELOPE_BYTES);
    expect(envelope.length).toBe(98);
    expect(envelope[0]).toBe(1);
    const inner = sodium.crypto_box_seal_open(envelope.subarray(1), admin.publicKey, admin.secretKey);
    expect(hex(inner)).toBe(hex(concat(Uint8Array.of(3), uuidToBytes(archiveId), archiveKey)));
  });

  it("opens to the archive key for its administrator, and is randomized", () => {
    expect(hex(openArchiveKey(envelope, archiveId, admin))).toBe(hex(archiveKey));
    expect(hex(sealArchiveKey(archiveKey, archiveId, admin.publicKey))).not.toBe(hex(envelope));
  });

  it("rejects another archive id, another administrator, a wrong version byte, a wrong length, a modified byte", () => {
    expectCryptoError(() => openArchiveKey(envelope, otherArchiveId, admin), "wrong_record");
    expectCryptoError(() => openArchiveKey(envelope, archiveId, other), "decrypt_failed");
    expectCryptoError(() => openArchiveKey(concat(Uint8Array.of(2), envelope.subarray(1)), archiveId, admin), "bad_version");
    expectCryptoError(() => openArchiveKey(envelope.subarray(0, 97), archiveId, admin), "truncated");
    expectCryptoError(() => openArchiveKey(concat(envelope, Uint8Array.of(0)), archiveId, admin), "bad_format");
    expectCryptoError(() => openArchiveKey(flipByte(envelope, 3), archiveId, admin), "decrypt_failed");
    expectCryptoError(() => openArchiveKey(flipByte(envelope, 60), archiveId, admin), "decrypt_failed");
  });

  it("a share-key envelope is not an archive-key envelope, nor the other way round, even for the same id and key bytes", () => {
    const shareEnvelope = sealShareKey(archiveKey as unknown as ShareKey, archiveId, admin.publicKey);
    expect(shareEnvelope.length).toBe(envelope.length);
    expect(hex(openShareKey(shareEnvelope, archiveId, admin))).toBe(hex(archiveKey));
    expectCryptoError(() => openArchiveKey(shareEnvelope, archiveId, admin), "bad_format");
    expectCryptoError(() => openShareKey(envelope, archiveId, admin), "bad_format");
  });

  it("is not report keys, in either direction", () => {
    expectCryptoError(() => openReportKeys(envelope, archiveId, admin), "truncated");
    const reportEnvelope = sealReportKeys(keys, reportId, admin.publicKey);
    expectCryptoError(() => openArchiveKey(reportEnvelope, reportId, admin), "bad_format");
    // An authentic 98-byte box whose kind byte says report keys.
    const kind1 = concat(Uint8Array.of(1), sodium.crypto_box_seal(concat(Uint8Array.of(1), uuidToBytes(archiveId), archiveKey), admin.publicKey));
    expectCryptoError(() => openArchiveKey(kind1, archiveId, admin), "bad_format");
  });

  it("refuses an archive key of the wrong length, an unusable public key and an id that is not a UUID", () => {
    expectCryptoError(() => sealArchiveKey(new Uint8Array(31) as ArchiveKey, archiveId, admin.publicKey), "bad_key");
    expectCryptoError(() => sealArchiveKey(new Uint8Array(33) as ArchiveKey, archiveId, admin.publicKey), "bad_key");
    expectCryptoError(() => sealArchiveKey(archiveKey, archiveId, new Uint8Array(32) as typeof admin.publicKey), "bad_key");
    expectCryptoError(() => sealArchiveKey(archiveKey, "not-a-uuid", admin.publicKey), "bad_format");
  });

  it("an administrator's key pair walks the chain: envelope -> archive key -> package -> file key -> blob", () => {
    const fileKey: FileKey = generateFileKey();
    const plaintext = new TextEncoder().encode("%PDF-1.7 bank statement");
    const blob = encryptAttachment(fileKey, { reportId, attachmentId }, plaintext);
    const packageCt = encryptArchivePackage(archiveKey, archiveId, pkg);
    const fileKeyCt = wrapFileKeyForArchive(archiveKey, archiveId, attachmentId, fileKey);

    const key = openArchiveKey(envelope, archiveId, admin);
    const opened = decryptArchivePackage(key, archiveId, packageCt);
    const file = opened.files[0]!;
    const k = unwrapFileKeyForArchive(key, archiveId, file.id, fileKeyCt);
    expect(hex(decryptAttachment(k, { reportId: opened.reportId, attachmentId: file.id }, blob))).toBe(hex(plaintext));
    // Another administrator without an envelope of their own gets nothing.
    expectCryptoError(() => openArchiveKey(envelope, archiveId, other), "decrypt_failed");
    // The archive key is not the case key or a share key of the case.
    const shareKey = generateShareKey();
    const shareWrap = encryptRecord(keys.caseKey, { purpose: "share-key", id: reportId, subId: archiveId }, shareKey);
    expectCryptoError(() => decryptRecord(key as unknown as CaseKey, { purpose: "share-key", id: reportId, subId: archiveId }, shareWrap), "decrypt_failed");
  });
});
