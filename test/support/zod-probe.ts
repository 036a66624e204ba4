// Reads a route's zod schema to make a valid baseline body, lists every field in
// it, and makes hostile variants of it, field by field: wrong JSON types,
// missing fields, oversized fields, malformed ids and enums, NUL characters,
// and truncated or tampered ciphertexts in every base64url field. A variant is
// marked `schemaValid` when the schema itself would still accept it (a
// tampered ciphertext of the right length): then the server's own checks must
// refuse it.
import { randomBytes, randomUUID } from "node:crypto";
import type { ZodTypeAny } from "zod";

export type Path = (string | number)[];

export interface FieldInfo {
  path: Path;
  kind: "object" | "array" | "b64" | "uuid" | "string" | "enum" | "number" | "boolean" | "literal" | "union" | "other";
  schema: ZodTypeAny;
  /** Inside the parent object the key may be left out. */
  optional: boolean;
  nullable: boolean;
  /** base64url fields: the byte range the schema accepts. */
  bytes?: { min: number; max: number; maxChars: number };
  /** strings: maximum length; arrays: maximum items. */
  max?: number;
  min?: number;
  enumValues?: string[];
}

interface Unwrapped {
  schema: ZodTypeAny;
  optional: boolean;
  nullable: boolean;
}

// zod 3 keeps each schema's definition untyped (`_def` differs per schema kind); this probe walks it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ZodDef = Record<string, any>;

function def(s: ZodTypeAny): ZodDef {
  return (s as unknown as { _def: ZodDef })._def;
}

/** The schema under its refinements (`.refine(…)` keeps the shape: an object, array or string with extra checks). */
function base(s: ZodTypeAny): ZodTypeAny {
  let b = s;
  while (def(b).typeName === "ZodEffects" && def(b).effect?.type === "refinement") b = def(b).schema as ZodTypeAny;
  return b;
}

function unwrap(schema: ZodTypeAny): Unwrapped {
  let s = schema;
  let optional = false;
  let nullable = false;
  for (;;) {
    const t = def(s).typeName;
    if (t === "ZodOptional") optional = true;
    else if (t === "ZodNullable") nullable = true;
    else if (t === "ZodDefault") optional = true;
    else break;
    s = def(s).innerType;
  }
  return { schema: s, optional, nullable };
}

const b64Cache = new WeakMap<ZodTypeAny, { min: number; max: number; maxChars: number } | null>();

function probeBytes(n: number): string {
  const b = Buffer.alloc(n, 0x5a);
  if (n > 0) b[0] = 1;
  return b.toString("base64url");
}

/** For a base64url transform (`b64(min, max)` in app/intake/wire.ts): the byte range it accepts. */
export function b64Range(schema: ZodTypeAny): { min: number; max: number; maxChars: number } | null {
  if (b64Cache.has(schema)) return b64Cache.get(schema)!;
  let result: { min: number; max: number; maxChars: number } | null = null;
  const d = def(schema);
  if (d.typeName === "ZodEffects" && d.effect?.type === "transform" && def(d.schema).typeName === "ZodString") {
    const maxChars = (def(d.schema).checks as { kind: string; value: number }[]).find((c) => c.kind === "max")?.value ?? 1 << 26;
    const ok = (n: number) => schema.safeParse(probeBytes(n)).success;
    const seed = [1065, 297, 130, 98, 89, 32, 41, 16, 64, 1].find((n) => Math.ceil((n * 4) / 3) <= maxChars && ok(n));
    if (seed !== undefined) {
      let lo = 0;
      let hi = seed; // smallest valid in (lo, hi]
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (ok(mid)) hi = mid;
        else lo = mid;
      }
      const min = ok(0) ? 0 : hi;
      let a = seed;
      let b = Math.floor((maxChars * 3) / 4) + 1; // largest valid in [a, b)
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (ok(mid)) a = mid;
        else b = mid;
      }
      result = { min, max: a, maxChars };
    }
  }
  b64Cache.set(schema, result);
  return result;
}

function kindOf(s: ZodTypeAny): FieldInfo["kind"] {
  const d = def(s);
  switch (d.typeName) {
    case "ZodObject":
      return "object";
    case "ZodArray":
      return "array";
    case "ZodString":
      return "string";
    case "ZodEnum":
      return "enum";
    case "ZodNumber":
      return "number";
    case "ZodBoolean":
      return "boolean";
    case "ZodLiteral":
      return "literal";
    case "ZodUnion":
      return "union";
    case "ZodEffects":
      if (b64Range(s)) return "b64";
      if (s.safeParse(randomUUID()).success && !s.safeParse("not-a-uuid").success) return "uuid";
      // A refined object, array or string (unique items, base64url text of a fixed length…) is probed as what it refines.
      if (d.effect?.type === "refinement") return kindOf(base(s));
      return "other";
    default:
      return "other";
  }
}

