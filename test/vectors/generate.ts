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
import { createHmac, hkdfSync } from "node:crypto";
import { writeFileSync, existsSync, readFileSync } from "node:fs";
import { exportVectors } from "./export-vectors";
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
  uuidFromRandom,
  uuidToBytes,
  concatBytes,
  deriveReceiptSecrets,
  RECEIPT_ALPHABET,
  ARCHIVE_ENVELOPE_BYTES,
  AttachmentEncryptor,
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
import { readRecord } from "./records";
import { MAX_PART_BYTES } from "../../app/intake/limits";
import { loadSodium, sodiumNow, type Sodium } from "../../crypto/sodium";
import {
  STAFF_KDF_V1,
  deriveStaffPasswordKeys,
  formatRecoveryKey,
  loadSodiumSumo,
  parseRecoveryKey,
  recoveryProof,
  unwrapStaffSecretKey,
} from "../../crypto/staff";
import { decoySalt, recoveryDecoy } from "../../app/.server/staff/decoys";
import { PortalSecret } from "../../app/.server/platform/secrets";
import type { RecoveryKey } from "../../crypto/index";
import {
  PATTERN_RULE,
  VECTORS_DIR,
  fromHex,
  invalidStreamBytes,
  labelBytes,
  labelUuid,
  patternBytes,
  sha256Hex,
  toHex,
  type AeadCase,
  type AeadFile,
  type AeadInvalid,
  type AeadRecordCase,
  type ArchiveEnvelopeCase,
  type ArchiveEnvelopeInvalid,
  type EnvelopeCase,
  type EnvelopeFile,
  type EnvelopeInvalid,
  type ReceiptCase,
  type ShareEnvelopeCase,
  type ShareEnvelopeInvalid,
  type ReceiptFile,
  type SecretstreamRekey,
  type StaffKdfFile,
  type StreamCase,
  type StreamEdit,
  type StreamFile,
  type StreamInvalid,
  type UploadPartsCase,
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
      name: "message: an investigator's question",
      keyLabel: "report key A",
      purpose: "message",
      id: reportId,
      subId: messageId,
      plaintext: json({ author: "investigator", kind: "question", text: "Could you name the approving manager?" }),
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
    // Masks (ADR 053), after the archive cases for the same reason. Offsets are UTF-16 code units.
    {
      name: "mask over the report body's description (Hangul name, one range, a reason)",
      keyLabel: "case key A",
      purpose: "mask",
      id: reportId,
      subId: labelUuid("aead/mask 1"),
      plaintext: json({ target: { record: "body", field: "description" }, ranges: [[0, 3]], reason: "동료의 건강 정보 · a colleague's health" }),
      text: true,
    },
    {
      name: "mask over a message (two ranges, one around an emoji's surrogate pair, no reason)",
      keyLabel: "case key A",
      purpose: "mask",
      id: reportId,
      subId: labelUuid("aead/mask 2"),
      plaintext: json({
        target: { record: "message", id: messageId },
        ranges: [
          [4, 9],
          [12, 14],
        ],
        reason: null,
      }),
      text: true,
    },
    // Records of the dialogue and the identity as the portal writes them (docs/CRYPTO.md §3.3). At the end, for the nonces.
    {
      name: "message: the reporter's answer",
      keyLabel: "report key A",
      purpose: "message",
      id: reportId,
      subId: labelUuid("aead/message 2"),
      plaintext: json({ author: "reporter", kind: "message", text: "결재자는 재무팀 김 부장입니다. It was the finance manager." }),
      text: true,
    },
    {
      name: "reporter identity with a request for update e-mails (notify)",
      keyLabel: "report key A",
      purpose: "report-identity",
      id: reportId,
      plaintext: json({ name: null, email: "whistle@example.com", phone: "+82 10-1234-5678", notify: { email: true, language: "ko" } }),
      text: true,
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
  const maskCase = cases.find((c) => c.purpose === "mask")!;
  invalid.push(
    {
      name: "mask opened as a note (same key, ids and block)",
      key: maskCase.key,
      purpose: "note",
      id: maskCase.id,
      subId: maskCase.subId,
      ciphertext: maskCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "mask opened under another mask id",
      key: maskCase.key,
      purpose: maskCase.purpose,
      id: maskCase.id,
      subId: labelUuid("aead/mask 2"),
      ciphertext: maskCase.ciphertext,
      error: "decrypt_failed",
    },
    {
      name: "mask opened with the report key instead of the case key",
      key: toHex(labelBytes("report key A")),
      purpose: maskCase.purpose,
      id: maskCase.id,
      subId: maskCase.subId,
      ciphertext: maskCase.ciphertext,
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
  const records = recordShapeVectors(reportId, messageId, noteId, attachmentId, shareId, feedbackId);
  return {
    format: "aead-v1",
    description:
      "XChaCha20-Poly1305-IETF records: 0x01 || nonce(24) || AEAD(pad_ISO7816(plaintext, block), ad = associatedData). Deterministic: encrypt(key, binding, plaintext, nonce) must give `ciphertext` exactly; `invalid` entries must be rejected with the given error code.",
    deterministic: true,
    cases,
    invalid,
    records,
  };
}

/**
 * Authentic records with plaintexts a reader must refuse, or accept as stated (§3.3, §3.4 step 5). Deterministic:
 * nonce i is labelBytes("aead record nonce i"); new entries go at the end.
 */
function recordShapeVectors(reportId: string, messageId: string, noteId: string, attachmentId: string, shareId: string, feedbackId: string): AeadRecordCase[] {
  const report = { keyLabel: "report key A", id: reportId };
  const text = (v: unknown) => utf8(JSON.stringify(v));
  const specs: (Omit<AeadRecordCase, "key" | "plaintext" | "nonce" | "ciphertext" | "id"> & { keyLabel: string; id: string; bytes: Uint8Array })[] = [
    {
      name: "message whose author is not the stored row's",
      ...report,
      purpose: "message",
      subId: messageId,
      expectedAuthor: "investigator",
      bytes: text({ author: "reporter", kind: "message", text: "Hello." }),
      error: "wrong_record",
    },
    {
      name: "message without author and kind",
      ...report,
      purpose: "message",
      subId: messageId,
      expectedAuthor: "investigator",
      bytes: text({ text: "Hello." }),
      error: "bad_format",
    },
    {
      name: "message of an unknown kind",
      ...report,
      purpose: "message",
      subId: messageId,
      expectedAuthor: "investigator",
      bytes: text({ author: "investigator", kind: "note", text: "Hello." }),
      error: "bad_format",
    },
    {
      name: "message whose text is not a string",
      ...report,
      purpose: "message",
      subId: messageId,
      expectedAuthor: "reporter",
      bytes: text({ author: "reporter", kind: "message", text: ["Hello."] }),
      error: "bad_format",
    },
    {
      name: "message with a member readers do not know (dropped)",
      ...report,
      purpose: "message",
      subId: messageId,
      expectedAuthor: "reporter",
      bytes: text({ author: "reporter", kind: "message", text: "Hello.", sentAt: "2024-03-01" }),
      decoded: { author: "reporter", kind: "message", text: "Hello." },
    },
    {
      name: "identity whose notify has the wrong shape",
      ...report,
      purpose: "report-identity",
      bytes: text({ name: null, email: "a@example.com", phone: null, notify: { email: "yes", language: "ko" } }),
      error: "bad_format",
    },
    {
      name: "identity whose notify names another language",
      ...report,
      purpose: "report-identity",
      bytes: text({ name: null, email: "a@example.com", phone: null, notify: { email: true, language: "ja" } }),
      error: "bad_format",
    },
    {
      name: "identity with a name that is not a string",
      ...report,
      purpose: "report-identity",
      bytes: text({ name: 7, email: null, phone: null }),
      error: "bad_format",
    },
    { name: "identity that is an array", ...report, purpose: "report-identity", bytes: text([null, null, null]), error: "bad_format" },
    {
      name: "identity without notify and with a member readers do not know (dropped)",
      ...report,
      purpose: "report-identity",
      bytes: text({ name: "홍길동", email: null, phone: null, address: "Seoul" }),
      decoded: { name: "홍길동", email: null, phone: null },
    },
    {
      name: "identity with members missing (they are not read as null)",
      ...report,
      purpose: "report-identity",
      bytes: text({ email: "a@example.com" }),
      error: "bad_format",
    },
    {
      name: "body whose period is not a string or null",
      ...report,
      purpose: "report-body",
      bytes: text({ description: "d", details: "", periodFrom: 20240301, periodTo: null }),
      error: "bad_format",
    },
    {
      name: "body whose period is not YYYY-MM-DD (kept as text)",
      ...report,
      purpose: "report-body",
      bytes: text({ description: "d", details: "", periodFrom: "March 2024", periodTo: null }),
      decoded: { description: "d", details: "", periodFrom: "March 2024", periodTo: null },
    },
    { name: "title that is not a JSON string", ...report, purpose: "report-title", bytes: text({ title: "x" }), error: "bad_format" },
    {
      name: "title with a byte order mark before the JSON",
      ...report,
      purpose: "report-title",
      bytes: concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), text("x")),
      error: "bad_format",
    },
    { name: "title that is not UTF-8", ...report, purpose: "report-title", bytes: Uint8Array.of(0x22, 0xc3, 0x28, 0x22), error: "bad_format" },
    {
      name: "file metadata with a negative size",
      ...report,
      purpose: "file-meta",
      subId: attachmentId,
      bytes: text({ name: "a.pdf", type: "application/pdf", size: -1 }),
      error: "bad_format",
    },
    {
      name: "file metadata with a fractional size",
      ...report,
      purpose: "file-meta",
      subId: attachmentId,
      bytes: text({ name: "a.pdf", type: "application/pdf", size: 1.5 }),
      error: "bad_format",
    },
    {
      name: "file metadata with a size beyond 2^53 - 1",
      ...report,
      purpose: "file-meta",
      subId: attachmentId,
      bytes: text({ name: "a.pdf", type: "application/pdf", size: 2 ** 53 }),
      error: "bad_format",
    },
    {
      name: "file metadata with a type outside the list writers use (kept as text)",
      ...report,
      purpose: "file-meta",
      subId: attachmentId,
      bytes: text({ name: "notes.txt", type: "text/x-unknown; charset=utf-8", size: 0 }),
      decoded: { name: "notes.txt", type: "text/x-unknown; charset=utf-8", size: 0 },
    },
    { name: "privacy request without text", ...report, purpose: "privacy-request", subId: messageId, bytes: text({ detail: "x" }), error: "bad_format" },
    {
      name: "note whose text is not a string",
      keyLabel: "case key A",
      id: reportId,
      purpose: "note",
      subId: noteId,
      bytes: text({ text: null }),
      error: "bad_format",
    },
    {
      name: "labels with a member that is not a string",
      keyLabel: "case key A",
      id: reportId,
      purpose: "labels",
      bytes: text(["urgent", 3]),
      error: "bad_format",
    },
    {
      name: "share feedback whose author is not the stored row's",
      keyLabel: "feedback key 1",
      id: shareId,
      purpose: "share-feedback",
      subId: feedbackId,
      expectedAuthor: "affiliate",
      bytes: text({ author: "investigator", text: "x" }),
      error: "wrong_record",
    },
  ];
  return specs.map(({ keyLabel, bytes, ...v }, i) => {
    const key = labelBytes(keyLabel) as RecordKey;
    const nonce = labelBytes(`aead record nonce ${i}`, AEAD_NONCE_BYTES);
    const binding: RecordBinding = { purpose: v.purpose as RecordPurpose, id: v.id, ...(v.subId ? { subId: v.subId } : {}) };
    const entry: AeadRecordCase = {
      name: v.name,
      key: toHex(key),
      purpose: v.purpose,
      id: v.id,
      ...(v.subId ? { subId: v.subId } : {}),
      ...(v.expectedAuthor ? { expectedAuthor: v.expectedAuthor } : {}),
      plaintext: toHex(bytes),
      nonce: toHex(nonce),
      ciphertext: toHex(encryptRecord(key, binding, bytes, nonce)),
      ...(v.error ? { error: v.error } : { decoded: v.decoded }),
    };
    if (entry.error) expectCode(() => readRecord(entry), entry.error, `record ${v.name}`);
    else if (JSON.stringify(readRecord(entry)) !== JSON.stringify(entry.decoded)) fail(`record ${v.name}: decoded`);
    return entry;
  });
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
    invalid: streamInvalidVectors(format, cases, fileKey, binding, existing?.invalid ?? []),
    ...(v2 ? { rekey: rekeyVector(existing?.rekey), uploadParts: uploadPartsVectors(fileKey, binding) } : {}),
  };
}

