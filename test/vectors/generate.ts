// Writes the known-answer vectors of every crypto format into test/vectors/.
//
//   npx tsx test/vectors/generate.ts            keep committed randomized ciphertexts if they still verify
//   npx tsx test/vectors/generate.ts --fresh    make new randomized ciphertexts
//
// Deterministic formats (aead-v1, receipt-v1, staff-kdf-v1) come out byte-identical
// on every run: every input is fixed (keys are sha256 of a label, see common.ts).
// envelope-v1, stream-v1 and stream-v2 are randomized by libsodium (sealed-box ephemeral key,
// secretstream header). For those the committed JSON is the reference: a re-run keeps
// the committed ciphertexts as long as their inputs are unchanged and they decrypt
// to the expected values, so re-running does not churn the files. docs/CRYPTO.md
// describes every format.
import { writeFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AEAD_NONCE_BYTES,
  PURPOSES,
  associatedData,
  decryptAttachment,
  decryptRecord,
  encryptAttachment,
  encryptRecord,
  formatReceipt,
  fromUtf8,
  isCryptoError,
  openReportKeys,
  openArchiveKey,
  openShareKey,
  parseReceipt,
  publicKeyOf,
  receiptCheckSymbol,
  sealArchiveKey,
  sealReportKeys,
  sealShareKey,
  streamAssociatedData,
  streamChunkCount,
  streamCiphertextSize,
  streamPaddedBytes,
  streamV1CiphertextSize,
  STREAM_V1,
  STREAM_V2,
  utf8,
  uuidToBytes,
  concatBytes,
  deriveReceiptSecrets,
  RECEIPT_ALPHABET,
  ARCHIVE_ENVELOPE_BYTES,
  SHARE_ENVELOPE_BYTES,
  STREAM_CHUNK_BYTES,
  decryptArchivePackage,
  decryptFeedback,
  decryptSharePackage,
  encryptArchivePackage,
  encryptSharePackage,
  toBase64Url,
  unwrapFeedbackKeyForCase,
  unwrapFileKeyForArchive,
  unwrapFileKeyForShare,
  unwrapShareKeyForCase,
  type ArchiveKey,
  type ArchivePackage,
  type CaseKey,
  type FeedbackKey,
  type FileKey,
  type RecordBinding,
  type RecordKey,
  type RecordPurpose,
  type ReportKey,
  type ShareKey,
  type SharePackage,
  type StaffKeyPair,
  type StaffSecretKey,
} from "../../crypto/index";
import { encryptAttachmentV1 } from "../../crypto/legacy-stream-v1";
import { loadSodium, type Sodium } from "../../crypto/sodium";
import { STAFF_KDF_V1, deriveStaffPasswordKeys, formatRecoveryKey, loadSodiumSumo, parseRecoveryKey, unwrapStaffSecretKey } from "../../crypto/staff";
import type { RecoveryKey } from "../../crypto/index";
import {
  PATTERN_RULE,
  VECTORS_DIR,
  fromHex,
  labelBytes,
  labelUuid,
  patternBytes,
  sha256Hex,
  toHex,
  type AeadCase,
  type AeadFile,
  type AeadInvalid,
  type ArchiveEnvelopeCase,
  type ArchiveEnvelopeInvalid,
  type EnvelopeCase,
  type EnvelopeFile,
  type EnvelopeInvalid,
  type ReceiptCase,
  type ShareEnvelopeCase,
  type ShareEnvelopeInvalid,
  type ReceiptFile,
  type StaffKdfFile,
  type StreamCase,
  type StreamFile,
} from "./common";

const fresh = process.argv.includes("--fresh");

function fail(message: string): never {
  throw new Error(`vector self-check failed: ${message}`);
}

function expectCode(fn: () => unknown, code: string, what: string): void {
  try {
    fn();
  } catch (e) {
    if (isCryptoError(e) && e.code === code) return;
    fail(`${what}: expected CryptoError ${code}, got ${String(e)}`);
  }
  fail(`${what}: expected CryptoError ${code}, got success`);
}

function write(name: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  const path = join(VECTORS_DIR, name);
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  writeFileSync(path, text);
  const state = before === null ? "new" : before === text ? "unchanged" : "updated";
  process.stdout.write(`${name}: ${(text.length / 1024).toFixed(1)} KiB, ${state}\n`);
}

function readExisting<T>(name: string): T | null {
  const path = join(VECTORS_DIR, name);
  if (fresh || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index < 0 ? out.length + index : index]! ^= 0x01;
  return out;
}

// ---------------------------------------------------------------- aead-v1

interface AeadSpec {
  name: string;
  keyLabel: string;
  purpose: RecordPurpose;
  id: string;
  subId?: string;
  plaintext: Uint8Array;
  text?: boolean;
}

/** The share package of the vectors: what an investigator selected, redacted and encrypted for OKESTRO Cloud. */
function sharePackageOf(reportId: string, attachmentId: string): SharePackage {
  return {
    reportId,
    caseNumber: "COR-7K3M-Q9PX",
    affiliate: "cloud",
    version: 2,
    purpose: "fact_finding",
    purposeNote: "Please check the delivery records of the three invoices.",
    fields: {
      title: "클라우드 사업부 허위 세금계산서",
      category: { ko: "회계 부정", en: "Accounting fraud" },
      details: "Between March and May, three invoices were approved by █████ without a delivery record.",
      period: { from: "2024-03-01", to: "2024-05-31" },
    },
    redacted: ["details"],
    files: [{ id: attachmentId, name: "invoice-2024-03.pdf", type: "application/pdf", size: 183211 }],
    feedbackKey: labelBytes("feedback key 1") as FeedbackKey,
  };
}

/** The share cases also open through the helpers of crypto/share.ts, and the package is what encryptSharePackage writes. */
function checkShareCases(cases: AeadCase[], pkg: SharePackage): void {
  const of = (purpose: RecordPurpose) => cases.find((c) => c.purpose === purpose) ?? fail(`no ${purpose} case`);
  const p = of("share-package");
  const shareKey = fromHex(p.key) as ShareKey;
  const opened = decryptSharePackage(shareKey, p.id, Number(p.subId), fromHex(p.ciphertext));
  if (JSON.stringify({ ...opened, feedbackKey: toHex(opened.feedbackKey) }) !== JSON.stringify({ ...pkg, feedbackKey: toHex(pkg.feedbackKey) }))
    fail("share package round trip");
  const written = decryptRecord(shareKey, { purpose: "share-package", id: p.id, subId: p.subId! }, encryptSharePackage(shareKey, p.id, pkg));
  if (toHex(written) !== p.plaintext) fail("share package plaintext is not what encryptSharePackage writes");
  const sk = of("share-key");
  if (toHex(unwrapShareKeyForCase(fromHex(sk.key) as CaseKey, sk.id, sk.subId!, fromHex(sk.ciphertext))) !== p.key) fail("share key wrap");
  const fk = of("share-file-key");
  if (toHex(unwrapFileKeyForShare(shareKey, fk.id, fk.subId!, fromHex(fk.ciphertext))) !== fk.plaintext) fail("share file key wrap");
  const fbk = of("share-feedback-key");
  const feedbackKey = unwrapFeedbackKeyForCase(fromHex(fbk.key) as CaseKey, fbk.id, fbk.subId!, fromHex(fbk.ciphertext));
  if (toHex(feedbackKey) !== toHex(opened.feedbackKey)) fail("feedback key in the package and under the case key differ");
  for (const f of cases.filter((c) => c.purpose === "share-feedback")) {
    if (f.key !== toHex(feedbackKey)) fail(`${f.name}: not under the package's feedback key`);
    const author = (JSON.parse(f.plaintextText!) as { author: "affiliate" | "investigator" }).author;
    decryptFeedback(feedbackKey, f.id, f.subId!, fromHex(f.ciphertext), author);
  }
}

/**
 * The archive package of the vectors: the records of a closed case, copied by an investigator's
 * browser into the archive. Its one file is the attachment of stream-v1.json (same report id,
 * attachment id and file key), so the administrators' key chain reaches a committed blob.
 */
