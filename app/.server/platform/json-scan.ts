// The shape limits of a JSON body, checked on its bytes before JSON.parse
// (issue 16 rows 5 and 6, ADR 029). V8's JSON.parse spends about half a second
// on 1 MiB of nested `[` and tens of milliseconds on half a million array
// elements, on the main thread; this scan refuses such a body after reading
// at most `depth` + 1 brackets or `elements` + 1 commas, in one pass without
// allocating. It tracks only what it needs: whether it is inside a string
// (and after a backslash), how many containers are open, and how many array
// elements and object members it has seen. Anything else that is not JSON
// is left to JSON.parse, which then costs little since the shape is bounded.
//
// The element limit of each endpoint is derived from its schema
// (`shapeLimits`): what the largest valid body holds, plus room for the extra
// members a schema refuses by name; a body beyond that could only be refused
// after a parse and a validation that cost more than the largest valid one.
//
// While inside strings it also refuses what PostgreSQL text cannot hold and
// a browser's JSON.stringify never sends: the escape \u0000 and an unpaired
// UTF-16 surrogate escape (raw NUL and raw surrogates are refused by
// JSON.parse and the strict UTF-8 decoder).

import type { AnyZodObject, ZodTypeAny } from "zod";

export interface JsonLimits {
  /** Containers open at once: `{"a":[{}]}` is 3 deep. */
  depth: number;
  /** Array elements plus object members in the whole body. */
  elements: number;
}

/**
 * The ceilings for every JSON endpoint. The deepest body a schema allows is 4 levels (an activation: accounts, each
 * with its keys) and the most elements 4,414 (a submission with 1,000 envelopes, 1,000 exclusions and 100
 * attachments); test/unit/json-scan.test.ts derives both from the declared schemas and fails if a schema
 * outgrows these. Each endpoint's own element limit is lower (`shapeLimits`).
 */
export const JSON_LIMITS: JsonLimits = { depth: 8, elements: 10_000 };

/** Elements beyond what a schema allows that still reach it, so that unknown members are named, not counted. */
const UNKNOWN_MEMBER_ROOM = 256;

/** The deepest nesting and the most array elements plus object members a schema accepts (Infinity: unbounded). */
export function schemaShape(schema: ZodTypeAny): JsonLimits {
  const def = schema._def as { typeName?: string } & Record<string, unknown>;
  switch (def.typeName) {
    case "ZodObject": {
      const members = Object.values((schema as AnyZodObject).shape as Record<string, ZodTypeAny>).map(schemaShape);
      return { depth: 1 + Math.max(0, ...members.map((m) => m.depth)), elements: members.reduce((sum, m) => sum + 1 + m.elements, 0) };
    }
    case "ZodArray": {
      const item = schemaShape(def.type as ZodTypeAny);
      const max = (def.maxLength as { value: number } | null)?.value ?? Infinity;
      return { depth: 1 + item.depth, elements: max * (1 + item.elements) };
    }
    case "ZodOptional":
    case "ZodNullable":
    case "ZodDefault":
    case "ZodReadonly":
      return schemaShape(def.innerType as ZodTypeAny);
    case "ZodEffects":
      return schemaShape(def.schema as ZodTypeAny);
    case "ZodPipeline":
      return schemaShape(def.in as ZodTypeAny);
    case "ZodBranded":
      return schemaShape(def.type as ZodTypeAny);
    case "ZodUnion":
    case "ZodDiscriminatedUnion": {
      const options = [...(def.options as Iterable<ZodTypeAny>)].map(schemaShape);
      return { depth: Math.max(...options.map((o) => o.depth)), elements: Math.max(...options.map((o) => o.elements)) };
    }
    case "ZodString":
    case "ZodNumber":
    case "ZodBigInt":
    case "ZodBoolean":
    case "ZodDate":
    case "ZodEnum":
    case "ZodNativeEnum":
    case "ZodLiteral":
    case "ZodNull":
      return { depth: 0, elements: 0 };
    default:
      // A record, tuple, any, lazy…: not bounded here; the ceilings apply.
      return { depth: Infinity, elements: Infinity };
  }
}

/** An endpoint's limits: the ceilings, and no more elements than its largest valid body holds plus room for unknown members. */
export function shapeLimits(schemas: readonly ZodTypeAny[]): JsonLimits {
  const elements = Math.max(...schemas.map((s) => schemaShape(s).elements));
  return { depth: JSON_LIMITS.depth, elements: Math.min(JSON_LIMITS.elements, elements + UNKNOWN_MEMBER_ROOM) };
}

export type JsonScanRefusal = "too_deep" | "too_many_elements" | "nul" | "lone_surrogate";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const U = 0x75;

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The code unit of four hex digits at `i`, or -1 (malformed: left to JSON.parse). */
function hex4(b: Uint8Array, i: number): number {
  const a = hexDigit(b[i]);
  const c = hexDigit(b[i + 1]);
  const d = hexDigit(b[i + 2]);
  const e = hexDigit(b[i + 3]);
  return a < 0 || c < 0 || d < 0 || e < 0 ? -1 : (a << 12) | (c << 8) | (d << 4) | e;
}

/** Why a JSON body's bytes are refused before parsing, or null. Linear in the bytes read; reads no further than the refusal. */
export function scanJson(b: Uint8Array, limits: JsonLimits = JSON_LIMITS): JsonScanRefusal | null {
  const n = b.length;
  let depth = 0;
  let elements = 0;
  // Just after `[` or `{`: the next token, unless it closes the container, is its first element or member.
  let opened = false;
  let i = 0;
  while (i < n) {
    const c = b[i++]!;
    if (c === QUOTE) {
      if (opened) {
        opened = false;
        if (++elements > limits.elements) return "too_many_elements";
      }
      while (i < n) {
        const s = b[i++]!;
        if (s === QUOTE) break;
        if (s !== BACKSLASH || i >= n) continue;
        if (b[i++] !== U) continue;
        const unit = hex4(b, i);
        if (unit < 0) continue;
        i += 4;
        if (unit === 0) return "nul";
        if (unit >= 0xdc00 && unit <= 0xdfff) return "lone_surrogate";
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = b[i] === BACKSLASH && b[i + 1] === U ? hex4(b, i + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) return "lone_surrogate";
          i += 6;
        }
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (opened && ++elements > limits.elements) return "too_many_elements";
      if (++depth > limits.depth) return "too_deep";
      opened = true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
      opened = false;
    } else if (c === COMMA) {
      if (++elements > limits.elements) return "too_many_elements";
    } else if (opened && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      // A number or a literal as the first element.
      opened = false;
      if (++elements > limits.elements) return "too_many_elements";
    }
  }
  return null;
}
