// Checking an API answer against its declared response schema (ADR 024), when
// API_RESPONSE_CHECK is on (development and every test portal; off in
// production by default). The check parses the answer as the client receives
// it (after JSON encoding: undefined members dropped, dates as strings) with the
// schema made strict all the way down, so an undeclared member fails too: the
// response schemas, and docs/openapi.json made from them, cannot drift from what
// the handlers answer.
//
// Response schemas are written as plain `z.object` (zod would strip an unknown
// member silently); the checker makes them strict. The document already lists
// each object's members as closed (zod-to-json-schema: additionalProperties false).
import { z, type ZodTypeAny } from "zod";

const strict = new WeakMap<ZodTypeAny, ZodTypeAny>();

/**
 * `schema` with every object strict (unknown members refused), through arrays, unions, optionals, records and the
 * like. A schema kind it cannot see through throws, so that no part of an answer escapes the check unnoticed.
 */
export function strictDeep(schema: ZodTypeAny): ZodTypeAny {
  let out = strict.get(schema);
  if (!out) {
    out = build(schema);
    strict.set(schema, out);
  }
  return out;
}

function build(s: ZodTypeAny): ZodTypeAny {
  if (s instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(s.shape as Record<string, ZodTypeAny>).map(([k, v]) => [k, strictDeep(v)]));
    return new z.ZodObject({ ...s._def, shape: () => shape, unknownKeys: "strict" });
  }
  if (s instanceof z.ZodArray) return new z.ZodArray({ ...s._def, type: strictDeep(s._def.type) });
  if (s instanceof z.ZodOptional) return new z.ZodOptional({ ...s._def, innerType: strictDeep(s._def.innerType) });
  if (s instanceof z.ZodNullable) return new z.ZodNullable({ ...s._def, innerType: strictDeep(s._def.innerType) });
  if (s instanceof z.ZodUnion) return new z.ZodUnion({ ...s._def, options: (s._def.options as ZodTypeAny[]).map(strictDeep) as [ZodTypeAny, ...ZodTypeAny[]] });
  if (s instanceof z.ZodDiscriminatedUnion) {
    const options = (s.options as z.AnyZodObject[]).map((o) => strictDeep(o) as z.AnyZodObject);
    return z.discriminatedUnion(s.discriminator as string, options as [z.AnyZodObject, ...z.AnyZodObject[]]);
  }
  if (s instanceof z.ZodRecord) return new z.ZodRecord({ ...s._def, valueType: strictDeep(s._def.valueType) });
  if (s instanceof z.ZodTuple) return new z.ZodTuple({ ...s._def, items: (s._def.items as ZodTypeAny[]).map(strictDeep) as [ZodTypeAny, ...ZodTypeAny[]] });
  if (
    s instanceof z.ZodString ||
    s instanceof z.ZodNumber ||
    s instanceof z.ZodBoolean ||
    s instanceof z.ZodLiteral ||
    s instanceof z.ZodEnum ||
    s instanceof z.ZodNull
  ) {
    return s;
  }
  throw new Error(`response schemas are checked strictly; a ${s.constructor.name} is not supported there (ADR 024)`);
}

/**
 * Why `answer` does not match `schema` once JSON-encoded, or null when it does. Only paths, issue codes and member
 * names: never a value (answers carry ciphertext, tokens and case numbers), so the text is safe to log.
 */
export function responseMismatch(schema: ZodTypeAny, answer: unknown): string | null {
  const wire: unknown = answer === undefined ? undefined : JSON.parse(JSON.stringify(answer));
  const parsed = strictDeep(schema).safeParse(wire);
  if (parsed.success) return null;
  return parsed.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join(".") || "(answer)"}: ${i.code}${i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")})` : ""}`)
    .join("; ");
}