function archivePackageOf(reportId: string, attachmentId: string): ArchivePackage {
  return {
    caseNumber: "COR-4T8W-N2HD",
    reportId,
    category: { ko: "금품 수수", en: "Bribery" },
    outcome: "substantiated",
    dates: { receivedOn: "2024-02-05", acknowledgedOn: "2024-02-06", closedOn: "2024-09-30" },
    title: "데이터센터 장비 구매 리베이트",
    body: {
      description: "The purchasing lead received payments from a supplier of rack servers.",
      details: "Two transfers of 3,000,000 KRW in February and March, to a personal account.",
      periodFrom: "2024-01-01",
      periodTo: "2024-03-31",
    },
    identity: { name: null, email: "reporter@example.com", phone: null },
    messages: [
      { author: "investigator", kind: "question", text: "Do you know which supplier made the transfers?", sentOn: "2024-02-07" },
      { author: "reporter", kind: "message", text: "납품업체 A사입니다. It was A Corp.", sentOn: "2024-02-08" },
    ],
    notes: [{ text: "Bank records obtained; both transfers confirmed.", createdAt: "2024-05-14T09:30:00.000Z" }],
    privacyRequests: [
      { kind: "access", requestedOn: "2024-06-03", answeredOn: "2024-06-10", detail: null, answer: "A copy of your report and messages was sent." },
    ],
    provisions: [
      {
        affiliate: "cloud",
        items: ["title", "description", "attachments"],
        purpose: "fact_finding",
        legalBasis: "consent",
        providedOn: "2024-04-01",
        endedOn: "2024-09-30",
      },
    ],
    files: [{ id: attachmentId, name: "bank-statement-2024-02.pdf", type: "application/pdf", size: 200_000 }],
  };
}

/** The archive cases also open through the helpers of crypto/archive.ts, and the package is what encryptArchivePackage writes. */
function checkArchiveCases(cases: AeadCase[], pkg: ArchivePackage): void {
  const of = (purpose: RecordPurpose) => cases.find((c) => c.purpose === purpose) ?? fail(`no ${purpose} case`);
  const p = of("archive-package");
  if (p.subId !== undefined) fail("archive package has no subId");
  const archiveKey = fromHex(p.key) as ArchiveKey;
  const opened = decryptArchivePackage(archiveKey, p.id, fromHex(p.ciphertext));
  if (JSON.stringify(opened) !== JSON.stringify(pkg)) fail("archive package round trip");
  const written = decryptRecord(archiveKey, { purpose: "archive-package", id: p.id }, encryptArchivePackage(archiveKey, p.id, pkg));
  if (toHex(written) !== p.plaintext) fail("archive package plaintext is not what encryptArchivePackage writes");
  const fk = of("archive-file-key");
  if (fk.key !== p.key || fk.id !== p.id) fail("archive file key wrap: not under the archive key and id");
  if (!pkg.files.some((f) => f.id === fk.subId)) fail("archive file key wrap: not a file of the package");
  if (toHex(unwrapFileKeyForArchive(archiveKey, fk.id, fk.subId!, fromHex(fk.ciphertext))) !== fk.plaintext) fail("archive file key wrap");
}