/**
 * The part lengths of a few files, cut as the portal's client cuts them (app/shared/transport.ts): each part is what
 * AttachmentEncryptor.push returns for its range of the body, part 0 with the prefix. Deterministic (lengths only).
 */
function uploadPartsVectors(key: FileKey, binding: { reportId: string; attachmentId: string }): UploadPartsCase[] {
  const specs: [number, number][] = [
    [0, 8 * 1024 * 1024],
    [1, 8 * 1024 * 1024],
    [8 * 1024 * 1024, 8 * 1024 * 1024],
    [8 * 1024 * 1024 + 1, 8 * 1024 * 1024],
    [20_000_000, 8 * 1024 * 1024],
    [2_500_000, 1_000_000], // partPlainBytes not a multiple of 65536: rounded down to 983040
  ];
  return specs.map(([size, partPlainBytes]) => {
    const P = partPlainBytes - (partPlainBytes % STREAM_CHUNK_BYTES);
    const enc = new AttachmentEncryptor(key, binding, size);
    const B = enc.paddedBytes;
    const count = Math.max(1, Math.ceil(B / P));
    const parts: number[] = [];
    for (let n = 0; n < count; n++) {
      const start = n * P;
      const end = Math.min(B, (n + 1) * P);
      const plain = new Uint8Array(Math.max(0, Math.min(size, end) - start));
      parts.push(enc.push(plain, n === count - 1, end - start, n === 0).length);
    }
    const total = parts.reduce((a, b) => a + b, 0);
    if (total !== streamCiphertextSize(size)) fail(`upload parts of ${size}: total`);
    if (partPlainBytes === 8 * 1024 * 1024 && parts.some((l) => l > MAX_PART_BYTES)) fail(`upload parts of ${size}: over MAX_PART_BYTES`);
    return { size, partPlainBytes, paddedLength: B, ciphertextBytes: total, parts };
  });
}

