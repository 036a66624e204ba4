// Checks every committed known-answer vector in test/vectors/ against crypto/.
// Deterministic formats must reproduce byte for byte; randomized formats
// (envelope-v1, stream-v1, stream-v2) must decrypt to the recorded values.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  PURPOSES,
  associatedData,
  decryptArchivePackage,
  decryptAttachment,
  decryptFeedback,
  decryptIdentity,
  decryptLabels,
  decryptMessage,
  decryptNote,
  decryptRecord,
  decryptSharePackage,
  deriveReceiptSecrets,
  encryptLabels,
  encryptNote,
  encryptRecord,
  formatReceipt,
  fromUtf8,
  loadSodium,
  openArchiveKey,
  openReportKeys,
  openShareKey,
  parseReceipt,
  publicKeyOf,
  receiptCheckSymbol,
  streamAssociatedData,
  streamChunkCount,
  streamCiphertextSize,
  streamV1CiphertextSize,
  padme,
  STREAM_V1,
  STREAM_V2,
  unwrapFileKeyForArchive,
  uuidToBytes,
  ARCHIVE_ENVELOPE_BYTES,
  RECEIPT_ALPHABET,
  SHARE_ENVELOPE_BYTES,
  STREAM_CHUNK_BYTES,
  type ArchiveKey,
  type CaseKey,
  type CryptoErrorCode,
  type FeedbackAuthor,
  type FileKey,
  type MessageAuthor,
  type RecordBinding,
  type RecordKey,
  type RecordPurpose,
  type ReportKey,
  type ShareKey,
  type StaffSecretKey,
} from "../../crypto/index";
import { STAFF_KDF_V1, deriveStaffPasswordKeys, formatRecoveryKey, parseRecoveryKey, recoveryProof, unwrapStaffSecretKey } from "../../crypto/staff";
import { sodiumNow } from "../../crypto/sodium";
import { PortalSecret } from "../../app/.server/platform/secrets";
import { decoySalt, recoveryDecoy } from "../../app/.server/staff/decoys";
import { LIMITS, MAX_PART_BYTES } from "../../app/intake/limits";
import { activationRequest } from "../../app/staff/wire";
import { readRecord } from "../vectors/records";
import type { PasswordWrapKey, RecoveryKey } from "../../crypto/index";
import {
  PATTERN_RULE,
  fromHex,
  invalidStreamBytes,
  patternBytes,
  readVectorFile,
  sha256Hex,
  toHex,
  type AeadFile,
  type EnvelopeFile,
  type ReceiptFile,
  type StaffKdfFile,
  type StreamFile,
  type StreamInvalid,
} from "../vectors/common";
import { expectCryptoError } from "./helpers";

const aead = readVectorFile<AeadFile>("aead-v1.json");
const envelope = readVectorFile<EnvelopeFile>("envelope-v1.json");
const stream = readVectorFile<StreamFile>("stream-v1.json");
const streamV2 = readVectorFile<StreamFile>("stream-v2.json");
const receipt = readVectorFile<ReceiptFile>("receipt-v1.json");
const staff = readVectorFile<StaffKdfFile>("staff-kdf-v1.json");

const HEX = /^(?:[0-9a-f]{2})*$/;

function bindingOf(v: { purpose: string; id: string; subId?: string }): RecordBinding {
  return { purpose: v.purpose as RecordPurpose, id: v.id, ...(v.subId ? { subId: v.subId } : {}) };
}

beforeAll(async () => {
  await loadSodium();
});