function info(schema: ZodTypeAny, path: Path): FieldInfo {
  const u = unwrap(schema);
  const kind = kindOf(u.schema);
  const d = def(kind === "uuid" ? u.schema : base(u.schema));
  const out: FieldInfo = { path, kind, schema: u.schema, optional: u.optional, nullable: u.nullable };
  if (kind === "b64") out.bytes = b64Range(u.schema)!;
  if (kind === "string") {
    for (const c of d.checks as { kind: string; value: number }[]) {
      if (c.kind === "max" || c.kind === "length") out.max = c.value;
      if (c.kind === "min" || c.kind === "length") out.min = c.value;
    }
  }
  if (kind === "array") {
    out.max = d.maxLength?.value ?? d.exactLength?.value;
    out.min = d.minLength?.value ?? d.exactLength?.value ?? 0;
  }
  if (kind === "enum") out.enumValues = d.values as string[];
  return out;
}

/** A record-shaped ciphertext: version byte 1, then filler. 41 + 1024 bytes fits every padding block. */
export function recordBytes(n: number): Buffer {
  const b = randomBytes(n);
  if (n > 0) b[0] = 1;
  return b;
}

export type Hint = (path: Path, field: FieldInfo) => unknown;
/** A hint that leaves an optional field out of the baseline. */
export const OMIT = Symbol("omit");

/** A value the schema accepts, preferring hinted (real) ids and values where they fit. */
export function sample(schema: ZodTypeAny, hint: Hint = () => undefined, path: Path = []): unknown {
  const f = info(schema, path);
  const h = hint(path, f);
  if (h !== undefined && f.schema.safeParse(h).success) return h;
  const s = f.schema;
  const d = def(f.kind === "uuid" ? s : base(s));
  switch (f.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(d.shape() as Record<string, ZodTypeAny>)) {
        const ci = info(child, [...path, k]);
        if (ci.optional && hint([...path, k], ci) === OMIT) continue;
        out[k] = sample(child, hint, [...path, k]);
      }
      return out;
    }
    case "array": {
      const n = Math.max(1, f.min ?? 0);
      return Array.from({ length: n }, (_, i) => sample(d.type as ZodTypeAny, hint, [...path, i]));
    }
    case "b64": {
      const { min, max } = f.bytes!;
      const n = min === max ? min : ([1065, 297, 89].find((x) => x >= min && x <= max) ?? min);
      return recordBytes(n).toString("base64url");
    }
    case "uuid":
      return randomUUID();
    case "string": {
      // The last: base64url text of a fixed length (staff key material, `b64Text`).
      const b64Text = f.min !== undefined && f.min === f.max ? probeBytes(Math.floor((f.min * 3) / 4)) : "";
      const candidates = ["probe@okestro.example", "123456", "2031-01-01", "probe", "ABCDE-FGHIJ-KLMNO", "A".repeat(f.min ?? 1), b64Text];
      const hit = candidates.find((c) => s.safeParse(c).success);
      if (hit === undefined) throw new Error(`no sample string for ${path.join(".")}`);
      return hit;
    }
    case "enum":
      return f.enumValues![0];
    case "number":
      return [1065, 2, 1, 0].find((n) => s.safeParse(n).success) ?? 1;
    case "boolean":
      return true;
    case "literal":
      return d.value;
    case "union":
      return sample((d.options as ZodTypeAny[])[0]!, hint, path);
    default:
      throw new Error(`cannot make a sample for ${path.join(".") || "(body)"} (${d.typeName})`);
  }
}

/** Every field of a value made by `sample`, with the schema that governs it (unions: the first option). */
export function fields(schema: ZodTypeAny, value: unknown, path: Path = []): FieldInfo[] {
  const f = info(schema, path);
  const out: FieldInfo[] = path.length ? [f] : [];
  const d = def(base(f.schema));
  if (f.kind === "object" && value && typeof value === "object") {
    for (const [k, child] of Object.entries(d.shape() as Record<string, ZodTypeAny>)) {
      if (!Object.hasOwn(value, k)) continue;
      out.push(...fields(child, (value as Record<string, unknown>)[k], [...path, k]));
    }
  } else if (f.kind === "array" && Array.isArray(value) && value.length) {
    out.push(...fields(d.type as ZodTypeAny, value[0], [...path, 0]));
  } else if (f.kind === "union") {
    out.splice(out.indexOf(f), 1);
    out.push(...fields((d.options as ZodTypeAny[])[0]!, value, path));
  }
  return out;
}

const clone = <T>(v: T): T => structuredClone(v);