const TAG = { MESSAGE: 0, PUSH: 1, REKEY: 2, FINAL: 3 } as const;

/** 0x02 || header || length chunk || body chunks, each with the tag given: streams no writer makes, for the decoder. */
function craftV2(
  key: FileKey,
  binding: { reportId: string; attachmentId: string },
  length: Uint8Array,
  lengthTag: number,
  chunks: [Uint8Array, number][],
): string {
  const sodium = sodiumNow();
  const ad = streamAssociatedData(binding, STREAM_V2);
  const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts = [Uint8Array.of(STREAM_V2), init.header, sodium.crypto_secretstream_xchacha20poly1305_push(init.state, length, ad, lengthTag)];
  for (const [body, tag] of chunks) parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(init.state, body, ad, tag));
  return toHex(concatBytes(...parts));
}

const le64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

/** Streams the decoder refuses (§5.2 decoding steps), from small cases by edits and a few made for the purpose. */
function streamInvalidVectors(
  format: "stream-v1" | "stream-v2",
  cases: StreamCase[],
  fileKey: FileKey,
  binding: { reportId: string; attachmentId: string },
  prior: StreamInvalid[],
): StreamInvalid[] {
  const v2 = format === "stream-v2";
  const small = cases.find((c) => c.plaintextLength === (v2 ? 9 : 100))!;
  const full = cases.find((c) => c.plaintextLength === STREAM_CHUNK_BYTES)!;
  const big = cases.find((c) => c.plaintextLength === (v2 ? 140_000 : 200_000))!;
  const prefix = v2 ? 50 : 25;
  const chunk = STREAM_CHUNK_BYTES + 17;
  const n = small.ciphertextLength;
  const edited = (name: string, from: StreamCase, edits: StreamEdit[], error: string): StreamInvalid => ({ name, from: from.name, edits, error });
  const list: StreamInvalid[] = [
    edited("version byte 0x03", small, [{ op: "set", at: 0, value: 3 }], "bad_version"),
    edited("version byte 0x00", small, [{ op: "set", at: 0, value: 0 }], "bad_version"),
    edited(`version byte of the other stream format (0x0${v2 ? 1 : 2})`, small, [{ op: "set", at: 0, value: v2 ? 1 : 2 }], "decrypt_failed"),
    edited("fewer than 25 bytes", small, [{ op: "truncate", length: 24 }], "truncated"),
    edited("header byte modified", small, [{ op: "flip", at: 5 }], "decrypt_failed"),
    edited("encrypted tag byte of the last chunk modified", small, [{ op: "flip", at: prefix }], "decrypt_failed"),
    edited("ciphertext byte of the last chunk modified", small, [{ op: "flip", at: prefix + 1 }], "decrypt_failed"),
    edited("MAC of the last chunk modified (tampered tag)", small, [{ op: "flip", at: n - 1 }], "decrypt_failed"),
    edited("cut inside the last chunk", small, [{ op: "truncate", length: n - 1 }], "decrypt_failed"),
    edited("cut after the header, before any chunk", small, [{ op: "truncate", length: prefix }], "truncated"),
    edited("a byte glued to a short final chunk", small, [{ op: "append", bytes: "00" }], "decrypt_failed"),
    { name: "opened under another attachment id", from: small.name, edits: [], attachmentId: labelUuid("stream/other attachment"), error: "decrypt_failed" },
    edited("a byte after a full-size final chunk", full, [{ op: "append", bytes: "00" }], "bad_format"),
    edited("two full chunks swapped (reordered)", big, [{ op: "swap", a: prefix, b: prefix + chunk, length: chunk }], "decrypt_failed"),
    edited("a full chunk dropped", big, [{ op: "remove", at: prefix + chunk, length: chunk }], "decrypt_failed"),
    edited("the final chunk dropped (truncated stream)", big, [{ op: "truncate", length: prefix + 2 * chunk }], "truncated"),
    edited("cut inside a full chunk", big, [{ op: "truncate", length: prefix + chunk + 100 }], "decrypt_failed"),
  ];
  if (v2) {
    list.splice(
      4,
      0,
      edited("cut inside the length chunk", small, [{ op: "truncate", length: 40 }], "truncated"),
      edited("length chunk modified", small, [{ op: "flip", at: 30 }], "decrypt_failed"),
    );
    const nine = patternBytes(9);
    const body = concatBytes(nine, Uint8Array.of(0));
    const made: [string, () => string, string][] = [
      [
        "last chunk tagged MESSAGE instead of FINAL (wrong final tag)",
        () => craftV2(fileKey, binding, le64(9n), TAG.MESSAGE, [[body, TAG.MESSAGE]]),
        "truncated",
      ],
      ["body chunk tagged REKEY", () => craftV2(fileKey, binding, le64(9n), TAG.MESSAGE, [[body, TAG.REKEY]]), "bad_format"],
      ["body chunk tagged PUSH", () => craftV2(fileKey, binding, le64(9n), TAG.MESSAGE, [[body, TAG.PUSH]]), "bad_format"],
      ["length chunk tagged FINAL", () => craftV2(fileKey, binding, le64(9n), TAG.FINAL, [[body, TAG.FINAL]]), "bad_format"],
      ["length chunk tagged REKEY", () => craftV2(fileKey, binding, le64(9n), TAG.REKEY, [[body, TAG.FINAL]]), "bad_format"],
      ["padding that is not zeros", () => craftV2(fileKey, binding, le64(9n), TAG.MESSAGE, [[concatBytes(nine, Uint8Array.of(1)), TAG.FINAL]]), "bad_format"],
      ["stated size beyond the body", () => craftV2(fileKey, binding, le64(11n), TAG.MESSAGE, [[body, TAG.FINAL]]), "bad_format"],
      ["stated size above 2^53 - 1", () => craftV2(fileKey, binding, le64(2n ** 53n), TAG.MESSAGE, [[new Uint8Array(0), TAG.FINAL]]), "bad_format"],
    ];
    for (const [name, make, error] of made) {
      const refused = (hex: string | undefined) => {
        if (!hex) return false;
        try {
          decryptAttachment(fileKey, binding, fromHex(hex));
          return false;
        } catch (e) {
          return isCryptoError(e) && e.code === error;
        }
      };
      let ciphertext = prior.find((v) => v.name === name)?.ciphertext;
      if (!refused(ciphertext)) ciphertext = make();
      list.push({ name, ciphertext: ciphertext!, error });
    }
  }
  const file = { cases } as StreamFile;
  for (const v of list) {
    const b = v.attachmentId ? { ...binding, attachmentId: v.attachmentId } : binding;
    expectCode(() => decryptAttachment(fileKey, b, invalidStreamBytes(file, v)), v.error, `${format} invalid ${v.name}`);
  }
  return list;
}