function aeadVectors(sodium: Sodium): AeadFile {
  const reportId = labelUuid("aead/report");
  const attachmentId = labelUuid("aead/attachment");
  const messageId = labelUuid("aead/message");
  const noteId = labelUuid("aead/note");
  const staffId = labelUuid("aead/staff-user");
  // The share of the sharing vectors; envelope-v1.json seals the same share key to reviewers.
  const shareId = labelUuid("share/share 1");
  const feedbackId = labelUuid("share/feedback 1");
  const replyId = labelUuid("share/feedback 2");
  const json = (v: unknown) => utf8(JSON.stringify(v));
  const sharePackage = sharePackageOf(reportId, attachmentId);
  // Exactly the plaintext encryptSharePackage writes: the package with the feedback key as base64url.
  const sharePackageJson = json({ ...sharePackage, feedbackKey: toBase64Url(sharePackage.feedbackKey) });
  // The archive of the archive vectors; envelope-v1.json seals the same archive key to administrators.
  // Its file is the stream-v1.json attachment, whose blob the archive keeps.
  const archiveId = labelUuid("archive/archive 1");
  const archivedFileId = labelUuid("stream/attachment");
  const archivePackage = archivePackageOf(labelUuid("stream/report"), archivedFileId);
  const specs: AeadSpec[] = [
    {
      name: "report title (JSON string, Korean)",
      keyLabel: "report key A",
      purpose: "report-title",
      id: reportId,
      plaintext: json("클라우드 사업부 허위 세금계산서"),
      text: true,
    },
    {
      name: "report body (JSON object)",
      keyLabel: "report key A",
      purpose: "report-body",
      id: reportId,
      plaintext: json({
        description: "Invoices for services that were never delivered.",
        details: "Between March and May, three invoices were approved without a delivery record.",
        periodFrom: "2024-03-01",
        periodTo: "2024-05-31",
      }),
      text: true,
    },
    {
      name: "report body longer than one 1024-byte block",
      keyLabel: "report key A",
      purpose: "report-body",
      id: reportId,
      plaintext: json({ description: "x".repeat(600), details: "y".repeat(500), periodFrom: null, periodTo: null }),
      text: true,
    },
    {
      name: "reporter identity",
      keyLabel: "report key A",
      purpose: "report-identity",
      id: reportId,
      plaintext: json({ name: "홍길동", email: "gildong@example.com", phone: null }),
      text: true,
    },
    {
      name: "reporter identity under its identity key (ADR 052)",
      keyLabel: "identity key A",
      purpose: "identity",
      id: reportId,
      plaintext: json({ name: "홍길동", email: "gildong@example.com", phone: null, notify: { email: true, language: "ko" } }),
      text: true,
    },
    {
      name: "identity key wrapped under the report key (32 bytes, block 16)",
      keyLabel: "report key A",
      purpose: "identity-key",
      id: reportId,
      plaintext: labelBytes("identity key A"),
    },
    {
      name: "address for update e-mails under the report key",
      keyLabel: "report key A",
      purpose: "notify-address",
      id: reportId,
      plaintext: json({ email: "gildong@example.com", language: "ko" }),
      text: true,
    },
    {
      name: "reason for opening the identity, under the case key (subId: the access id)",
      keyLabel: "case key A",
      purpose: "identity-reason",
      id: reportId,
      subId: noteId,
      plaintext: json({ text: "신변 보호 조치를 위해 연락이 필요합니다." }),
      text: true,
    },
    {
      name: "reporter key wrapped under the receipt wrap key (32 bytes, block 16)",
      keyLabel: "receipt wrap key A",
      purpose: "reporter-key",
      id: reportId,
      plaintext: labelBytes("report key A"),
    },
    {
      name: "file key wrapped under the report key",
      keyLabel: "report key A",
      purpose: "file-key",
      id: reportId,
      subId: attachmentId,
      plaintext: labelBytes("file key A"),
    },
    {
      name: "file metadata",
      keyLabel: "report key A",
      purpose: "file-meta",
      id: reportId,
      subId: attachmentId,
      plaintext: json({ name: "invoice-2024-03.pdf", type: "application/pdf", size: 183211 }),
      text: true,
    },
    {
      name: "message",
      keyLabel: "report key A",
      purpose: "message",
      id: reportId,
      subId: messageId,
      plaintext: json({ text: "Could you name the approving manager?" }),
      text: true,
    },
    {
      name: "privacy request text",
      keyLabel: "report key A",
      purpose: "privacy-request",
      id: reportId,
      subId: messageId,
      plaintext: json({ text: "Please correct the incident period." }),
      text: true,
    },
    {
      name: "privacy request answer",
      keyLabel: "report key A",
      purpose: "privacy-answer",
      id: reportId,
      subId: messageId,
      plaintext: json({ text: "The period has been corrected." }),
      text: true,
    },
    { name: "labels under the case key", keyLabel: "case key A", purpose: "labels", id: reportId, plaintext: json(["urgent", "finance"]), text: true },
    {
      name: "internal note under the case key",
      keyLabel: "case key A",
      purpose: "note",
      id: reportId,
      subId: noteId,
      plaintext: json({ text: "Cross-check with the ERP export." }),
      text: true,
    },
    { name: "empty plaintext (one block of padding)", keyLabel: "case key A", purpose: "note", id: reportId, subId: noteId, plaintext: new Uint8Array(0) },
    {
      name: "plaintext of block - 1 bytes (255 for block 256)",
      keyLabel: "report key A",
      purpose: "message",
      id: reportId,
      subId: messageId,
      plaintext: patternBytes(255),
    },
    {
      name: "plaintext of exactly one block (256) gets a second block",
      keyLabel: "report key A",
      purpose: "message",
      id: reportId,
      subId: messageId,
      plaintext: patternBytes(256),
    },
    {
      name: "staff secret key wrapped under the password wrap key",
      keyLabel: "password wrap key A",
      purpose: "staff-secret-key",
      id: staffId,
      plaintext: labelBytes("staff secret key A"),
    },
    {
      name: "staff secret key wrapped under the recovery key",
      keyLabel: "recovery key A",
      purpose: "staff-secret-key-recovery",
      id: staffId,
      plaintext: labelBytes("staff secret key A"),
    },
    // Sharing with affiliates. New cases go at the end: the nonce of case i is labelBytes("aead nonce i").
    {
      name: "share package, version 2 (JSON, redacted details, one file)",
      keyLabel: "share key 1",
      purpose: "share-package",
      id: shareId,
      subId: String(sharePackage.version),
      plaintext: sharePackageJson,
      text: true,
    },
    {
      name: "share key wrapped under the case key",
      keyLabel: "case key A",
      purpose: "share-key",
      id: reportId,
      subId: shareId,
      plaintext: labelBytes("share key 1"),
    },
    {
      name: "file key re-wrapped under the share key",
      keyLabel: "share key 1",
      purpose: "share-file-key",
      id: shareId,
      subId: attachmentId,
      plaintext: labelBytes("file key A"),
    },
    {
      name: "feedback key wrapped under the case key",
      keyLabel: "case key A",
      purpose: "share-feedback-key",
      id: reportId,
      subId: shareId,
      plaintext: labelBytes("feedback key 1"),
    },
    {
      name: "share feedback from the affiliate",
      keyLabel: "feedback key 1",
      purpose: "share-feedback",
      id: shareId,
      subId: feedbackId,
      plaintext: json({ author: "affiliate", text: "세 건 모두 납품 기록이 없습니다. The three deliveries have no record in our system." }),
      text: true,
    },
    {
      name: "share feedback from an investigator",
      keyLabel: "feedback key 1",
      purpose: "share-feedback",
      id: shareId,
      subId: replyId,
      plaintext: json({ author: "investigator", text: "Thank you. Please keep the purchase orders until the case is closed." }),
      text: true,
    },
    // The archive of a closed case, for administrators. Added after the sharing cases, for the same reason.
    {
      name: "archive package of a closed case (JSON, one file)",
      keyLabel: "archive key 1",
      purpose: "archive-package",
      id: archiveId,
      plaintext: json(archivePackage),
      text: true,
    },
    {
      name: "file key re-wrapped under the archive key (the stream-v1 attachment)",
      keyLabel: "archive key 1",
      purpose: "archive-file-key",
      id: archiveId,
      subId: archivedFileId,
      plaintext: labelBytes("stream/file key"),
    },
  ];

  const cases: AeadCase[] = specs.map((s, i) => {
    const key = labelBytes(s.keyLabel) as RecordKey;
    const binding: RecordBinding = { purpose: s.purpose, id: s.id, ...(s.subId ? { subId: s.subId } : {}) };
    const nonce = labelBytes(`aead nonce ${i}`, AEAD_NONCE_BYTES);
    const ct = encryptRecord(key, binding, s.plaintext, nonce);
    const block = PURPOSES[s.purpose].block;
    const padded = sodium.pad(s.plaintext, block);
    // Self-checks against the layout written in docs/CRYPTO.md.
    if (padded.length % block !== 0 || padded.length <= s.plaintext.length) fail(`${s.name}: padding`);
    const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, associatedData(binding), null, nonce, key);
    if (toHex(ct) !== toHex(concatBytes(Uint8Array.of(1), nonce, body))) fail(`${s.name}: layout`);
    if (toHex(decryptRecord(key, binding, ct)) !== toHex(s.plaintext)) fail(`${s.name}: round trip`);
    return {
      name: s.name,
      keyLabel: s.keyLabel,
      key: toHex(key),
      purpose: s.purpose,
      id: s.id,
      ...(s.subId ? { subId: s.subId } : {}),
      associatedData: fromUtf8(associatedData(binding)),
      block,
      plaintext: toHex(s.plaintext),
      ...(s.text ? { plaintextText: fromUtf8(s.plaintext) } : {}),
      padded: toHex(padded),
      nonce: toHex(nonce),
      ciphertext: toHex(ct),
    };
  });

  const base = cases.find((c) => c.purpose === "file-key")!;
  const baseCt = fromHex(base.ciphertext);
  const baseKey = fromHex(base.key);
  const bindingOf = (c: { purpose: string; id: string; subId?: string }): RecordBinding => ({
    purpose: c.purpose as RecordPurpose,
    id: c.id,
    ...(c.subId ? { subId: c.subId } : {}),
  });
  const same = { key: base.key, purpose: base.purpose, id: base.id, subId: base.subId };
  const rawBinding: RecordBinding = { purpose: "file-key", id: reportId, subId: attachmentId };
  const rawNonce = labelBytes("aead nonce raw", AEAD_NONCE_BYTES);
  const unpadded = concatBytes(
    Uint8Array.of(1),
    rawNonce,
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(new Uint8Array(16).fill(0x41), associatedData(rawBinding), null, rawNonce, baseKey),
  );
  const invalid: AeadInvalid[] = [
    { name: "version byte 0x02", ...same, ciphertext: toHex(concatBytes(Uint8Array.of(2), baseCt.subarray(1))), error: "bad_version" },
    { name: "version byte 0x00", ...same, ciphertext: toHex(concatBytes(Uint8Array.of(0), baseCt.subarray(1))), error: "bad_version" },
    { name: "shorter than 41 bytes", ...same, ciphertext: toHex(baseCt.subarray(0, 40)), error: "truncated" },
    { name: "last byte cut off", ...same, ciphertext: toHex(baseCt.subarray(0, baseCt.length - 1)), error: "decrypt_failed" },
    { name: "nonce byte flipped", ...same, ciphertext: toHex(flip(baseCt, 5)), error: "decrypt_failed" },
    { name: "ciphertext body byte flipped", ...same, ciphertext: toHex(flip(baseCt, 30)), error: "decrypt_failed" },
    { name: "tag byte flipped", ...same, ciphertext: toHex(flip(baseCt, -1)), error: "decrypt_failed" },
    { name: "opened without its subId", key: base.key, purpose: base.purpose, id: base.id, ciphertext: base.ciphertext, error: "decrypt_failed" },
    { name: "opened under another subId", ...same, subId: labelUuid("aead/other-attachment"), ciphertext: base.ciphertext, error: "decrypt_failed" },
    { name: "opened under another report id", ...same, id: labelUuid("aead/other-report"), ciphertext: base.ciphertext, error: "decrypt_failed" },
    { name: "opened as another purpose with the same block size", ...same, purpose: "reporter-key", ciphertext: base.ciphertext, error: "decrypt_failed" },
    { name: "opened with another key", ...same, key: toHex(labelBytes("report key B")), ciphertext: base.ciphertext, error: "decrypt_failed" },
    { name: "authentic but not padded (no 0x80 marker)", ...same, ciphertext: toHex(unpadded), error: "bad_format" },
  ];
  const pkgCase = cases.find((c) => c.purpose === "share-package")!;
  const shareKeyCase = cases.find((c) => c.purpose === "share-key")!;
  invalid.push(
    {
      name: "share package opened as another version",
      key: pkgCase.key,
      purpose: pkgCase.purpose,
      id: pkgCase.id,
      subId: "1",
      ciphertext: pkgCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "share key wrap opened as a feedback key wrap (same key, ids and block)",
      key: shareKeyCase.key,
      purpose: "share-feedback-key",
      id: shareKeyCase.id,
      subId: shareKeyCase.subId,
      ciphertext: shareKeyCase.ciphertext,
      error: "decrypt_failed",
    },
  );
  const archiveCase = cases.find((c) => c.purpose === "archive-package")!;
  const archiveFileCase = cases.find((c) => c.purpose === "archive-file-key")!;
  invalid.push(
    {
      name: "archive package opened under another archive id",
      key: archiveCase.key,
      purpose: archiveCase.purpose,
      id: labelUuid("archive/archive 2"),
      ciphertext: archiveCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "archive file key wrap opened under another attachment id",
      key: archiveFileCase.key,
      purpose: archiveFileCase.purpose,
      id: archiveFileCase.id,
      subId: attachmentId,
      ciphertext: archiveFileCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "archive file key wrap opened as a share file key wrap (same key, ids and block)",
      key: archiveFileCase.key,
      purpose: "share-file-key",
      id: archiveFileCase.id,
      subId: archiveFileCase.subId,
      ciphertext: archiveFileCase.ciphertext,
      error: "decrypt_failed",
    },
  );
  const identityCase = cases.find((c) => c.purpose === "identity")!;
  const identityKeyCase = cases.find((c) => c.purpose === "identity-key")!;
  invalid.push(
    {
      name: "identity record opened with the report key (the identity key is separate)",
      key: toHex(labelBytes("report key A")),
      purpose: identityCase.purpose,
      id: identityCase.id,
      ciphertext: identityCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "identity record opened as a report-identity record (same key, id and block)",
      key: identityCase.key,
      purpose: "report-identity",
      id: identityCase.id,
      ciphertext: identityCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "identity key wrap opened as a file key wrap",
      key: identityKeyCase.key,
      purpose: "file-key",
      id: identityKeyCase.id,
      ciphertext: identityKeyCase.ciphertext,
      error: "decrypt_failed",
    },
  );
  for (const v of invalid) {
    expectCode(() => decryptRecord(fromHex(v.key) as RecordKey, bindingOf(v), fromHex(v.ciphertext)), v.error, `aead ${v.name}`);
  }
  checkShareCases(cases, sharePackage);
  checkArchiveCases(cases, archivePackage);
  return {
    format: "aead-v1",
    description:
      "XChaCha20-Poly1305-IETF records: 0x01 || nonce(24) || AEAD(pad_ISO7816(plaintext, block), ad = associatedData). Deterministic: encrypt(key, binding, plaintext, nonce) must give `ciphertext` exactly; `invalid` entries must be rejected with the given error code.",
    deterministic: true,
    cases,
    invalid,
  };
}