export function setAt(value: unknown, path: Path, next: unknown): unknown {
  if (!path.length) return next;
  const root = clone(value) as Record<string | number, unknown>;
  let cur = root;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = next;
  return root;
}

export function deleteAt(value: unknown, path: Path): unknown {
  const root = clone(value) as Record<string | number, unknown>;
  let cur = root;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  delete cur[path[path.length - 1]!];
  return root;
}

export function getAt(value: unknown, path: Path): unknown {
  let cur = value as Record<string | number, unknown>;
  for (const k of path) cur = cur?.[k] as Record<string | number, unknown>;
  return cur;
}

export interface Variant {
  /** What was done, e.g. `title: version byte 0x02`. */
  label: string;
  category: "wrong type" | "missing field" | "oversized field" | "malformed value" | "NUL character" | "ciphertext" | "unknown field";
  body: unknown;
  /** The schema alone would accept it: the server's own checks have to refuse it. */
  schemaValid: boolean;
  /** "unknown field": the dotted path of the member the refusal must name. */
  unknown?: string;
}

/** The member an "unknown field" variant adds. */
export const UNKNOWN_MEMBER = "probeUnknown";

/** Fields whose bytes carry no version or structure the server could check (a look-up value is any 32 bytes). */
export interface VariantOptions {
  opaque?: (path: Path) => boolean;
}

function b64Tampers(text: string, f: FieldInfo, opaque: boolean): [string, string][] {
  const bytes = Buffer.from(text, "base64url");
  const withFirst = (v: number) => {
    const b = Buffer.from(bytes);
    b[0] = v;
    return b.toString("base64url");
  };
  const out: [string, string][] = [];
  if (!opaque && bytes.length > 0) out.push(["version byte 0x02", withFirst(2)], ["version byte 0x00", withFirst(0)], ["version byte 0xff", withFirst(0xff)]);
  if (bytes.length > 16) out.push(["tag cut off (16 bytes short)", bytes.subarray(0, bytes.length - 16).toString("base64url")]);
  out.push(
    ["truncated to half", bytes.subarray(0, Math.floor(bytes.length / 2)).toString("base64url")],
    ["truncated to 40 bytes", bytes.subarray(0, Math.min(40, bytes.length - 1)).toString("base64url")],
    ["truncated to 1 byte", bytes.subarray(0, 1).toString("base64url")],
    ["empty", ""],
    ["one byte too many", Buffer.concat([bytes, Buffer.from([0])]).toString("base64url")],
    ["padded standard base64", bytes.toString("base64").replace(/=*$/, "==")],
    ["not base64 (spaces and %)", `${text.slice(0, 8)} %% ${text.slice(8)}`],
    ["non-ASCII characters", `${text.slice(0, -2)}é한`],
  );
  if (f.bytes && f.bytes.max < 1 << 20) out.push(["more bytes than allowed", recordBytes(f.bytes.max + 1).toString("base64url")]);
  return out;
}