describe("vector files", () => {
  it("each has a format, a description and stays small", () => {
    const files: [string, { format: string; description: string }][] = [
      ["aead-v1", aead],
      ["envelope-v1", envelope],
      ["stream-v1", stream],
      ["stream-v2", streamV2],
      ["receipt-v1", receipt],
      ["staff-kdf-v1", staff],
    ];
    let total = 0;
    for (const [format, file] of files) {
      expect(file.format).toBe(format);
      expect(file.description.length).toBeGreaterThan(20);
      total += JSON.stringify(file).length;
    }
    expect(total).toBeLessThan(1.5 * 1024 * 1024); // the two stream files hold most: multi-chunk ciphertexts as hex
  });

  it("use lowercase hex for binary values", () => {
    for (const c of aead.cases) for (const v of [c.key, c.plaintext, c.padded, c.nonce, c.ciphertext]) expect(v).toMatch(HEX);
    for (const c of envelope.cases) for (const v of [c.envelope, c.inner, c.reportKey, c.caseKey]) expect(v).toMatch(HEX);
    for (const c of envelope.shareCases) for (const v of [c.envelope, c.inner, c.shareIdBytes, c.shareKey]) expect(v).toMatch(HEX);
    for (const c of envelope.archiveCases) for (const v of [c.envelope, c.inner, c.archiveIdBytes, c.archiveKey]) expect(v).toMatch(HEX);
    for (const c of [...stream.cases, ...streamV2.cases]) expect(c.ciphertext).toMatch(HEX);
    for (const c of receipt.codes) for (const v of [c.master, c.lookup, c.wrapKey]) expect(v).toMatch(HEX);
  });
});

describe("aead-v1 vectors", () => {
  it.each(aead.cases.map((c) => [c.name, c] as const))("%s reproduces exactly", (_name, c) => {
    const key = fromHex(c.key) as RecordKey;
    const binding = bindingOf(c);
    expect(fromUtf8(associatedData(binding))).toBe(c.associatedData);
    expect(PURPOSES[binding.purpose].block).toBe(c.block);
    expect(toHex(encryptRecord(key, binding, fromHex(c.plaintext), fromHex(c.nonce)))).toBe(c.ciphertext);
    expect(toHex(decryptRecord(key, binding, fromHex(c.ciphertext)))).toBe(c.plaintext);
    if (c.plaintextText !== undefined) expect(fromUtf8(fromHex(c.plaintext))).toBe(c.plaintextText);
    const padded = fromHex(c.padded);
    expect(padded.length % c.block).toBe(0);
    expect(c.ciphertext.length / 2).toBe(1 + 24 + padded.length + 16);
  });

  it("covers every purpose", () => {
    expect(new Set(aead.cases.map((c) => c.purpose))).toEqual(new Set(Object.keys(PURPOSES)));
  });

  it.each(aead.invalid.map((v) => [v.name, v] as const))("rejects: %s", (_name, v) => {
    expectCryptoError(() => decryptRecord(fromHex(v.key) as RecordKey, bindingOf(v), fromHex(v.ciphertext)), v.error as CryptoErrorCode);
  });

  it("the share package opens through decryptSharePackage, and its feedback key opens the feedback", () => {
    const p = aead.cases.find((c) => c.purpose === "share-package")!;
    const pkg = decryptSharePackage(fromHex(p.key) as ShareKey, p.id, Number(p.subId), fromHex(p.ciphertext));
    expect(pkg.version).toBe(Number(p.subId));
    const wrapped = aead.cases.find((c) => c.purpose === "share-feedback-key")!;
    expect(toHex(pkg.feedbackKey)).toBe(wrapped.plaintext);
    const feedback = aead.cases.filter((c) => c.purpose === "share-feedback");
    expect(feedback.map((f) => (JSON.parse(f.plaintextText!) as { author: string }).author).sort()).toEqual(["affiliate", "investigator"]);
    for (const f of feedback) {
      const { author, text } = JSON.parse(f.plaintextText!) as { author: FeedbackAuthor; text: string };
      expect(decryptFeedback(pkg.feedbackKey, f.id, f.subId!, fromHex(f.ciphertext), author)).toEqual({ author, text });
    }
  });

  it("the archive package opens through decryptArchivePackage, and its file's key through unwrapFileKeyForArchive", () => {
    const p = aead.cases.find((c) => c.purpose === "archive-package")!;
    expect(p.subId).toBeUndefined();
    const archiveKey = fromHex(p.key) as ArchiveKey;
    const pkg = decryptArchivePackage(archiveKey, p.id, fromHex(p.ciphertext));
    expect(pkg).toEqual(JSON.parse(p.plaintextText!));
    expect(pkg.files).toHaveLength(1);
    const w = aead.cases.find((c) => c.purpose === "archive-file-key")!;
    expect([w.key, w.id, w.subId]).toEqual([p.key, p.id, pkg.files[0]!.id]);
    const fileKey = unwrapFileKeyForArchive(archiveKey, w.id, w.subId!, fromHex(w.ciphertext));
    expect(toHex(fileKey)).toBe(w.plaintext);
    // The archived file is the stream-v1 attachment: its blob opens with the unwrapped key under the case's report id.
    expect([pkg.reportId, pkg.files[0]!.id]).toEqual([stream.reportId, stream.attachmentId]);
    const blob = stream.cases.find((c) => c.plaintextLength === pkg.files[0]!.size)!;
    expect(blob).toBeDefined();
    const plain = decryptAttachment(fileKey, { reportId: pkg.reportId, attachmentId: pkg.files[0]!.id }, fromHex(blob.ciphertext));
    expect(sha256Hex(plain)).toBe(blob.plaintextSha256);
  });

  it("notes and labels open through decryptNote and decryptLabels, and their encrypt helpers write the recorded plaintext", () => {
    const note = aead.cases.find((c) => c.purpose === "note" && c.plaintextText !== undefined)!;
    const labels = aead.cases.find((c) => c.purpose === "labels")!;
    const noteKey = fromHex(note.key) as CaseKey;
    const labelsKey = fromHex(labels.key) as CaseKey;
    const text = (JSON.parse(note.plaintextText!) as { text: string }).text;
    const list = JSON.parse(labels.plaintextText!) as string[];
    expect(decryptNote(noteKey, note.id, note.subId!, fromHex(note.ciphertext))).toBe(text);
    expect(decryptLabels(labelsKey, labels.id, fromHex(labels.ciphertext))).toEqual(list);
    // The helpers draw a fresh nonce: the plaintext bytes under the vector's binding are what must match.
    expect(toHex(decryptRecord(noteKey, bindingOf(note), encryptNote(noteKey, note.id, note.subId!, text)))).toBe(note.plaintext);
    expect(toHex(decryptRecord(labelsKey, bindingOf(labels), encryptLabels(labelsKey, labels.id, list)))).toBe(labels.plaintext);
    // The empty-plaintext note vector is valid aead-v1 but not a note.
    const empty = aead.cases.find((c) => c.purpose === "note" && c.plaintext === "")!;
    expectCryptoError(() => decryptNote(fromHex(empty.key) as CaseKey, empty.id, empty.subId!, fromHex(empty.ciphertext)), "bad_format");
  });
});