// ---------------------------------------------------------------- envelope-v1

function envelopeVectors(sodium: Sodium): EnvelopeFile {
  const existing = readExisting<EnvelopeFile>("envelope-v1.json");
  const specs = [
    { name: "investigator A", skLabel: "staff secret key A", reportLabel: "envelope/report 1", keysLabel: "1" },
    { name: "investigator B, same report", skLabel: "staff secret key B", reportLabel: "envelope/report 1", keysLabel: "1" },
    { name: "investigator A, another report", skLabel: "staff secret key A", reportLabel: "envelope/report 2", keysLabel: "2" },
  ];
  const cases: EnvelopeCase[] = specs.map((s) => {
    const secretKey = labelBytes(s.skLabel) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    const reportId = labelUuid(s.reportLabel);
    const reportKey = labelBytes(`envelope/report key ${s.keysLabel}`) as ReportKey;
    const caseKey = labelBytes(`envelope/case key ${s.keysLabel}`) as CaseKey;
    const inner = concatBytes(Uint8Array.of(1), uuidToBytes(reportId), reportKey, caseKey);
    const prior = existing?.cases.find((c) => c.name === s.name);
    let envelope = prior?.envelope;
    const kp: StaffKeyPair = { publicKey, secretKey };
    const opens = (hex: string | undefined): boolean => {
      if (!hex) return false;
      try {
        const k = openReportKeys(fromHex(hex), reportId, kp);
        return toHex(k.reportKey) === toHex(reportKey) && toHex(k.caseKey) === toHex(caseKey);
      } catch {
        return false;
      }
    };
    if (!opens(envelope)) envelope = toHex(sealReportKeys({ reportKey, caseKey }, reportId, publicKey));
    if (!opens(envelope)) fail(`envelope ${s.name} does not open`);
    const raw = sodium.crypto_box_seal_open(fromHex(envelope!).subarray(1), publicKey, secretKey);
    if (toHex(raw) !== toHex(inner)) fail(`envelope ${s.name}: inner layout`);
    return {
      name: s.name,
      recipientSecretKey: toHex(secretKey),
      recipientPublicKey: toHex(publicKey),
      reportId,
      reportIdBytes: toHex(uuidToBytes(reportId)),
      reportKey: toHex(reportKey),
      caseKey: toHex(caseKey),
      inner: toHex(inner),
      envelope: envelope!,
    };
  });

  const a = cases[0]!;
  const env = fromHex(a.envelope);
  const sk = a.recipientSecretKey;
  const pk = fromHex(a.recipientPublicKey);
  const priorKind = existing?.invalid.find((v) => v.name === "inner kind byte 0x02")?.envelope;
  const kindOk = (hex: string | undefined): boolean => {
    if (!hex) return false;
    try {
      const inner = sodium.crypto_box_seal_open(fromHex(hex).subarray(1), pk, fromHex(sk));
      return inner[0] === 2 && toHex(inner.subarray(1)) === a.inner.slice(2);
    } catch {
      return false;
    }
  };
  const wrongKind = kindOk(priorKind)
    ? priorKind!
    : toHex(concatBytes(Uint8Array.of(1), sodium.crypto_box_seal(concatBytes(Uint8Array.of(2), fromHex(a.inner).subarray(1)), pk)));
  const invalid: EnvelopeInvalid[] = [
    { name: "opened for another report id", recipientSecretKey: sk, reportId: cases[2]!.reportId, envelope: a.envelope, error: "wrong_record" },
    {
      name: "opened by another investigator",
      recipientSecretKey: cases[1]!.recipientSecretKey,
      reportId: a.reportId,
      envelope: a.envelope,
      error: "decrypt_failed",
    },
    {
      name: "version byte 0x02",
      recipientSecretKey: sk,
      reportId: a.reportId,
      envelope: toHex(concatBytes(Uint8Array.of(2), env.subarray(1))),
      error: "bad_version",
    },
    { name: "last byte cut off", recipientSecretKey: sk, reportId: a.reportId, envelope: toHex(env.subarray(0, env.length - 1)), error: "truncated" },
    { name: "one byte too many", recipientSecretKey: sk, reportId: a.reportId, envelope: toHex(concatBytes(env, Uint8Array.of(0))), error: "bad_format" },
    { name: "ephemeral public key byte flipped", recipientSecretKey: sk, reportId: a.reportId, envelope: toHex(flip(env, 3)), error: "decrypt_failed" },
    { name: "tag byte flipped", recipientSecretKey: sk, reportId: a.reportId, envelope: toHex(flip(env, 40)), error: "decrypt_failed" },
    { name: "sealed body byte flipped", recipientSecretKey: sk, reportId: a.reportId, envelope: toHex(flip(env, -1)), error: "decrypt_failed" },
    { name: "inner kind byte 0x02", recipientSecretKey: sk, reportId: a.reportId, envelope: wrongKind, error: "bad_format" },
  ];
  const { shareCases, shareInvalid } = shareEnvelopeVectors(sodium, existing, a);
  // A share envelope is 32 bytes shorter than a report-keys envelope: openReportKeys stops at the length.
  invalid.push({
    name: "share-key envelope (98 bytes) opened as report keys",
    recipientSecretKey: shareCases[0]!.recipientSecretKey,
    reportId: a.reportId,
    envelope: shareCases[0]!.envelope,
    error: "truncated",
  });
  const { archiveCases, archiveInvalid } = archiveEnvelopeVectors(sodium, existing, a, shareCases[0]!);
  const admin = archiveCases[0]!;
  // Kinds 0x02 and 0x03 have the same length: only the kind byte keeps them apart (same id on purpose).
  const archiveAsShare: ShareEnvelopeInvalid = {
    name: "archive-key envelope (kind 0x03, 98 bytes) opened as a share key for the same id",
    recipientSecretKey: admin.recipientSecretKey,
    shareId: admin.archiveId,
    envelope: admin.envelope,
    error: "bad_format",
  };
  expectCode(
    () => openShareKey(fromHex(archiveAsShare.envelope), archiveAsShare.shareId, keyPairOf(archiveAsShare.recipientSecretKey)),
    archiveAsShare.error,
    `share envelope ${archiveAsShare.name}`,
  );
  shareInvalid.push(archiveAsShare);
  invalid.push({
    name: "archive-key envelope (98 bytes) opened as report keys",
    recipientSecretKey: admin.recipientSecretKey,
    reportId: admin.archiveId,
    envelope: admin.envelope,
    error: "truncated",
  });
  for (const v of invalid) {
    const secretKey = fromHex(v.recipientSecretKey) as StaffSecretKey;
    expectCode(() => openReportKeys(fromHex(v.envelope), v.reportId, { secretKey, publicKey: publicKeyOf(secretKey) }), v.error, `envelope ${v.name}`);
  }
  return {
    format: "envelope-v1",
    description:
      "Keys sealed to one staff X25519 key: 0x01 || crypto_box_seal(inner, recipientPublicKey). Kind 0x01, report keys (`cases`, 130 bytes): inner = 0x01 || reportId(16 raw UUID bytes) || reportKey(32) || caseKey(32). Kind 0x02, share key for an affiliate reviewer (`shareCases`, 98 bytes): inner = 0x02 || shareId(16 raw UUID bytes) || shareKey(32). Kind 0x03, archive key for an administrator (`archiveCases`, 98 bytes): inner = 0x03 || archiveId(16 raw UUID bytes) || archiveKey(32). Randomized (ephemeral sender key): decrypt-only. Opening `envelope` with the recipient key pair for `reportId` must give `reportKey` and `caseKey`, for `shareId` must give `shareKey`, for `archiveId` must give `archiveKey`; `invalid` entries (opened as report keys), `shareInvalid` entries (opened as a share key) and `archiveInvalid` entries (opened as an archive key) must fail with the given error code.",
    deterministic: false,
    cases,
    invalid,
    shareCases,
    shareInvalid,
    archiveCases,
    archiveInvalid,
  };
}