/** Appendix A across a REKEY tag: the chunks after it open only under the re-keyed state. */
function rekeyVector(prior: SecretstreamRekey | undefined): SecretstreamRekey {
  const sodium = sodiumNow();
  const key = labelBytes("secretstream/key");
  const ad = utf8("cor-test-vector/secretstream rekey");
  const plan: [string, number][] = [
    ["first message", TAG.MESSAGE],
    ["second message, tagged REKEY: the state is re-keyed after it", TAG.REKEY],
    ["third message, under the new key", TAG.MESSAGE],
    ["fourth message, tagged PUSH", TAG.PUSH],
    ["", TAG.FINAL],
  ];
  const opens = (v: SecretstreamRekey | undefined): boolean => {
    if (!v || v.key !== toHex(key) || v.chunks.length !== plan.length) return false;
    try {
      const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(fromHex(v.header), key);
      return plan.every(([m, tag], i) => {
        const r = sodium.crypto_secretstream_xchacha20poly1305_pull(state, fromHex(v.chunks[i]!.chunk), ad);
        return r !== false && r.tag === tag && fromUtf8(r.message) === m && v.chunks[i]!.message === toHex(utf8(m));
      });
    } catch {
      return false;
    }
  };
  if (opens(prior)) return prior!;
  const init = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const made: SecretstreamRekey = {
    description:
      "crypto_secretstream_xchacha20poly1305 alone (Appendix A), no cor format around it: pulling the chunks in order from `header` with `key` and `associatedData` gives each `message` (hex) and `tag`; the chunks after the REKEY-tagged one open only with the state re-keyed as Appendix A says. Randomized header: decrypt-only. stream-v1 and stream-v2 decoders refuse a REKEY or PUSH tag (bad_format).",
    key: toHex(key),
    header: toHex(init.header),
    associatedData: fromUtf8(ad),
    chunks: plan.map(([m, tag]) => ({
      tag,
      message: toHex(utf8(m)),
      chunk: toHex(sodium.crypto_secretstream_xchacha20poly1305_push(init.state, utf8(m), ad, tag)),
    })),
  };
  if (!opens(made)) fail("rekey vector does not open");
  return made;
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
    // The explicit lists of docs/CRYPTO.md §2.1: every other dash, the remaining white space, full-width forms.
    { input: d.replace(/-/g, "\u2011"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2012"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2015"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u2212"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u00a0"), normalized: c.normalized },
    { input: d.replace(/-/g, "\u3000"), normalized: c.normalized },
    { input: `\ufeff${d.replace(/-/g, "\u2028")}\u202f`, normalized: c.normalized },
    { input: [...d].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(""), normalized: c.normalized },
    {
      input: [...d.toLowerCase()].map((ch) => (ch === "-" ? "\uff0d" : /[a-z]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join(""),
      normalized: c.normalized,
    },
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
    // Only ASCII letters change case: a letter whose Unicode upper case is an ASCII letter is still refused.
    { input: `${good.slice(0, 10)}\u0131${good.slice(11)}`, problem: "character" },
    { input: `${good.slice(0, 10)}\u017f${good.slice(11)}`, problem: "character" },
    // Not in the lists: a soft hyphen, a zero-width space, an underscore (above), a dot.
    { input: `${good.slice(0, 10)}\u00ad${good.slice(10)}`, problem: "character" },
    { input: `${good.slice(0, 10)}\u200b${good.slice(10)}`, problem: "character" },
    { input: `${good.slice(0, 10)}.${good.slice(10)}`, problem: "character" },
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
    // The same reading as receipt codes (docs/CRYPTO.md §2.1): typographic dashes, other white space, full-width forms.
    { input: t.replace(/-/g, "\u2013"), key: recoveryKeys[2]!.key },
    { input: t.replace(/-/g, "\u2014"), key: recoveryKeys[2]!.key },
    { input: t.replace(/-/g, "\u2212"), key: recoveryKeys[2]!.key },
    { input: `\u3000${t.replace(/-/g, "\u00a0")}\n`, key: recoveryKeys[2]!.key },
    { input: [...t].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(""), key: recoveryKeys[2]!.key },
    { input: recoveryKeys[0]!.text.replace(/0/g, "O").replace(/-/g, "").toLowerCase(), key: recoveryKeys[0]!.key },
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
    { input: `\u0131${zeros.slice(1)}`, error: "bad_format" },
    { input: `${zeros.slice(0, 26)}\u00ad${zeros.slice(26)}`, error: "bad_format" },
  ];
  for (const r of recoveryKeyInvalid) expectCode(() => parseRecoveryKey(r.input), r.error, `recovery key ${r.input}`);

  // What the server learns of the recovery key (§7.2): the proof, sent at activation and at recovery, and its SHA-256.
  const proof = sumo.crypto_kdf_derive_from_key(32, 3, "staffrcv", recoveryKey);
  if (toHex(proof) !== toHex(recoveryProof(recoveryKey))) fail("recovery proof");
  const verifier = sha256Hex(proof);
  const publicKey = publicKeyOf(secretKey);
  // The `keys` object of an activation with these values, as the server validates it.
  const activationKeys = {
    kdfVersion: 1,
    kdfSalt: toBase64Url(salt),
    authKey: toBase64Url(authKey),
    publicKey: toBase64Url(publicKey),
    secretKeyWrapped: toBase64Url(wrapped),
    secretKeyRecoveryWrapped: toBase64Url(wrappedRecovery),
    recoveryProof: toBase64Url(proof),
  };

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
        recoveryProof: toHex(proof),
        recoveryVerifier: verifier,
        activationKeys,
      },
    ],
    decoys: decoyVectors(),
    recoveryKeys,
    recoveryKeyInputs,
    recoveryKeyInvalid,
  };
}