describe("envelope-v1 vectors", () => {
  it.each(envelope.cases.map((c) => [c.name, c] as const))("%s opens to the recorded keys", (_name, c) => {
    const secretKey = fromHex(c.recipientSecretKey) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    expect(toHex(publicKey)).toBe(c.recipientPublicKey);
    expect(toHex(uuidToBytes(c.reportId))).toBe(c.reportIdBytes);
    const env = fromHex(c.envelope);
    expect(env.length).toBe(130);
    expect(env[0]).toBe(1);
    const keys = openReportKeys(env, c.reportId, { publicKey, secretKey });
    expect(toHex(keys.reportKey)).toBe(c.reportKey);
    expect(toHex(keys.caseKey)).toBe(c.caseKey);
    expect(c.inner).toBe(`01${c.reportIdBytes}${c.reportKey}${c.caseKey}`);
  });

  it.each(envelope.invalid.map((v) => [v.name, v] as const))("rejects: %s", (_name, v) => {
    const secretKey = fromHex(v.recipientSecretKey) as StaffSecretKey;
    expectCryptoError(() => openReportKeys(fromHex(v.envelope), v.reportId, { secretKey, publicKey: publicKeyOf(secretKey) }), v.error as CryptoErrorCode);
  });

  it("includes the wrong-report case with code wrong_record", () => {
    expect(envelope.invalid.some((v) => v.error === "wrong_record")).toBe(true);
  });

  it.each(envelope.shareCases.map((c) => [c.name, c] as const))("share key: %s opens to the recorded share key", (_name, c) => {
    const secretKey = fromHex(c.recipientSecretKey) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    expect(toHex(publicKey)).toBe(c.recipientPublicKey);
    expect(toHex(uuidToBytes(c.shareId))).toBe(c.shareIdBytes);
    const env = fromHex(c.envelope);
    expect(env.length).toBe(SHARE_ENVELOPE_BYTES);
    expect(env.length).toBe(98);
    expect(env[0]).toBe(1);
    expect(toHex(openShareKey(env, c.shareId, { publicKey, secretKey }))).toBe(c.shareKey);
    expect(c.inner).toBe(`02${c.shareIdBytes}${c.shareKey}`);
  });

  it.each(envelope.shareInvalid.map((v) => [v.name, v] as const))("share key rejects: %s", (_name, v) => {
    const secretKey = fromHex(v.recipientSecretKey) as StaffSecretKey;
    expectCryptoError(() => openShareKey(fromHex(v.envelope), v.shareId, { secretKey, publicKey: publicKeyOf(secretKey) }), v.error as CryptoErrorCode);
  });

  it("share key entries include wrong_record, a report-keys envelope and a kind 0x01 inner", () => {
    const codes = new Set(envelope.shareInvalid.map((v) => v.error));
    for (const code of ["wrong_record", "decrypt_failed", "bad_version", "truncated", "bad_format"]) expect(codes).toContain(code);
    expect(envelope.shareInvalid.some((v) => v.envelope.length / 2 === 130 && v.error === "bad_format")).toBe(true);
    expect(envelope.invalid.some((v) => v.envelope.length / 2 === SHARE_ENVELOPE_BYTES && v.error === "truncated")).toBe(true);
  });

  it("reviewer A's share key is the key of the aead-v1 sharing cases", () => {
    const c = envelope.shareCases.find((s) => s.name === "reviewer A")!;
    const p = aead.cases.find((x) => x.purpose === "share-package")!;
    expect(c.shareId).toBe(p.id);
    expect(c.shareKey).toBe(p.key);
  });

  it.each(envelope.archiveCases.map((c) => [c.name, c] as const))("archive key: %s opens to the recorded archive key", (_name, c) => {
    const secretKey = fromHex(c.recipientSecretKey) as StaffSecretKey;
    const publicKey = publicKeyOf(secretKey);
    expect(toHex(publicKey)).toBe(c.recipientPublicKey);
    expect(toHex(uuidToBytes(c.archiveId))).toBe(c.archiveIdBytes);
    const env = fromHex(c.envelope);
    expect(env.length).toBe(ARCHIVE_ENVELOPE_BYTES);
    expect(env.length).toBe(98);
    expect(env[0]).toBe(1);
    expect(toHex(openArchiveKey(env, c.archiveId, { publicKey, secretKey }))).toBe(c.archiveKey);
    expect(c.inner).toBe(`03${c.archiveIdBytes}${c.archiveKey}`);
  });

  it.each(envelope.archiveInvalid.map((v) => [v.name, v] as const))("archive key rejects: %s", (_name, v) => {
    const secretKey = fromHex(v.recipientSecretKey) as StaffSecretKey;
    expectCryptoError(() => openArchiveKey(fromHex(v.envelope), v.archiveId, { secretKey, publicKey: publicKeyOf(secretKey) }), v.error as CryptoErrorCode);
  });

  it("archive key entries include every code, and kinds 0x02 and 0x03 are told apart in both directions", () => {
    const codes = new Set(envelope.archiveInvalid.map((v) => v.error));
    for (const code of ["wrong_record", "decrypt_failed", "bad_version", "truncated", "bad_format"]) expect(codes).toContain(code);
    // A real share envelope, opened by its reviewer for its own share id, fails on the kind byte alone.
    const shareIds = new Set(envelope.shareCases.map((c) => c.shareId));
    const shareEnvelopes = new Set(envelope.shareCases.map((c) => c.envelope));
    expect(envelope.archiveInvalid.some((v) => shareEnvelopes.has(v.envelope) && shareIds.has(v.archiveId) && v.error === "bad_format")).toBe(true);
    // A real archive envelope, opened by its administrator as a share key for the archive id, likewise.
    const archiveIds = new Set(envelope.archiveCases.map((c) => c.archiveId));
    const archiveEnvelopes = new Set(envelope.archiveCases.map((c) => c.envelope));
    expect(envelope.shareInvalid.some((v) => archiveEnvelopes.has(v.envelope) && archiveIds.has(v.shareId) && v.error === "bad_format")).toBe(true);
    expect(envelope.archiveInvalid.some((v) => v.envelope.length / 2 === 130 && v.error === "bad_format")).toBe(true);
    expect(envelope.invalid.some((v) => archiveEnvelopes.has(v.envelope) && v.error === "truncated")).toBe(true);
  });

  it("administrator A's archive key is the key of the aead-v1 archive cases", () => {
    const c = envelope.archiveCases.find((s) => s.name === "administrator A")!;
    for (const purpose of ["archive-package", "archive-file-key"]) {
      const p = aead.cases.find((x) => x.purpose === purpose)!;
      expect(c.archiveId).toBe(p.id);
      expect(c.archiveKey).toBe(p.key);
    }
  });
});