/** Kind 0x02. "reviewer A" holds the share key of the aead-v1 sharing cases, so the whole key chain can be walked. */
function shareEnvelopeVectors(
  sodium: Sodium,
  existing: EnvelopeFile | null,
  reportCase: EnvelopeCase,
): { shareCases: ShareEnvelopeCase[]; shareInvalid: ShareEnvelopeInvalid[] } {
  const specs = [
    { name: "reviewer A", skLabel: "reviewer secret key A", shareLabel: "share/share 1", keyLabel: "share key 1" },
    { name: "reviewer B, same share", skLabel: "reviewer secret key B", shareLabel: "share/share 1", keyLabel: "share key 1" },
    { name: "reviewer A, another share", skLabel: "reviewer secret key A", shareLabel: "share/share 2", keyLabel: "share key 2" },
  ];
  const shareCases: ShareEnvelopeCase[] = specs.map((s) => {
    const secretKey = labelBytes(s.skLabel) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    const shareId = labelUuid(s.shareLabel);
    const shareKey = labelBytes(s.keyLabel) as ShareKey;
    const inner = concatBytes(Uint8Array.of(2), uuidToBytes(shareId), shareKey);
    const kp: StaffKeyPair = { publicKey, secretKey };
    const opens = (hex: string | undefined): boolean => {
      if (!hex) return false;
      try {
        return toHex(openShareKey(fromHex(hex), shareId, kp)) === toHex(shareKey);
      } catch {
        return false;
      }
    };
    let envelope = existing?.shareCases?.find((c) => c.name === s.name)?.envelope;
    if (!opens(envelope)) envelope = toHex(sealShareKey(shareKey, shareId, publicKey));
    if (!opens(envelope)) fail(`share envelope ${s.name} does not open`);
    const env = fromHex(envelope!);
    if (env.length !== SHARE_ENVELOPE_BYTES || env.length !== 98) fail(`share envelope ${s.name}: length`);
    if (toHex(sodium.crypto_box_seal_open(env.subarray(1), publicKey, secretKey)) !== toHex(inner)) fail(`share envelope ${s.name}: inner layout`);
    return {
      name: s.name,
      recipientSecretKey: toHex(secretKey),
      recipientPublicKey: toHex(publicKey),
      shareId,
      shareIdBytes: toHex(uuidToBytes(shareId)),
      shareKey: toHex(shareKey),
      inner: toHex(inner),
      envelope: envelope!,
    };
  });

  const a = shareCases[0]!;
  const env = fromHex(a.envelope);
  const sk = a.recipientSecretKey;
  const pk = fromHex(a.recipientPublicKey);
  // An authentic sealed box of the share envelope's length whose inner kind byte is 0x01.
  const kindName = "inner kind byte 0x01 (98 bytes)";
  const priorKind = existing?.shareInvalid?.find((v) => v.name === kindName)?.envelope;
  const kindOk = (hex: string | undefined): boolean => {
    if (!hex) return false;
    try {
      const inner = sodium.crypto_box_seal_open(fromHex(hex).subarray(1), pk, fromHex(sk));
      return inner[0] === 1 && toHex(inner.subarray(1)) === a.inner.slice(2);
    } catch {
      return false;
    }
  };
  const wrongKind = kindOk(priorKind)
    ? priorKind!
    : toHex(concatBytes(Uint8Array.of(1), sodium.crypto_box_seal(concatBytes(Uint8Array.of(1), fromHex(a.inner).subarray(1)), pk)));
  if (!kindOk(wrongKind)) fail("share envelope of kind 0x01");
  const shareInvalid: ShareEnvelopeInvalid[] = [
    { name: "opened for another share id", recipientSecretKey: sk, shareId: shareCases[2]!.shareId, envelope: a.envelope, error: "wrong_record" },
    {
      name: "opened by another reviewer",
      recipientSecretKey: shareCases[1]!.recipientSecretKey,
      shareId: a.shareId,
      envelope: a.envelope,
      error: "decrypt_failed",
    },
    {
      name: "opened by an investigator of the report",
      recipientSecretKey: reportCase.recipientSecretKey,
      shareId: a.shareId,
      envelope: a.envelope,
      error: "decrypt_failed",
    },
    {
      name: "version byte 0x02",
      recipientSecretKey: sk,
      shareId: a.shareId,
      envelope: toHex(concatBytes(Uint8Array.of(2), env.subarray(1))),
      error: "bad_version",
    },
    { name: "last byte cut off", recipientSecretKey: sk, shareId: a.shareId, envelope: toHex(env.subarray(0, env.length - 1)), error: "truncated" },
    { name: "one byte too many", recipientSecretKey: sk, shareId: a.shareId, envelope: toHex(concatBytes(env, Uint8Array.of(0))), error: "bad_format" },
    { name: "ephemeral public key byte flipped", recipientSecretKey: sk, shareId: a.shareId, envelope: toHex(flip(env, 3)), error: "decrypt_failed" },
    { name: "tag byte flipped", recipientSecretKey: sk, shareId: a.shareId, envelope: toHex(flip(env, 40)), error: "decrypt_failed" },
    { name: "sealed body byte flipped", recipientSecretKey: sk, shareId: a.shareId, envelope: toHex(flip(env, -1)), error: "decrypt_failed" },
    { name: kindName, recipientSecretKey: sk, shareId: a.shareId, envelope: wrongKind, error: "bad_format" },
    {
      name: "report-keys envelope (130 bytes) opened as a share key",
      recipientSecretKey: reportCase.recipientSecretKey,
      shareId: a.shareId,
      envelope: reportCase.envelope,
      error: "bad_format",
    },
  ];
  for (const v of shareInvalid) {
    const secretKey = fromHex(v.recipientSecretKey) as StaffSecretKey;
    expectCode(() => openShareKey(fromHex(v.envelope), v.shareId, { secretKey, publicKey: publicKeyOf(secretKey) }), v.error, `share envelope ${v.name}`);
  }
  return { shareCases, shareInvalid };
}

