// The pre-parse scan of JSON bodies (app/.server/platform/json-scan.ts, issue 16 rows 5 and 6): its limits
// cover every body the declared schemas allow; it measures depth and element count exactly as JSON.parse
// would see them, whatever the strings hold (brackets, quotes, escapes); it refuses the escape \u0000 and
// unpaired surrogate escapes, and nothing a browser's JSON.stringify makes of well-formed text.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JSON_LIMITS, scanJson, schemaShape, shapeLimits } from "../../app/.server/platform/json-scan";
import { apiEndpoints, endpointName } from "../support/api-routes";

/** Exact depth and element count of a parsed value, as the scan should count them. */
function measure(v: unknown): { depth: number; elements: number } {
  if (v === null || typeof v !== "object") return { depth: 0, elements: 0 };
  const children = Array.isArray(v) ? v : Object.values(v);
  const inner = children.map(measure);
  return { depth: 1 + Math.max(0, ...inner.map((m) => m.depth)), elements: children.length + inner.reduce((s, m) => s + m.elements, 0) };
}

const bytes = (text: string) => Buffer.from(text, "utf8");

/** A seeded generator of JSON values whose strings hold every character the scan must not mistake for structure. */
function generator(seed: number) {
  let s = seed;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pieces = ["a", "[", "]", "{", "}", ",", ":", '"', "\\", "\\u", "/", "\n", "\t", "\u0001", "한", "😀", "\u2028", " ", "0", "\\\\", '\\"'];
  const str = () => Array.from({ length: Math.floor(rnd() * 6) }, () => pick(pieces)).join("");
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 5 || r < 0.35) return pick([() => str(), () => rnd() * 1e6 - 5e5, () => Math.floor(rnd() * 10), () => true, () => false, () => null])();
    const n = Math.floor(rnd() * 5);
    if (r < 0.65) return Array.from({ length: n }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: n }, () => [str(), value(depth + 1)]));
  };
  return { value, rnd };
}