describe.each([
  ["stream-v1", stream],
  ["stream-v2", streamV2],
] as const)("%s vectors", (format, file) => {
  const key = fromHex(file.fileKey) as FileKey;
  const binding = { reportId: file.reportId, attachmentId: file.attachmentId };
  const v2 = format === "stream-v2";

  it("records the binding, chunk size and pattern rule", () => {
    expect(fromUtf8(streamAssociatedData(binding, v2 ? STREAM_V2 : STREAM_V1))).toBe(file.associatedData);
    expect(file.chunkBytes).toBe(STREAM_CHUNK_BYTES);
    expect(file.patternRule).toBe(PATTERN_RULE);
    const sizes = file.cases.map((c) => c.plaintextLength);
    for (const s of [0, 65536, 65537]) expect(sizes).toContain(s);
    expect(Math.max(...sizes)).toBeGreaterThan(2 * STREAM_CHUNK_BYTES);
  });

  it.each(file.cases.map((c) => [c.name, c] as const))("%s decrypts to the recorded plaintext", (_name, c) => {
    const ct = fromHex(c.ciphertext);
    const body = v2 ? padme(c.plaintextLength) : c.plaintextLength;
    expect(ct[0]).toBe(v2 ? STREAM_V2 : STREAM_V1);
    expect(ct.length).toBe(c.ciphertextLength);
    expect(ct.length).toBe(v2 ? streamCiphertextSize(c.plaintextLength) : streamV1CiphertextSize(c.plaintextLength));
    if (v2) {
      expect(c.paddedLength).toBe(body);
      expect(toHex(ct.subarray(25, 50))).toBe(c.lengthChunk);
    }
    expect(streamChunkCount(body)).toBe(c.chunkCount);
    expect(sha256Hex(ct)).toBe(c.ciphertextSha256);
    expect(toHex(ct.subarray(0, 25))).toBe(c.header);
    const expected = c.plaintext !== undefined ? fromHex(c.plaintext) : patternBytes(c.plaintextLength);
    expect(expected.length).toBe(c.plaintextLength);
    expect(sha256Hex(expected)).toBe(c.plaintextSha256);
    const plain = decryptAttachment(key, binding, ct);
    expect(plain.length).toBe(c.plaintextLength);
    expect(sha256Hex(plain)).toBe(c.plaintextSha256);
  });

  it("decrypts the largest vector fed one odd-sized slice at a time", () => {
    const c = file.cases.reduce((a, b) => (b.plaintextLength > a.plaintextLength ? b : a));
    const ct = fromHex(c.ciphertext);
    const d = new AttachmentDecryptor(key, binding);
    const parts: Uint8Array[] = [];
    for (let o = 0; o < ct.length; o += 9973) parts.push(...d.push(ct.subarray(o, o + 9973)));
    parts.push(...d.finish());
    expect(sha256Hex(Buffer.concat(parts))).toBe(c.plaintextSha256);
  });
});

