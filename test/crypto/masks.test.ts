// Masks (crypto/masks.ts, ADR 053): the aead-v1 `mask` record under the case key. The known-answer vectors open
// through decryptMask; records of the wrong shape are refused on writing and on reading, and a mask does not open
// as another record, under another id or with the report key.
import { beforeAll, describe, expect, it } from "vitest";
import {
  decryptMask,
  decryptRecord,
  encryptJson,
  encryptMask,
  generateReportKeys,
  loadSodium,
  newRecordId,
  type CaseKey,
  type MaskRecord,
  type RecordPurpose,
} from "../../crypto";
import { fromHex, readVectorFile, type AeadFile } from "../vectors/common";
import { expectCryptoError } from "./helpers";

const aead = readVectorFile<AeadFile>("aead-v1.json");

beforeAll(async () => {
  await loadSodium();
});

describe("mask records", () => {
  it("the vectors open through decryptMask, and encryptMask writes the recorded plaintext", () => {
    const cases = aead.cases.filter((c) => c.purpose === "mask");
    expect(cases.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) {
      const key = fromHex(c.key) as CaseKey;
      const record = JSON.parse(c.plaintextText!) as MaskRecord;
      expect(decryptMask(key, c.id, c.subId!, fromHex(c.ciphertext))).toEqual(record);
      const again = encryptMask(key, c.id, c.subId!, record);
      expect(Buffer.from(decryptRecord(key, { purpose: "mask", id: c.id, subId: c.subId! }, again)).toString("hex")).toBe(c.plaintext);
    }
  });

  it("the invalid mask vectors are refused as listed", () => {
    const invalid = aead.invalid.filter((v) => v.name.startsWith("mask "));
    expect(invalid.length).toBeGreaterThanOrEqual(3);
    for (const v of invalid) {
      expectCryptoError(
        () =>
          decryptRecord(
            fromHex(v.key) as CaseKey,
            { purpose: v.purpose as RecordPurpose, id: v.id, ...(v.subId ? { subId: v.subId } : {}) },
            fromHex(v.ciphertext),
          ),
        v.error as never,
      );
    }
  });

  it("round-trips Hangul and emoji reasons and every kind of target", () => {
    const { caseKey } = generateReportKeys();
    const reportId = newRecordId();
    const maskId = newRecordId();
    for (const target of [
      { record: "body", field: "description" },
      { record: "body", field: "details" },
      { record: "message", id: newRecordId() },
      { record: "note", id: newRecordId() },
    ] as MaskRecord["target"][]) {
      const record: MaskRecord = {
        target,
        ranges: [
          [0, 2],
          [5, 7],
        ],
        reason: "가족 이름 👪",
      };
      expect(decryptMask(caseKey, reportId, maskId, encryptMask(caseKey, reportId, maskId, record))).toEqual(record);
    }
  });

  const bad: [string, unknown][] = [
    ["no ranges", { target: { record: "body", field: "description" }, ranges: [], reason: null }],
    ["a reversed range", { target: { record: "body", field: "description" }, ranges: [[3, 1]], reason: null }],
    ["an empty range", { target: { record: "body", field: "description" }, ranges: [[3, 3]], reason: null }],
    ["a negative offset", { target: { record: "body", field: "description" }, ranges: [[-1, 3]], reason: null }],
    ["a fractional offset", { target: { record: "body", field: "description" }, ranges: [[0.5, 3]], reason: null }],
    ["a range of three numbers", { target: { record: "body", field: "description" }, ranges: [[0, 1, 2]], reason: null }],
    ["the title as target", { target: { record: "body", field: "title" }, ranges: [[0, 1]], reason: null }],
    ["a message id that is no UUID", { target: { record: "message", id: "42" }, ranges: [[0, 1]], reason: null }],
    ["an unknown record", { target: { record: "identity" }, ranges: [[0, 1]], reason: null }],
    ["an extra target member", { target: { record: "note", id: "00000000-0000-4000-8000-000000000001", field: "x" }, ranges: [[0, 1]], reason: null }],
    ["an extra member", { target: { record: "body", field: "details" }, ranges: [[0, 1]], reason: null, by: "x" }],
    ["a missing reason", { target: { record: "body", field: "details" }, ranges: [[0, 1]] }],
    ["a reason too long", { target: { record: "body", field: "details" }, ranges: [[0, 1]], reason: "x".repeat(501) }],
    ["too many ranges", { target: { record: "body", field: "details" }, ranges: Array.from({ length: 501 }, (_, i) => [i, i + 1]), reason: null }],
    ["an array", [1, 2]],
  ];

  it.each(bad)("refuses a record with %s, on writing and on reading (bad_format)", (_name, value) => {
    const { caseKey } = generateReportKeys();
    const reportId = newRecordId();
    const maskId = newRecordId();
    expectCryptoError(() => encryptMask(caseKey, reportId, maskId, value as MaskRecord), "bad_format");
    const ct = encryptJson(caseKey, { purpose: "mask", id: reportId, subId: maskId }, value);
    expectCryptoError(() => decryptMask(caseKey, reportId, maskId, ct), "bad_format");
  });

  it("does not open under another mask id or report, as a note, or with the report key", () => {
    const { caseKey, reportKey } = generateReportKeys();
    const reportId = newRecordId();
    const maskId = newRecordId();
    const ct = encryptMask(caseKey, reportId, maskId, { target: { record: "body", field: "description" }, ranges: [[0, 1]], reason: null });
    expectCryptoError(() => decryptMask(caseKey, reportId, newRecordId(), ct), "decrypt_failed");
    expectCryptoError(() => decryptMask(caseKey, newRecordId(), maskId, ct), "decrypt_failed");
    expectCryptoError(() => decryptRecord(caseKey, { purpose: "note", id: reportId, subId: maskId }, ct), "decrypt_failed");
    expectCryptoError(() => decryptMask(reportKey as unknown as CaseKey, reportId, maskId, ct), "decrypt_failed");
  });
});