function keyPairOf(secretKeyHex: string): StaffKeyPair {
  const secretKey = fromHex(secretKeyHex) as StaffSecretKey;
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** Kind 0x03. "administrator A" holds the archive key of the aead-v1 archive cases, so the whole key chain can be walked. */
function archiveEnvelopeVectors(
  sodium: Sodium,
  existing: EnvelopeFile | null,
  reportCase: EnvelopeCase,
  shareCase: ShareEnvelopeCase,
): { archiveCases: ArchiveEnvelopeCase[]; archiveInvalid: ArchiveEnvelopeInvalid[] } {
  const specs = [
    { name: "administrator A", skLabel: "admin secret key A", archiveLabel: "archive/archive 1", keyLabel: "archive key 1" },
    { name: "administrator B, same archive", skLabel: "admin secret key B", archiveLabel: "archive/archive 1", keyLabel: "archive key 1" },
    { name: "administrator A, another archive", skLabel: "admin secret key A", archiveLabel: "archive/archive 2", keyLabel: "archive key 2" },
  ];
  const archiveCases: ArchiveEnvelopeCase[] = specs.map((s) => {
    const secretKey = labelBytes(s.skLabel) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    const archiveId = labelUuid(s.archiveLabel);
    const archiveKey = labelBytes(s.keyLabel) as ArchiveKey;
    const inner = concatBytes(Uint8Array.of(3), uuidToBytes(archiveId), archiveKey);
    const kp: StaffKeyPair = { publicKey, secretKey };
    const opens = (hex: string | undefined): boolean => {
      if (!hex) return false;
      try {
        return toHex(openArchiveKey(fromHex(hex), archiveId, kp)) === toHex(archiveKey);
      } catch {
        return false;
      }
    };
    let envelope = existing?.archiveCases?.find((c) => c.name === s.name)?.envelope;
    if (!opens(envelope)) envelope = toHex(sealArchiveKey(archiveKey, archiveId, publicKey));
    if (!opens(envelope)) fail(`archive envelope ${s.name} does not open`);
    const env = fromHex(envelope!);
    if (env.length !== ARCHIVE_ENVELOPE_BYTES || env.length !== 98) fail(`archive envelope ${s.name}: length`);
    if (toHex(sodium.crypto_box_seal_open(env.subarray(1), publicKey, secretKey)) !== toHex(inner)) fail(`archive envelope ${s.name}: inner layout`);
    return {
      name: s.name,
      recipientSecretKey: toHex(secretKey),
      recipientPublicKey: toHex(publicKey),
      archiveId,
      archiveIdBytes: toHex(uuidToBytes(archiveId)),
      archiveKey: toHex(archiveKey),
      inner: toHex(inner),
      envelope: envelope!,
    };
  });

  const a = archiveCases[0]!;
  const env = fromHex(a.envelope);
  const sk = a.recipientSecretKey;
  const pk = fromHex(a.recipientPublicKey);
  // An authentic sealed box to administrator A with this archive's id and key whose inner kind byte is 0x02.
  const kindName = "inner kind byte 0x02 (98 bytes, this archive's id and key)";
  const priorKind = existing?.archiveInvalid?.find((v) => v.name === kindName)?.envelope;
  const kindOk = (hex: string | undefined): boolean => {
    if (!hex) return false;
    try {
      const inner = sodium.crypto_box_seal_open(fromHex(hex).subarray(1), pk, fromHex(sk));
      return inner[0] === 2 && toHex(inner.subarray(1)) === a.inner.slice(2);
    } catch {
      return false;
    }
  };
  const wrongKind = kindOk(priorKind)
    ? priorKind!
    : toHex(concatBytes(Uint8Array.of(1), sodium.crypto_box_seal(concatBytes(Uint8Array.of(2), fromHex(a.inner).subarray(1)), pk)));
  if (!kindOk(wrongKind)) fail("archive envelope of kind 0x02");
  const archiveInvalid: ArchiveEnvelopeInvalid[] = [
    { name: "opened for another archive id", recipientSecretKey: sk, archiveId: archiveCases[2]!.archiveId, envelope: a.envelope, error: "wrong_record" },
    {
      name: "opened by another administrator",
      recipientSecretKey: archiveCases[1]!.recipientSecretKey,
      archiveId: a.archiveId,
      envelope: a.envelope,
      error: "decrypt_failed",
    },
    {
      name: "opened by an investigator",
      recipientSecretKey: reportCase.recipientSecretKey,
      archiveId: a.archiveId,
      envelope: a.envelope,
      error: "decrypt_failed",
    },
    {
      name: "version byte 0x02",
      recipientSecretKey: sk,
      archiveId: a.archiveId,
      envelope: toHex(concatBytes(Uint8Array.of(2), env.subarray(1))),
      error: "bad_version",
    },
    { name: "last byte cut off", recipientSecretKey: sk, archiveId: a.archiveId, envelope: toHex(env.subarray(0, env.length - 1)), error: "truncated" },
    { name: "one byte too many", recipientSecretKey: sk, archiveId: a.archiveId, envelope: toHex(concatBytes(env, Uint8Array.of(0))), error: "bad_format" },
    { name: "ephemeral public key byte flipped", recipientSecretKey: sk, archiveId: a.archiveId, envelope: toHex(flip(env, 3)), error: "decrypt_failed" },
    { name: "tag byte flipped", recipientSecretKey: sk, archiveId: a.archiveId, envelope: toHex(flip(env, 40)), error: "decrypt_failed" },
    { name: "sealed body byte flipped", recipientSecretKey: sk, archiveId: a.archiveId, envelope: toHex(flip(env, -1)), error: "decrypt_failed" },
    { name: kindName, recipientSecretKey: sk, archiveId: a.archiveId, envelope: wrongKind, error: "bad_format" },
    {
      name: "share-key envelope (kind 0x02, 98 bytes) opened as an archive key for the same id",
      recipientSecretKey: shareCase.recipientSecretKey,
      archiveId: shareCase.shareId,
      envelope: shareCase.envelope,
      error: "bad_format",
    },
    {
      name: "report-keys envelope (130 bytes) opened as an archive key",
      recipientSecretKey: reportCase.recipientSecretKey,
      archiveId: a.archiveId,
      envelope: reportCase.envelope,
      error: "bad_format",
    },
  ];
  for (const v of archiveInvalid) {
    expectCode(() => openArchiveKey(fromHex(v.envelope), v.archiveId, keyPairOf(v.recipientSecretKey)), v.error, `archive envelope ${v.name}`);
  }
  // The share envelope really is authentic for that id: only its kind byte is wrong.
  if (toHex(openShareKey(fromHex(shareCase.envelope), shareCase.shareId, keyPairOf(shareCase.recipientSecretKey))) !== shareCase.shareKey)
    fail("share envelope");
  return { archiveCases, archiveInvalid };
}

// ---------------------------------------------------------------- stream-v1, stream-v2

const STREAM_DESCRIPTIONS = {
  "stream-v1":
    "Attachments written before stream-v2 (read only): 0x01 || secretstream header(24) || chunks, crypto_secretstream_xchacha20poly1305 with 65536-byte plaintext chunks, TAG_MESSAGE on all but the last chunk, TAG_FINAL on the last, every chunk with associated data `associatedData`. Randomized header: decrypt-only. Decrypting `ciphertext` with `fileKey` must give the plaintext (hex when given, else `patternRule` for plaintextLength bytes; check plaintextSha256).",
  "stream-v2":
    "Attachments, padded: 0x02 || secretstream header(24) || length chunk (LE64(plaintextLength), TAG_MESSAGE; 25 bytes, `lengthChunk`) || body chunks, where the body is the plaintext followed by zero bytes up to paddedLength = padme(plaintextLength), cut into 65536-byte chunks, TAG_MESSAGE on all but the last, TAG_FINAL on the last; every chunk (the length chunk too) with associated data `associatedData`. Randomized header: decrypt-only. Decrypting `ciphertext` with `fileKey` must give the plaintext (hex when given, else `patternRule` for plaintextLength bytes; check plaintextSha256), and the padding must be zeros.",
} as const;

function streamVectors(format: "stream-v1" | "stream-v2"): StreamFile {
  const v2 = format === "stream-v2";
  const existing = readExisting<StreamFile>(`${format}.json`);
  // stream-v1 keeps its labels: the archive vectors' file is its attachment.
  const label = v2 ? "stream-v2" : "stream";
  const fileKey = labelBytes(`${label}/file key`) as FileKey;
  const binding = { reportId: labelUuid(`${label}/report`), attachmentId: labelUuid(`${label}/attachment`) };
  const sameInputs =
    existing !== null &&
    existing.fileKey === toHex(fileKey) &&
    existing.reportId === binding.reportId &&
    existing.attachmentId === binding.attachmentId &&
    existing.patternRule === PATTERN_RULE;
  const sizes: [string, number][] = v2
    ? [
        ["empty file (empty body, one empty final chunk)", 0],
        ["1 byte (no padding below 8 bytes)", 1],
        ["9 bytes (pads to 10)", 9],
        ["100 bytes (pads to 104)", 100],
        ["129 bytes (pads to 144, the largest relative padding)", 129],
        ["exactly one chunk (65536, a power of two: no padding)", STREAM_CHUNK_BYTES],
        ["one chunk and one byte (65537, pads to 67584: two chunks)", STREAM_CHUNK_BYTES + 1],
        ["140000 bytes (pads to 143360: two full chunks and a 12288-byte final chunk)", 140_000],
      ]
    : [
        ["empty file (one empty final chunk)", 0],
        ["1 byte", 1],
        ["100 bytes", 100],
        ["exactly one chunk (65536)", STREAM_CHUNK_BYTES],
        ["one chunk and one byte (65537)", STREAM_CHUNK_BYTES + 1],
        ["200000 bytes (three full chunks and a 3392-byte final chunk)", 200_000],
      ];
  const encrypt = v2 ? encryptAttachment : encryptAttachmentV1;
  const sizeOf = v2 ? streamCiphertextSize : streamV1CiphertextSize;
  const cases: StreamCase[] = sizes.map(([name, size]) => {
    const plaintext = patternBytes(size);
    const prior = sameInputs ? existing.cases.find((c) => c.name === name && c.plaintextLength === size) : undefined;
    const decrypts = (hex: string | undefined): boolean => {
      if (!hex) return false;
      try {
        const ct = fromHex(hex);
        return ct[0] === (v2 ? STREAM_V2 : STREAM_V1) && toHex(decryptAttachment(fileKey, binding, ct)) === toHex(plaintext);
      } catch {
        return false;
      }
    };
    let ciphertext = prior?.ciphertext;
    if (!decrypts(ciphertext)) ciphertext = toHex(encrypt(fileKey, binding, plaintext));
    if (!decrypts(ciphertext)) fail(`${format} ${name} does not decrypt`);
    const ct = fromHex(ciphertext!);
    if (ct.length !== sizeOf(size)) fail(`${format} ${name}: size formula`);
    const body = v2 ? streamPaddedBytes(size) : size;
    return {
      name,
      plaintextLength: size,
      ...(size <= 256 ? { plaintext: toHex(plaintext) } : { plaintextRule: "pattern" }),
      plaintextSha256: sha256Hex(plaintext),
      ...(v2 ? { paddedLength: body } : {}),
      chunkCount: streamChunkCount(body),
      ciphertextLength: ct.length,
      ciphertextSha256: sha256Hex(ct),
      header: toHex(ct.subarray(0, 25)),
      ...(v2 ? { lengthChunk: toHex(ct.subarray(25, 50)) } : {}),
      ciphertext: ciphertext!,
    };
  });
  return {
    format,
    description: STREAM_DESCRIPTIONS[format],
    deterministic: false,
    fileKey: toHex(fileKey),
    reportId: binding.reportId,
    attachmentId: binding.attachmentId,
    associatedData: fromUtf8(streamAssociatedData(binding, v2 ? STREAM_V2 : STREAM_V1)),
    chunkBytes: STREAM_CHUNK_BYTES,
    patternRule: PATTERN_RULE,
    cases,
  };
}

// ---------------------------------------------------------------- receipt-v1

/** The symbol extraction of generateReceiptCode, fed with fixed bytes. */
function receiptBodyFromBytes(bytes: Uint8Array): string {
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  let symbols = "";
  for (let i = 0; i < 19; i++) {
    symbols += RECEIPT_ALPHABET[Number(acc & 31n)];
    acc >>= 5n;
  }
  return symbols;
}

function receiptVectors(sodium: Sodium): ReceiptFile {
  const bodies: [string, string][] = [
    ["from label receipt 1", receiptBodyFromBytes(labelBytes("receipt 1", 12))],
    ["from label receipt 2", receiptBodyFromBytes(labelBytes("receipt 2", 12))],
    ["from label receipt 3", receiptBodyFromBytes(labelBytes("receipt 3", 12))],
    ["all zero symbols", "0".repeat(19)],
    ["all Z symbols", "Z".repeat(19)],
    ["whole alphabet", "0123456789ABCDEFGHJ"],
    ["with 0 and 1 for the look-alike tests", "10ZX7K3M0Q9PXA1B2C3"],
  ];
  const cases: ReceiptCase[] = bodies.map(([name, body]) => {
    const normalized = body + receiptCheckSymbol(body);
    const display = formatReceipt(normalized);
    const parsed = parseReceipt(display);
    if (!parsed.ok || parsed.code !== normalized) fail(`receipt ${name} does not parse`);
    const { lookup, wrapKey } = deriveReceiptSecrets(display);
    const master = sodium.crypto_generichash(32, utf8(normalized), utf8("clean-okestro-report/receipt-v1"));
    if (toHex(sodium.crypto_kdf_derive_from_key(32, 1, "rcptlkup", master)) !== toHex(lookup)) fail("receipt lookup");
    return {
      name,
      display,
      normalized,
      checkSymbol: normalized[19]!,
      master: toHex(master),
      lookup: toHex(lookup),
      wrapKey: toHex(wrapKey),
      serverLookupHash: sha256Hex(utf8("cor/receipt-lookup-v1\0"), lookup),
    };
  });
  const c = cases[6]!; // "10ZX-7K3M-0Q9P-XA1B-2C3?"
  const d = c.display;
  const lookAlike = d.replace(/0/g, "o").replace(/1/, "i").replace(/1/, "L").replace(/1/, "l");
  const normalization = [
    { input: d, normalized: c.normalized },
    { input: d.toLowerCase(), normalized: c.normalized },
    { input: c.normalized, normalized: c.normalized },
    { input: d.replace(/-/g, " "), normalized: c.normalized },
    { input: `  ${d.replace(/-/g, "\t")}\n`, normalized: c.normalized },
    { input: lookAlike, normalized: c.normalized },
    { input: d.replace(/0/g, "O").replace(/1/g, "I"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2010"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2013"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2014"), normalized: c.normalized },
    { input: `${c.normalized.slice(0, 2)}-${c.normalized.slice(2, 9)} ${c.normalized.slice(9)}`, normalized: c.normalized },
  ];
  for (const n of normalization) {
    const p = parseReceipt(n.input);
    if (!p.ok || p.code !== n.normalized) fail(`receipt normalization ${JSON.stringify(n.input)}`);
  }
  const good = cases[0]!.normalized;
  const otherCheck = RECEIPT_ALPHABET[(RECEIPT_ALPHABET.indexOf(good[19]!) + 1) % 32]!;
  // Swap two adjacent different symbols that are not the pair {0, Z}.
  let swapAt = 0;
  const unsafe = (i: number) => good[i] === good[i + 1] || /[0Z]/.test(good[i]! + good[i + 1]!);
  while (unsafe(swapAt)) swapAt++;
  const swapped = good.slice(0, swapAt) + good[swapAt + 1] + good[swapAt] + good.slice(swapAt + 2);
  const invalid = [
    { input: "", problem: "empty" },
    { input: " - -\t", problem: "empty" },
    { input: good.slice(0, 19), problem: "length" },
    { input: `${good}0`, problem: "length" },
    { input: formatReceipt(good).slice(0, 20), problem: "length" },
    { input: `${good.slice(0, 10)}U${good.slice(11)}`, problem: "character" },
    { input: `${good.slice(0, 10)}!${good.slice(11)}`, problem: "character" },
    { input: `${good.slice(0, 10)}\u0410${good.slice(11)}`, problem: "character" },
    { input: `${good.slice(0, 10)}_${good.slice(11)}`, problem: "character" },
    { input: good.slice(0, 19) + otherCheck, problem: "check" },
    { input: swapped, problem: "check" },
    { input: "0".repeat(19) + "1", problem: "check" },
  ];
  for (const v of invalid) {
    const p = parseReceipt(v.input);
    if (p.ok || p.problem !== v.problem) fail(`receipt invalid ${JSON.stringify(v.input)}: ${JSON.stringify(p)}`);
    expectCode(() => deriveReceiptSecrets(v.input), "bad_receipt", `receipt ${v.input}`);
  }
  return {
    format: "receipt-v1",
    description:
      'Receipt codes: 19 random Crockford base32 symbols + 1 Luhn mod 32 check symbol, shown as 5 groups of 4. master = BLAKE2b-256(normalized ASCII, key = `masterKey`); lookup = crypto_kdf_derive_from_key(32, 1, "rcptlkup", master); wrapKey = crypto_kdf_derive_from_key(32, 2, "rcptwrap", master); serverLookupHash = SHA-256("cor/receipt-lookup-v1" || 0x00 || lookup) is what the server stores. Deterministic.',
    deterministic: true,
    alphabet: RECEIPT_ALPHABET,
    masterKey: "clean-okestro-report/receipt-v1",
    codes: cases,
    normalization,
    invalid,
  };
}

// ---------------------------------------------------------------- staff-kdf-v1

async function staffVectors(): Promise<StaffKdfFile> {
  const sumo = await loadSodiumSumo();
  const password = "ﬁve Ｗhistle-blowers drink café 가나다!";
  const salt = labelBytes("staff/salt", STAFF_KDF_V1.saltBytes);
  const userId = labelUuid("staff/user");
  const { authKey, wrapKey } = await deriveStaffPasswordKeys(password, salt);
  const master = sumo.crypto_pwhash(
    32,
    utf8(password.normalize("NFKC")),
    salt,
    STAFF_KDF_V1.opslimit,
    STAFF_KDF_V1.memlimit,
    sumo.crypto_pwhash_ALG_ARGON2ID13,
  );
  if (toHex(sumo.crypto_kdf_derive_from_key(32, 1, "staffath", master)) !== toHex(authKey)) fail("staff authKey");
  if (toHex(sumo.crypto_kdf_derive_from_key(32, 2, "staffwrp", master)) !== toHex(wrapKey)) fail("staff wrapKey");
  const secretKey = labelBytes("staff secret key A") as StaffSecretKey;
  const recoveryKey = labelBytes("staff/recovery key") as RecoveryKey;
  const wrapNonce = labelBytes("staff/wrap nonce", AEAD_NONCE_BYTES);
  const recoveryWrapNonce = labelBytes("staff/recovery wrap nonce", AEAD_NONCE_BYTES);
  // wrapStaffSecretKey draws a random nonce; with a fixed nonce it is exactly this encryptRecord call.
  const wrapped = encryptRecord(wrapKey, { purpose: "staff-secret-key", id: userId }, secretKey, wrapNonce);
  const wrappedRecovery = encryptRecord(recoveryKey, { purpose: "staff-secret-key-recovery", id: userId }, secretKey, recoveryWrapNonce);
  if (toHex(unwrapStaffSecretKey(wrapKey, userId, wrapped, "password").secretKey) !== toHex(secretKey)) fail("staff unwrap");
  if (toHex(unwrapStaffSecretKey(recoveryKey, userId, wrappedRecovery, "recovery").publicKey) !== toHex(publicKeyOf(secretKey))) fail("staff recovery unwrap");

  const recoveryKeys = [new Uint8Array(32), new Uint8Array(32).fill(0xff), recoveryKey, labelBytes("staff/recovery key 2")].map((k) => ({
    key: toHex(k),
    text: formatRecoveryKey(k as RecoveryKey),
  }));
  for (const r of recoveryKeys) if (toHex(parseRecoveryKey(r.text)) !== r.key) fail("recovery key round trip");
  const t = recoveryKeys[2]!.text;
  const recoveryKeyInputs = [
    { input: t.toLowerCase(), key: recoveryKeys[2]!.key },
    { input: t.replace(/-/g, " "), key: recoveryKeys[2]!.key },
    { input: t.replace(/-/g, ""), key: recoveryKeys[2]!.key },
    { input: recoveryKeys[0]!.text.replace(/0/g, "o"), key: recoveryKeys[0]!.key },
    { input: recoveryKeys[1]!.text, key: recoveryKeys[1]!.key },
  ];
  for (const r of recoveryKeyInputs) if (toHex(parseRecoveryKey(r.input)) !== r.key) fail(`recovery key input ${r.input}`);
  const zeros = recoveryKeys[0]!.text.replace(/-/g, "");
  const recoveryKeyInvalid = [
    { input: zeros.slice(0, 51), error: "bad_format" },
    { input: `${zeros}0`, error: "bad_format" },
    { input: `${zeros.slice(0, 51)}1`, error: "bad_format" },
    { input: `${zeros.slice(0, 51)}Z`, error: "bad_format" },
    { input: `U${zeros.slice(1)}`, error: "bad_format" },
    { input: "", error: "bad_format" },
  ];
  for (const r of recoveryKeyInvalid) expectCode(() => parseRecoveryKey(r.input), r.error, `recovery key ${r.input}`);

  return {
    format: "staff-kdf-v1",
    description:
      'Staff password keys: master = Argon2id v1.3 (t = 3, m = 65536 KiB, p = 1, 32 bytes) of the NFKC-normalized UTF-8 password with a 16-byte salt; authKey = crypto_kdf_derive_from_key(32, 1, "staffath", master); wrapKey = crypto_kdf_derive_from_key(32, 2, "staffwrp", master). The X25519 secret key is wrapped as aead-v1 purpose staff-secret-key (id = staff user id) under wrapKey and purpose staff-secret-key-recovery under the recovery key; with the given nonces the wraps are byte-exact. Recovery keys are 32 bytes as 52 Crockford base32 symbols in groups of 4. Deterministic.',
    deterministic: true,
    params: {
      algorithm: "argon2id13",
      version: STAFF_KDF_V1.version,
      opslimit: STAFF_KDF_V1.opslimit,
      memlimit: STAFF_KDF_V1.memlimit,
      parallelism: 1,
      saltBytes: STAFF_KDF_V1.saltBytes,
      outputBytes: 32,
    },
    cases: [
      {
        name: "NFKC-sensitive password (ligature, full-width letter, Hangul)",
        password,
        passwordNfkc: toHex(utf8(password.normalize("NFKC"))),
        salt: toHex(salt),
        master: toHex(master),
        authKey: toHex(authKey),
        wrapKey: toHex(wrapKey),
        userId,
        secretKey: toHex(secretKey),
        publicKey: toHex(publicKeyOf(secretKey)),
        wrapNonce: toHex(wrapNonce),
        wrappedSecretKey: toHex(wrapped),
        recoveryKey: toHex(recoveryKey),
        recoveryKeyText: formatRecoveryKey(recoveryKey),
        recoveryWrapNonce: toHex(recoveryWrapNonce),
        wrappedSecretKeyRecovery: toHex(wrappedRecovery),
      },
    ],
    recoveryKeys,
    recoveryKeyInputs,
    recoveryKeyInvalid,
  };
}

async function main(): Promise<void> {
  const sodium = await loadSodium();
  if (sha256Hex(utf8("abc")) !== "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") fail("sha256");
  write("aead-v1.json", aeadVectors(sodium));
  write("envelope-v1.json", envelopeVectors(sodium));
  write("stream-v1.json", streamVectors("stream-v1"));
  write("stream-v2.json", streamVectors("stream-v2"));
  write("receipt-v1.json", receiptVectors(sodium));
  write("staff-kdf-v1.json", await staffVectors());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
