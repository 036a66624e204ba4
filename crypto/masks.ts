// Masks: passages of a case's texts that investigators hide from staff views
// (ADR 053). A mask is one aead-v1 record under the case-internal key (purpose
// "mask", subId the mask id), so the reporter never holds it and the server
// learns neither which record it covers nor where. Offsets are UTF-16 code
// units into the decrypted text (JavaScript string indices), half-open
// [start, end); whether they fit the text is checked where the text is known
// (app/staff/masks.ts). Who masked and when are the row's plaintext metadata,
// as for notes: the server authenticates the author.
import { decryptJson, encryptJson } from "./aead";
import { CryptoError } from "./errors";
import type { CaseKey, RecordCiphertext } from "./types";

/** The report body's fields that can be masked (the title is not: the inbox shows it). */
export const MASKABLE_BODY_FIELDS = ["description", "details"] as const;
export type MaskableBodyField = (typeof MASKABLE_BODY_FIELDS)[number];

/** Which text a mask covers: a field of the report body, a message, or an internal note. */
export type MaskTarget = { record: "body"; field: MaskableBodyField } | { record: "message"; id: string } | { record: "note"; id: string };

/** A half-open range [start, end) of UTF-16 code units. */
export type MaskRange = readonly [start: number, end: number];

export interface MaskRecord {
  target: MaskTarget;
  ranges: MaskRange[];
  /** Why the passage is masked, in the investigator's words; null when none was given. */
  reason: string | null;
}

/** Limits of the record's shape: many ranges (every occurrence of a name), reasons of a sentence or two. */
export const MASK_MAX_RANGES = 500;
export const MASK_MAX_REASON = 500;
/** The longest text a range may point into: a report body field or a message is far shorter. */
export const MASK_MAX_OFFSET = 1_000_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isTarget(t: unknown): t is MaskTarget {
  if (!t || typeof t !== "object") return false;
  const o = t as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(",");
  if (o.record === "body") return keys === "field,record" && (MASKABLE_BODY_FIELDS as readonly unknown[]).includes(o.field);
  if (o.record === "message" || o.record === "note") return keys === "id,record" && typeof o.id === "string" && UUID.test(o.id);
  return false;
}

function isRange(r: unknown): r is MaskRange {
  return (
    Array.isArray(r) &&
    r.length === 2 &&
    Number.isSafeInteger(r[0]) &&
    Number.isSafeInteger(r[1]) &&
    (r[0] as number) >= 0 &&
    (r[0] as number) < (r[1] as number) &&
    (r[1] as number) <= MASK_MAX_OFFSET
  );
}

/** Whether a value has the shape of a mask record (exactly these members). */
export function isMaskRecord(v: unknown): v is MaskRecord {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    Object.keys(o).sort().join(",") === "ranges,reason,target" &&
    isTarget(o.target) &&
    Array.isArray(o.ranges) &&
    o.ranges.length >= 1 &&
    o.ranges.length <= MASK_MAX_RANGES &&
    o.ranges.every(isRange) &&
    (o.reason === null || (typeof o.reason === "string" && o.reason.length <= MASK_MAX_REASON))
  );
}

/** Encrypts a mask; a record of the wrong shape is refused before it is written (`bad_format`). */
export function encryptMask(caseKey: CaseKey, reportId: string, maskId: string, mask: MaskRecord): RecordCiphertext {
  if (!isMaskRecord(mask)) throw new CryptoError("bad_format", "mask record has the wrong shape");
  return encryptJson(caseKey, { purpose: "mask", id: reportId, subId: maskId }, { target: mask.target, ranges: mask.ranges, reason: mask.reason });
}

export function decryptMask(caseKey: CaseKey, reportId: string, maskId: string, ct: Uint8Array): MaskRecord {
  const o = decryptJson(caseKey, { purpose: "mask", id: reportId, subId: maskId }, ct);
  if (!isMaskRecord(o)) throw new CryptoError("bad_format", "mask record has the wrong shape");
  return o;
}