describe("receipt-v1 vectors", () => {
  it("uses the Crockford alphabet", () => {
    expect(receipt.alphabet).toBe(RECEIPT_ALPHABET);
  });

  it.each(receipt.codes.map((c) => [c.name, c] as const))("%s reproduces exactly", (_name, c) => {
    expect(receiptCheckSymbol(c.normalized.slice(0, 19))).toBe(c.checkSymbol);
    expect(formatReceipt(c.normalized)).toBe(c.display);
    expect(parseReceipt(c.display)).toEqual({ ok: true, code: c.normalized });
    const { lookup, wrapKey } = deriveReceiptSecrets(c.display);
    expect(toHex(lookup)).toBe(c.lookup);
    expect(toHex(wrapKey)).toBe(c.wrapKey);
    expect(sha256Hex(new TextEncoder().encode("cor/receipt-lookup-v1\0"), lookup)).toBe(c.serverLookupHash);
  });

  it.each(receipt.normalization.map((n) => [JSON.stringify(n.input), n] as const))("normalizes %s", (_name, n) => {
    expect(parseReceipt(n.input)).toEqual({ ok: true, code: n.normalized });
  });

  it.each(receipt.invalid.map((v) => [JSON.stringify(v.input), v] as const))("rejects %s", (_name, v) => {
    expect(parseReceipt(v.input)).toEqual({ ok: false, problem: v.problem });
    expectCryptoError(() => deriveReceiptSecrets(v.input), "bad_receipt");
  });
});