/** Hostile variants of a valid body, field by field. */
export function variants(schemas: ZodTypeAny[], baseline: unknown, options: VariantOptions = {}): Variant[] {
  const schema = schemas[0]!;
  const accepts = (body: unknown) => schemas.some((s) => s.safeParse(body).success);
  if (!accepts(baseline)) throw new Error(`baseline does not satisfy its own schema: ${JSON.stringify(schema.safeParse(baseline).error?.issues)}`);
  const out: Variant[] = [];
  const add = (label: string, category: Variant["category"], body: unknown, requireInvalid: boolean) => {
    const schemaValid = accepts(body);
    if (requireInvalid && schemaValid) return;
    out.push({ label, category, body, schemaValid });
  };
  // A member the schema does not name, in the body itself and in every object inside it (request schemas are
  // strict: it must be refused and named, not dropped).
  const objects: Path[] = [
    [],
    ...fields(schema, baseline)
      .filter((f) => f.kind === "object")
      .map((f) => f.path),
  ];
  for (const p of objects) {
    const at = [...p, UNKNOWN_MEMBER];
    out.push({
      label: `${at.join(".")}: unknown member`,
      category: "unknown field",
      body: setAt(baseline, at, "probe"),
      schemaValid: accepts(setAt(baseline, at, "probe")),
      unknown: at.join("."),
    });
  }
  for (const f of fields(schema, baseline)) {
    const name = f.path.join(".");
    const value = getAt(baseline, f.path);
    // Wrong JSON types (each that the schema refuses).
    const wrong: [string, unknown][] = [
      ["null", null],
      ["number", 0],
      ["boolean", true],
      ["string", "probe"],
      ["array", []],
      ["object", {}],
    ];
    if (f.kind === "number") wrong.push(["fraction", 1.5], ["negative", -1], ["numeric string", String(value)]);
    if (f.kind === "boolean" || f.kind === "literal") wrong.push(['string "true"', "true"], ["number 1", 1]);
    for (const [label, v] of wrong) add(`${name}: wrong type (${label})`, "wrong type", setAt(baseline, f.path, v), true);
    // Missing.
    if (typeof f.path[f.path.length - 1] === "string") add(`${name}: missing`, "missing field", deleteAt(baseline, f.path), true);
    // Oversized.
    if (f.kind === "string" && f.max !== undefined)
      add(`${name}: ${f.max + 1} characters`, "oversized field", setAt(baseline, f.path, "x".repeat(f.max + 1)), false);
    if (f.kind === "string") add(`${name}: 1 MiB string`, "oversized field", setAt(baseline, f.path, "x".repeat(1 << 20)), false);
    if (f.kind === "b64")
      add(`${name}: ${f.bytes!.maxChars + 1} characters`, "oversized field", setAt(baseline, f.path, "A".repeat(f.bytes!.maxChars + 1)), false);
    if (f.kind === "array" && f.max !== undefined && f.max <= 1000) {
      const first = (value as unknown[])[0];
      add(
        `${name}: ${f.max + 1} items`,
        "oversized field",
        setAt(
          baseline,
          f.path,
          Array.from({ length: f.max + 1 }, () => clone(first ?? null)),
        ),
        false,
      );
    }
    if (f.kind === "number") {
      add(`${name}: 2^53 + 2`, "oversized field", setAt(baseline, f.path, 2 ** 53 + 2), false);
      add(`${name}: 1e308`, "oversized field", setAt(baseline, f.path, 1e308), false);
    }
    // Malformed ids, enum values and formats.
    if (f.kind === "uuid") {
      const u = String(value);
      for (const [label, v] of [
        ["upper-case uuid", u.toUpperCase()],
        ["uuid without dashes", u.replace(/-/g, "")],
        ["uuid in braces", `{${u}}`],
        ["uuid with trailing newline", `${u}\n`],
        ["not a uuid", "not-a-uuid"],
        ["path traversal", "../../../etc/passwd"],
        ["empty string", ""],
      ] as [string, string][])
        add(`${name}: ${label}`, "malformed value", setAt(baseline, f.path, v), false);
    }
    if (f.kind === "enum") {
      for (const [label, v] of [
        ["unknown enum value", "probe_unknown"],
        ["enum value in upper case", String(value).toUpperCase()],
        ["enum value with a space", `${value} `],
        ["empty string", ""],
      ] as [string, string][])
        add(`${name}: ${label}`, "malformed value", setAt(baseline, f.path, v), true);
    }
    if (f.kind === "string" && typeof value === "string") {
      // Inside the length limits: only the NUL itself is wrong. PostgreSQL text cannot hold it.
      const v = value.length > 1 ? `${value.slice(0, 1)}\u0000${value.slice(2)}` : "\u0000";
      add(`${name}: NUL character`, "NUL character", setAt(baseline, f.path, v), false);
      if (f.min === undefined || f.min > 0) add(`${name}: empty string`, "malformed value", setAt(baseline, f.path, ""), true);
    }
    if (f.kind === "b64") {
      for (const [label, v] of b64Tampers(String(value), f, options.opaque?.(f.path) ?? false))
        add(`${name}: ${label}`, "ciphertext", setAt(baseline, f.path, v), false);
    }
  }
  return out;
}

/** Members a client must not be able to slip in: prototype pollution and mass assignment (key, JSON value). */
export const EXTRA_FIELDS: [string, string][] = [
  ["__proto__", '{"polluted":"yes"}'],
  ["constructor", '{"prototype":{"polluted":"yes"}}'],
  ["role", '"admin"'],
  ["status", '"closed"'],
  ["isAdmin", "true"],
  ["staffUserId", '"00000000-0000-4000-8000-000000000000"'],
  ["reportId", '"00000000-0000-4000-8000-000000000000"'],
  ["caseNumber", '"COR-0000-0000"'],
];

/** JSON text of `value` with the extra members added to every object in it that lacks them ("__proto__" as a real key). */
export function withExtraFieldsJson(value: unknown): string {
  const visit = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(visit).join(",")}]`;
    if (v && typeof v === "object") {
      const inner = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}:${visit(x)}`);
      const extra = EXTRA_FIELDS.filter(([k]) => !Object.hasOwn(v, k)).map(([k, x]) => `${JSON.stringify(k)}:${x}`);
      return `{${[...inner, ...extra].join(",")}}`;
    }
    return JSON.stringify(v);
  };
  return visit(value);
}
