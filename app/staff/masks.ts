// Masked passages (ADR 053): the pure functions that hide them in a text, find a typed passage in one, and
// open a case's mask records. Offsets are UTF-16 code units into the decrypted text (JavaScript string
// indices), ranges half-open [start, end). A range never ends past the text and never cuts a surrogate pair
// (an emoji or another character outside the Basic Multilingual Plane) in two: either is refused, not mended,
// because a range that does not fit was not made for this text. Platform-independent: the case page, the
// case export and the tests call the same code.
import { decryptMask, fromBase64Url, type CaseKey, type MaskRange, type MaskRecord, type MaskTarget } from "../../crypto";
import { attempt } from "./decrypt";

export type { MaskRange, MaskTarget } from "../../crypto";

export type MaskRangeProblem = "past_end" | "splits_pair" | "empty";

/** A range that does not fit the text it is applied to. */
export class MaskRangeError extends Error {
  readonly problem: MaskRangeProblem;
  constructor(problem: MaskRangeProblem, range: MaskRange, length: number) {
    super(`mask range [${range[0]}, ${range[1]}) does not fit a text of ${length} code units: ${problem}`);
    this.name = "MaskRangeError";
    this.problem = problem;
  }
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Whether offset `i` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/** Throws MaskRangeError for the first range that does not fit `text`. */
export function checkRanges(text: string, ranges: readonly MaskRange[]): void {
  for (const r of ranges) {
    const [start, end] = r;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start >= end) throw new MaskRangeError("empty", r, text.length);
    if (end > text.length) throw new MaskRangeError("past_end", r, text.length);
    if (splitsPair(text, start) || splitsPair(text, end)) throw new MaskRangeError("splits_pair", r, text.length);
  }
}

/** The ranges sorted, with overlapping and touching ones joined: each run of masked text becomes one marker. */
export function mergeRanges(ranges: readonly MaskRange[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** A run of the text as staff see it: shown, or masked (with the hidden text, for a recorded reveal only). */
export type MaskSegment = { kind: "text"; text: string } | { kind: "masked"; start: number; end: number; hidden: string };

/** The text cut into shown and masked runs; throws MaskRangeError for a range that does not fit. */
export function maskSegments(text: string, ranges: readonly MaskRange[]): MaskSegment[] {
  checkRanges(text, ranges);
  const out: MaskSegment[] = [];
  let at = 0;
  for (const [s, e] of mergeRanges(ranges)) {
    if (s > at) out.push({ kind: "text", text: text.slice(at, s) });
    out.push({ kind: "masked", start: s, end: e, hidden: text.slice(s, e) });
    at = e;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
  return out;
}

/**
 * The text with every masked run replaced by `marker` (overlapping or adjacent ranges give one marker).
 * For anything that leaves the case page as text: shares with affiliates, the case export.
 * Throws MaskRangeError for a range past the end or inside a surrogate pair.
 */
export function applyMasks(text: string, ranges: readonly MaskRange[], marker: string): string {
  return maskSegments(text, ranges)
    .map((s) => (s.kind === "text" ? s.text : marker))
    .join("");
}

/**
 * Where `passage` occurs in `text`, as ranges, left to right and not overlapping. The comparison is exact
 * (what the investigator selected or pasted); line endings are normalised to "\n" as the page shows them.
 */
export function findPassage(text: string, passage: string): [number, number][] {
  const p = passage.replace(/\r\n?/g, "\n");
  if (p.length === 0) return [];
  const out: [number, number][] = [];
  for (let i = text.indexOf(p); i !== -1; i = text.indexOf(p, i + p.length)) {
    if (!splitsPair(text, i) && !splitsPair(text, i + p.length)) out.push([i, i + p.length]);
  }
  return out;
}

/** A mask as the case page holds it: its record opened, with the row's author and time. */
export interface OpenMask extends MaskRecord {
  id: string;
  staffUserId: string;
  createdAt: string;
}

export interface MaskRow {
  id: string;
  staffUserId: string;
  body: string;
  createdAt: string;
}

/** Opens a case's masks under the case key; the ids of those that do not open are returned apart. */
export function openMasks(caseKey: CaseKey, reportId: string, rows: readonly MaskRow[]): { masks: OpenMask[]; unreadable: string[] } {
  const masks: OpenMask[] = [];
  const unreadable: string[] = [];
  for (const row of rows) {
    const record = attempt(() => decryptMask(caseKey, reportId, row.id, fromBase64Url(row.body)));
    if (record) masks.push({ ...record, id: row.id, staffUserId: row.staffUserId, createdAt: row.createdAt });
    else unreadable.push(row.id);
  }
  return { masks, unreadable };
}

/** One string per target: "body:description", "message:<id>", "note:<id>". */
export function targetKey(t: MaskTarget): string {
  return t.record === "body" ? `body:${t.field}` : `${t.record}:${t.id}`;
}

export function sameTarget(a: MaskTarget, b: MaskTarget): boolean {
  return targetKey(a) === targetKey(b);
}

/** Every range that masks a passage of `target`. */
export function rangesFor(masks: readonly Pick<OpenMask, "target" | "ranges">[], target: MaskTarget): MaskRange[] {
  return masks.filter((m) => sameTarget(m.target, target)).flatMap((m) => m.ranges);
}

/**
 * The text with the masks of `target` applied. A mask that does not fit the text (a faulty or hostile writer)
 * hides the whole text: failing closed shows less, never a passage someone meant to hide.
 */
export function maskedText(text: string, masks: readonly Pick<OpenMask, "target" | "ranges">[], target: MaskTarget, marker: string): string {
  try {
    return applyMasks(text, rangesFor(masks, target), marker);
  } catch (error) {
    if (error instanceof MaskRangeError) return marker;
    throw error;
  }
}

/**
 * `text` with every occurrence of each hidden passage replaced by `marker`, longest first. For texts that were
 * copied out of the case before a mask was made (a share package's fields, which may also carry redactions of
 * their own), where the mask's offsets no longer point: the passage itself is what must not be shown.
 */
export function hidePassages(text: string, passages: readonly string[], marker: string): string {
  let out = text;
  for (const p of [...new Set(passages)].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(p).join(marker);
  return out;
}

/** The passages that the masks of `target` hide in `text` (those that fit it). */
export function hiddenPassages(text: string, masks: readonly Pick<OpenMask, "target" | "ranges">[], target: MaskTarget): string[] {
  try {
    return maskSegments(text, rangesFor(masks, target)).flatMap((s) => (s.kind === "masked" ? [s.hidden] : []));
  } catch (error) {
    if (error instanceof MaskRangeError) return [text];
    throw error;
  }
}