/**
 * The server's answers for addresses without an account (§7.3), from the formula with node:crypto, checked against
 * the server's own functions. Deterministic.
 */
function decoyVectors(): StaffKdfFile["decoys"] {
  const portalSecret = labelBytes("portal secret");
  const key = new Uint8Array(hkdfSync("sha256", portalSecret, new Uint8Array(0), "clean-okestro-report/sign-in-decoy", 32));
  const hmac = (...parts: Uint8Array[]) => {
    const h = createHmac("sha256", key);
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  };
  const server = new PortalSecret(Buffer.from(portalSecret));
  const emails = ["nobody@okestro.example", "kim.minji@okestro.example", "이름@okestro.example"];
  const cases = emails.map((email) => {
    const salt = hmac(utf8("salt\0"), utf8(email)).slice(0, 16);
    const prf = (label: string) => hmac(utf8("recovery\0"), utf8(label), Uint8Array.of(0), utf8(email));
    const idBytes = prf("user-id").slice(0, 16);
    const blob = concatBytes(Uint8Array.of(1), concatBytes(prf("blob-0"), prf("blob-1"), prf("blob-2")).slice(0, 88));
    const userId = uuidFromRandom(idBytes);
    if (toHex(decoySalt(server, email)) !== toHex(salt)) fail(`decoy salt ${email}`);
    const r = recoveryDecoy(server, email);
    if (r.userId !== userId || toHex(r.secretKeyRecoveryWrapped) !== toHex(blob)) fail(`recovery decoy ${email}`);
    return { email, salt: toHex(salt), userIdBytes: toHex(idBytes), userId, secretKeyRecoveryWrapped: toHex(blob) };
  });
  return { portalSecret: toHex(portalSecret), key: toHex(key), cases };
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
  write("export-v1.json", exportVectors());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