describe("staff-kdf-v1 vectors", () => {
  it("records the frozen parameter set", () => {
    expect(staff.params).toEqual({
      algorithm: STAFF_KDF_V1.algorithm,
      version: STAFF_KDF_V1.version,
      opslimit: STAFF_KDF_V1.opslimit,
      memlimit: STAFF_KDF_V1.memlimit,
      parallelism: 1,
      saltBytes: STAFF_KDF_V1.saltBytes,
      outputBytes: 32,
    });
  });

  // One Argon2id derivation per case (64 MiB): keep the vector file to one case.
  it.each(staff.cases.map((c) => [c.name, c] as const))("%s reproduces exactly and its wraps open", async (_name, c) => {
    expect(toHex(new TextEncoder().encode(c.password.normalize("NFKC")))).toBe(c.passwordNfkc);
    const { authKey, wrapKey } = await deriveStaffPasswordKeys(c.password, fromHex(c.salt));
    expect(toHex(authKey)).toBe(c.authKey);
    expect(toHex(wrapKey)).toBe(c.wrapKey);

    const secretKey = fromHex(c.secretKey);
    const wrapped = encryptRecord(wrapKey, { purpose: "staff-secret-key", id: c.userId }, secretKey, fromHex(c.wrapNonce));
    expect(toHex(wrapped)).toBe(c.wrappedSecretKey);
    const pair = unwrapStaffSecretKey(wrapKey, c.userId, fromHex(c.wrappedSecretKey), "password");
    expect(toHex(pair.secretKey)).toBe(c.secretKey);
    expect(toHex(pair.publicKey)).toBe(c.publicKey);

    const recoveryKey = parseRecoveryKey(c.recoveryKeyText);
    expect(toHex(recoveryKey)).toBe(c.recoveryKey);
    const wrappedRecovery = encryptRecord(recoveryKey, { purpose: "staff-secret-key-recovery", id: c.userId }, secretKey, fromHex(c.recoveryWrapNonce));
    expect(toHex(wrappedRecovery)).toBe(c.wrappedSecretKeyRecovery);
    expect(toHex(unwrapStaffSecretKey(recoveryKey, c.userId, wrappedRecovery, "recovery").publicKey)).toBe(c.publicKey);

    // The two wraps are not interchangeable.
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, c.userId, fromHex(c.wrappedSecretKey), "recovery"), "decrypt_failed");
    expectCryptoError(
      () => unwrapStaffSecretKey(recoveryKey as unknown as PasswordWrapKey, c.userId, fromHex(c.wrappedSecretKey), "password"),
      "decrypt_failed",
    );
  });

  it("recovery keys format and parse as recorded", () => {
    for (const r of staff.recoveryKeys) {
      expect(formatRecoveryKey(fromHex(r.key) as RecoveryKey)).toBe(r.text);
      expect(toHex(parseRecoveryKey(r.text))).toBe(r.key);
    }
    for (const r of staff.recoveryKeyInputs) expect(toHex(parseRecoveryKey(r.input))).toBe(r.key);
    for (const r of staff.recoveryKeyInvalid) expectCryptoError(() => parseRecoveryKey(r.input), r.error as CryptoErrorCode);
  });
});

