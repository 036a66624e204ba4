// Masked passages (app/staff/masks.ts, ADR 053): the pure functions that the case page, shares and the case
// export use to hide passages. Offsets are UTF-16 code units; Hangul syllables are one unit each, emoji outside
// the Basic Multilingual Plane two (a surrogate pair), which no range may cut.
import { describe, expect, it } from "vitest";
import { MASK_REASONS } from "../../db/schema/masks";
import { MASK_REASON_CODES } from "../../app/staff/mask-reasons";
import {
  applyMasks,
  checkRanges,
  findPassage,
  hiddenPassages,
  hidePassages,
  maskedText,
  maskSegments,
  MaskRangeError,
  mergeRanges,
  rangesFor,
  type MaskRange,
} from "../../app/staff/masks";

const M = "[masked]";
const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof MaskRangeError) return error.problem;
    throw error;
  }
  return "none";
};

describe("applyMasks", () => {
  it("replaces each range by the marker and keeps the rest", () => {
    expect(applyMasks("Kim Minsu was ill in May.", [[0, 9]], M)).toBe("[masked] was ill in May.");
    expect(applyMasks("abcdef", [], M)).toBe("abcdef");
    expect(applyMasks("abcdef", [[0, 6]], M)).toBe(M);
    expect(applyMasks("abcdef", [[5, 6]], M)).toBe("abcde[masked]");
  });

  it("gives one marker for overlapping, nested, adjacent and repeated ranges, whatever their order", () => {
    expect(
      applyMasks(
        "abcdefghij",
        [
          [2, 5],
          [4, 7],
        ],
        M,
      ),
    ).toBe("ab[masked]hij");
    expect(
      applyMasks(
        "abcdefghij",
        [
          [1, 9],
          [3, 4],
        ],
        M,
      ),
    ).toBe("a[masked]j");
    expect(
      applyMasks(
        "abcdefghij",
        [
          [5, 7],
          [2, 5],
        ],
        M,
      ),
    ).toBe("ab[masked]hij");
    expect(
      applyMasks(
        "abcdefghij",
        [
          [2, 3],
          [2, 3],
        ],
        M,
      ),
    ).toBe("ab[masked]defghij");
    expect(
      applyMasks(
        "abcdefghij",
        [
          [8, 9],
          [1, 2],
          [4, 5],
        ],
        M,
      ),
    ).toBe("a[masked]cd[masked]fgh[masked]j");
    expect(
      mergeRanges([
        [6, 8],
        [0, 2],
        [2, 3],
        [7, 10],
      ]),
    ).toEqual([
      [0, 3],
      [6, 10],
    ]);
  });

  it("refuses a range past the end, empty or reversed ranges, and negative or fractional offsets", () => {
    expect(problem(() => applyMasks("abc", [[1, 4]], M))).toBe("past_end");
    expect(problem(() => applyMasks("", [[0, 1]], M))).toBe("past_end");
    expect(problem(() => applyMasks("abc", [[2, 2]], M))).toBe("empty");
    expect(problem(() => applyMasks("abc", [[2, 1]], M))).toBe("empty");
    expect(problem(() => applyMasks("abc", [[-1, 1]], M))).toBe("empty");
    expect(problem(() => applyMasks("abc", [[0.5, 1]], M))).toBe("empty");
    expect(problem(() => applyMasks("abc", [[0, 3]], M))).toBe("none");
  });

  it("counts Hangul syllables as one unit and never splits a surrogate pair (emoji)", () => {
    const text = "홍길동 과장 😷 병가";
    // 홍길동(0..3) space 과장(4..6) space 😷(7..9, two units) space 병가(10..12)
    expect(text.length).toBe(12);
    expect(applyMasks(text, [[0, 3]], M)).toBe("[masked] 과장 😷 병가");
    expect(applyMasks(text, [[7, 9]], M)).toBe("홍길동 과장 [masked] 병가");
    expect(problem(() => applyMasks(text, [[8, 10]], M))).toBe("splits_pair");
    expect(problem(() => applyMasks(text, [[4, 8]], M))).toBe("splits_pair");
    // A family emoji is several code points joined by ZWJ: boundaries between its code points are allowed.
    const family = "a👨‍👩‍👧b";
    expect(applyMasks(family, [[1, family.length - 1]], M)).toBe("a[masked]b");
    expect(problem(() => checkRanges(family, [[2, 3]]))).toBe("splits_pair");
  });

  it("keeps the hidden text of each masked run for a recorded reveal", () => {
    expect(maskSegments("one two three", [[4, 7]])).toEqual([
      { kind: "text", text: "one " },
      { kind: "masked", start: 4, end: 7, hidden: "two" },
      { kind: "text", text: " three" },
    ]);
  });
});

describe("findPassage", () => {
  it("finds every occurrence, left to right, without overlaps, exactly as typed", () => {
    expect(findPassage("박지성, 그리고 박지성의 가족", "박지성")).toEqual([
      [0, 3],
      [9, 12],
    ]);
    expect(findPassage("aaaa", "aa")).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(findPassage("Kim", "kim")).toEqual([]);
    expect(findPassage("abc", "")).toEqual([]);
  });

  it("treats CR LF from a paste as the page's line break", () => {
    expect(findPassage("line one\nline two", "one\r\nline")).toEqual([[5, 13]]);
  });

  it("does not match half of a surrogate pair", () => {
    const text = "x😷y";
    expect(findPassage(text, "😷")).toEqual([[1, 3]]);
    expect(findPassage(text, "\ude37")).toEqual([]);
  });
});

describe("masks of a case", () => {
  const noteId = "00000000-0000-4000-8000-000000000001";
  const masks: { target: Parameters<typeof rangesFor>[1]; ranges: MaskRange[] }[] = [
    { target: { record: "body", field: "description" }, ranges: [[0, 3]] },
    { target: { record: "body", field: "details" }, ranges: [[0, 1]] },
    { target: { record: "note", id: noteId }, ranges: [[4, 6]] },
    { target: { record: "body", field: "description" }, ranges: [[9, 11]] },
  ];

  it("collects the ranges of one target only", () => {
    expect(rangesFor(masks, { record: "body", field: "description" })).toEqual([
      [0, 3],
      [9, 11],
    ]);
    expect(rangesFor(masks, { record: "message", id: noteId })).toEqual([]);
    expect(maskedText("홍길동은 지난달 병가", masks, { record: "body", field: "description" }, M)).toBe("[masked]은 지난달 [masked]");
  });

  it("hides the whole text when a mask does not fit it (fails closed)", () => {
    expect(maskedText("short!", masks, { record: "note", id: noteId }, M)).toBe("shor[masked]");
    expect(maskedText("abc", masks, { record: "note", id: noteId }, M)).toBe(M);
    expect(hiddenPassages("abc", masks, { record: "note", id: noteId })).toEqual(["abc"]);
  });

  it("hides the masked passages wherever they occur in a copy of the text (a share made before the mask)", () => {
    const passages = hiddenPassages("홍길동은 지난달 병가", masks, { record: "body", field: "description" });
    expect(passages).toEqual(["홍길동", "병가"]);
    expect(hidePassages("보고: 홍길동은 █████ 병가, 홍길동", passages, M)).toBe("보고: [masked]은 █████ [masked], [masked]");
    expect(hidePassages("nothing here", ["", "absent"], M)).toBe("nothing here");
  });

  it("lists the same reason codes as the database enum", () => {
    expect([...MASK_REASON_CODES]).toEqual([...MASK_REASONS]);
  });
});