/** JSON text with every non-ASCII code unit escaped (\uXXXX, surrogate pairs as two escapes) and random whitespace. */
function asciiJson(v: unknown, rnd: () => number): string {
  const ws = () => [" ", "\n", "\t", "\r", ""][Math.floor(rnd() * 5)]!;
  const text = JSON.stringify(v, null, rnd() < 0.5 ? 0 : 1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${ws()}${text}${ws()}`;
}

describe("the JSON shape limits", () => {
  it("are what the largest valid body of a schema holds", () => {
    const item = z.strictObject({
      id: z.string(),
      tags: z
        .array(z.enum(["a", "b"]))
        .max(2)
        .optional(),
    });
    const schema = z.strictObject({
      a: z.string().nullable(),
      list: z.array(item).min(1).max(3),
      n: z.number().int().default(1),
      t: z.string().transform((x) => x.length),
      either: z.union([z.strictObject({ x: z.boolean() }), z.literal("none")]),
    });
    // Members a, list, n, t, either: 5; list: 3 items × (the item, its id and tags, tags' 2 elements) = 15; either: 1.
    const largest = { a: null, list: Array.from({ length: 3 }, () => ({ id: "i", tags: ["a", "b"] })), n: 1, t: "x", either: { x: true } };
    expect(schemaShape(schema)).toEqual({ depth: 4, elements: 5 + 15 + 1 });
    expect(measure(largest)).toEqual(schemaShape(schema));
    expect(schemaShape(z.array(z.string()))).toEqual({ depth: 1, elements: Infinity });
    expect(schemaShape(z.record(z.string()))).toEqual({ depth: Infinity, elements: Infinity });
    // Room for unknown members, under the ceilings.
    expect(shapeLimits([schema])).toEqual({ depth: JSON_LIMITS.depth, elements: 21 + 256 });
    expect(shapeLimits([z.array(z.string())])).toEqual(JSON_LIMITS);
  });

  it("bound every declared JSON endpoint below the ceilings, which cover the deepest and the largest valid body", async () => {
    let deepest = 0;
    let largest = 0;
    for (const e of (await apiEndpoints()).filter((x) => x.body === "json")) {
      const declared = e.declared.body as { shape: { depth: number; elements: number } };
      for (const schema of e.schemas) {
        const shape = schemaShape(schema);
        expect(shape.depth, `${endpointName(e)}: depth`).toBeLessThanOrEqual(JSON_LIMITS.depth);
        expect(shape.elements, `${endpointName(e)}: elements (bound every array with .max())`).toBeLessThanOrEqual(declared.shape.elements);
        deepest = Math.max(deepest, shape.depth);
        largest = Math.max(largest, shape.elements);
      }
      expect(declared.shape.elements, endpointName(e)).toBeLessThan(JSON_LIMITS.elements);
    }
    // The walk found the real bodies (4 levels and 4,414 elements when the ceilings were set, json-scan.ts).
    expect(deepest).toBeGreaterThanOrEqual(4);
    expect(largest).toBeGreaterThan(4000);
  });
});

describe("scanJson", () => {
  it("counts depth and elements exactly as the parsed value has them, whatever the strings hold", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { value, rnd } = generator(seed);
      const v = value(0);
      for (const text of [JSON.stringify(v), asciiJson(v, rnd)]) {
        expect(JSON.parse(text)).toEqual(v);
        const m = measure(v);
        const b = bytes(text);
        expect(scanJson(b, { depth: m.depth, elements: m.elements }), text).toBeNull();
        if (m.depth > 0) expect(scanJson(b, { depth: m.depth - 1, elements: Infinity }), text).toBe("too_deep");
        if (m.elements > 0) expect(scanJson(b, { depth: Infinity, elements: m.elements - 1 }), text).toBe("too_many_elements");
      }
    }
  });

  it("refuses deep nesting and huge arrays after reading only up to the limit", () => {
    // Whatever follows the limit is never looked at: here it is not even JSON.
    const deep = Buffer.concat([bytes("[".repeat(JSON_LIMITS.depth + 1)), Buffer.alloc(1 << 20, 0xff)]);
    expect(scanJson(deep)).toBe("too_deep");
    expect(scanJson(bytes('{"a":'.repeat(JSON_LIMITS.depth + 1)))).toBe("too_deep");
    expect(scanJson(bytes(`${"[".repeat(JSON_LIMITS.depth)}${"]".repeat(JSON_LIMITS.depth)}`))).toBeNull();
    expect(scanJson(bytes(`[${"0,".repeat(JSON_LIMITS.elements)}0]`))).toBe("too_many_elements");
    expect(scanJson(bytes(`[${"0,".repeat(JSON_LIMITS.elements - 1)}0]`))).toBeNull();
    expect(scanJson(bytes(`{${Array.from({ length: JSON_LIMITS.elements + 1 }, (_, i) => `"k${i}":0`).join(",")}}`))).toBe("too_many_elements");
    expect(scanJson(bytes(`[${"[],".repeat(JSON_LIMITS.elements)}[]]`))).toBe("too_many_elements");
  });

  it("leaves brackets, commas and quotes inside strings alone", () => {
    const text = JSON.stringify({ a: "[".repeat(100_000), b: ",".repeat(100_000), c: '\\"[{'.repeat(1000), d: "\\" });
    expect(scanJson(bytes(text))).toBeNull();
  });

  it.each([
    ['{"a":"\\u0000"}', "nul"],
    ['{"\\u0000":1}', "nul"],
    ['["x\\u0000y"]', "nul"],
    ['["\\ud800"]', "lone_surrogate"],
    ['["\\uDBFF"]', "lone_surrogate"],
    ['["\\udc00"]', "lone_surrogate"],
    ['["\\ud800\\ud800"]', "lone_surrogate"],
    ['["\\ud800x"]', "lone_surrogate"],
    ['["\\ud800\\n"]', "lone_surrogate"],
    ['{"\\udfff":1}', "lone_surrogate"],
    ['["\\ud83d\\ude00"]', null],
    ['["\\\\u0000"]', null],
    ['["\\\\ud800"]', null],
    ['["\\u0001\\uffff\\u00e9"]', null],
    // Malformed escapes are JSON.parse's to refuse.
    ['["\\u00"]', null],
    ['["\\uzzzz"]', null],
  ] as const)("%s: %s", (text, expected) => {
    expect(scanJson(bytes(text))).toBe(expected);
  });

  it("passes whatever JSON.stringify makes of well-formed text", () => {
    const text = JSON.stringify({ s: '😀 한국어 \u0001 \u2028 \\ " / \ud83d\ude00', n: [1.5e300, -0, 1e-7] });
    expect(scanJson(bytes(text))).toBeNull();
  });
});