// ---- the items docs/CRYPTO.md once left to guessing (§2.1, §3.5, §5.2, §5.5, §7.1-7.3)

describe("aead-v1 record shapes (§3.5)", () => {
  it("the message vectors carry author and kind, and open through decryptMessage with their author", () => {
    const messages = aead.cases.filter((c) => c.purpose === "message" && c.plaintextText !== undefined);
    expect(messages.map((m) => (JSON.parse(m.plaintextText!) as { author: string }).author).sort()).toEqual(["investigator", "reporter"]);
    for (const m of messages) {
      const o = JSON.parse(m.plaintextText!) as { author: MessageAuthor; kind: string; text: string };
      expect(Object.keys(o).sort()).toEqual(["author", "kind", "text"]);
      expect(decryptMessage(fromHex(m.key) as ReportKey, m.id, m.subId!, fromHex(m.ciphertext), o.author)).toEqual(o);
    }
  });

  it("an identity vector carries notify, and decryptIdentity keeps it", () => {
    const c = aead.cases.find((x) => x.purpose === "report-identity" && x.plaintextText?.includes("notify"))!;
    expect(decryptIdentity(fromHex(c.key) as ReportKey, c.id, fromHex(c.ciphertext))).toEqual(JSON.parse(c.plaintextText!));
  });

  it("covers refusals and acceptances for each record reader", () => {
    const purposes = new Set(aead.records.map((r) => r.purpose));
    for (const p of ["message", "report-identity", "report-body", "report-title", "file-meta", "note", "labels", "share-feedback"])
      expect(purposes).toContain(p);
    expect(new Set(aead.records.map((r) => r.error ?? "accepted"))).toEqual(new Set(["bad_format", "wrong_record", "accepted"]));
  });

  it.each(aead.records.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    const binding = bindingOf(r);
    // Authentic: the record itself decrypts; only its plaintext is at fault (or accepted).
    expect(toHex(encryptRecord(fromHex(r.key) as RecordKey, binding, fromHex(r.plaintext), fromHex(r.nonce)))).toBe(r.ciphertext);
    if (r.error) expectCryptoError(() => readRecord(r), r.error as CryptoErrorCode);
    else expect(readRecord(r)).toEqual(r.decoded);
  });
});

describe.each([
  ["stream-v1", stream],
  ["stream-v2", streamV2],
] as const)("%s refusals (§5.2)", (_format, file) => {
  const key = fromHex(file.fileKey) as FileKey;
  const bindingFor = (v: StreamInvalid) => ({ reportId: file.reportId, attachmentId: v.attachmentId ?? file.attachmentId });

  it.each(file.invalid.map((v) => [v.name, v] as const))("refuses: %s", (_name, v) => {
    const bytes = invalidStreamBytes(file, v);
    expectCryptoError(() => decryptAttachment(key, bindingFor(v), bytes), v.error as CryptoErrorCode);
    // The same code whatever the slicing: 7-byte slices through push and finish.
    expectCryptoError(() => {
      const d = new AttachmentDecryptor(key, bindingFor(v));
      for (let o = 0; o < bytes.length; o += 7) d.push(bytes.subarray(o, o + 7));
      d.finish();
    }, v.error as CryptoErrorCode);
  });
});

describe("stream-v2 extras", () => {
  it("includes a tampered tag, a truncated stream, a wrong final tag, a reordered chunk and a REKEY tag", () => {
    const names = streamV2.invalid.map((v) => v.name).join("\n");
    for (const what of [/tampered tag/, /truncated stream/, /wrong final tag/, /reordered/, /tagged REKEY/]) expect(names).toMatch(what);
  });

  it("the rekey vector opens through libsodium across its REKEY chunk", () => {
    const r = streamV2.rekey!;
    const sodium = sodiumNow();
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(fromHex(r.header), fromHex(r.key));
    expect(r.chunks.map((c) => c.tag)).toEqual([0, 2, 0, 1, 3]);
    for (const c of r.chunks) {
      const out = sodium.crypto_secretstream_xchacha20poly1305_pull(state, fromHex(c.chunk), new TextEncoder().encode(r.associatedData));
      expect(out).not.toBe(false);
      expect(out && [toHex(out.message), out.tag]).toEqual([c.message, c.tag]);
    }
  });

  it("upload parts: the lengths the portal's encryptor gives per part, within MAX_PART_BYTES (§5.5)", () => {
    const key = fromHex(streamV2.fileKey) as FileKey;
    const binding = { reportId: streamV2.reportId, attachmentId: streamV2.attachmentId };
    expect(LIMITS.partPlainBytes).toBe(8 * 1024 * 1024);
    expect(MAX_PART_BYTES).toBe(8_390_834);
    for (const u of streamV2.uploadParts!) {
      expect(u.ciphertextBytes).toBe(streamCiphertextSize(u.size));
      expect(u.paddedLength).toBe(padme(u.size));
      const P = u.partPlainBytes - (u.partPlainBytes % STREAM_CHUNK_BYTES);
      const enc = new AttachmentEncryptor(key, binding, u.size);
      const lengths = u.parts.map((_, n) => {
        const end = Math.min(u.paddedLength, (n + 1) * P);
        const plain = new Uint8Array(Math.max(0, Math.min(u.size, end) - n * P));
        return enc.push(plain, n === u.parts.length - 1, end - n * P, n === 0).length;
      });
      expect(lengths).toEqual(u.parts);
      if (u.partPlainBytes === LIMITS.partPlainBytes) for (const l of u.parts) expect(l).toBeLessThanOrEqual(MAX_PART_BYTES);
    }
  });
});

describe("staff-kdf-v1: what the server receives and answers (§7.1-7.3)", () => {
  const c = staff.cases[0]!;

  it("the recovery proof is kdf(recovery key, 3, staffrcv), and the verifier its SHA-256", () => {
    const proof = recoveryProof(fromHex(c.recoveryKey) as RecoveryKey);
    expect(toHex(proof)).toBe(c.recoveryProof);
    expect(sha256Hex(proof)).toBe(c.recoveryVerifier);
  });

  it("the activation keys object is accepted by the server's schema, and any non-base64url member is refused there", () => {
    const account = { id: c.userId, email: "staff@example.com", displayName: "Staff", role: "investigator", keys: c.activationKeys };
    expect(activationRequest.safeParse({ accounts: [account] }).success).toBe(true);
    for (const member of ["kdfSalt", "authKey", "publicKey", "secretKeyWrapped", "secretKeyRecoveryWrapped", "recoveryProof"]) {
      const text = c.activationKeys[member] as string;
      const broken = { ...account, keys: { ...c.activationKeys, [member]: `!${text.slice(1)}` } };
      expect(activationRequest.safeParse({ accounts: [broken] }).success, member).toBe(false);
    }
  });

  it.each(staff.decoys.cases.map((d) => [d.email, d] as const))("the decoys for %s are the server's", (_email, d) => {
    const secret = new PortalSecret(Buffer.from(fromHex(staff.decoys.portalSecret)));
    expect(toHex(secret.key("sign-in-decoy"))).toBe(staff.decoys.key);
    expect(toHex(decoySalt(secret, d.email))).toBe(d.salt);
    const r = recoveryDecoy(secret, d.email);
    expect(r.userId).toBe(d.userId);
    expect(toHex(r.secretKeyRecoveryWrapped)).toBe(d.secretKeyRecoveryWrapped);
  });
});
