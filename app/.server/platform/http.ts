// HTTP helpers for resource routes: typed API errors with a stable code, JSON
// bodies read with a hard size limit, and schema validation that names fields.
//
// - An `ApiError` becomes `{"error": {"code", "message", "fields"?}}` with its
//   status and `Cache-Control: no-store`; 413 and 415 also close the
//   connection, since the body was not read.
// - JSON bodies must be `application/json` (415 `unsupported_media_type`) and
//   within the route's declared limit (413 `too_large`), checked against
//   `Content-Length` before reading and again while reading. Before parsing,
//   their bytes are scanned for depth and element count (400 `json_too_deep`,
//   `json_too_many_elements`: json-scan.ts), and for a NUL character or an
//   unpaired surrogate, which PostgreSQL text cannot hold (400 `bad_json`).
//   Bodies are decoded as strict UTF-8.
// - Schema failures are 400 `invalid_request` with `fields` naming each path
//   (`{"envelopes.0.role": "unknown field"}`, `__proto__` included).
// - A database that cannot be reached is 503 `unavailable` with `Retry-After`,
//   not 500; the reporter's clients retry it like any 5xx and then say the
//   portal is briefly unavailable.
import type { z } from "zod";
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from "../../../db/unavailable";
import type { ApiErrorBody } from "../../intake/wire";
import type { PowAction } from "../../shared/pow-wire";
import { JSON_LIMITS, scanJson, type JsonLimits, type JsonScanRefusal } from "./json-scan";

export class ApiError extends Error {
  retryAfterSeconds?: number;
  /** A 429 that a solved proof of work for this action lets past (ADR 035): named in the body. */
  proofOfWork?: PowAction;
  /** For a 405: the methods the route does take (the `Allow` header). */
  allow?: string[];
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

const NO_STORE = { "Cache-Control": "no-store" };

export function json<T>(data: T, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  for (const [k, v] of Object.entries(NO_STORE)) headers.set(k, v);
  return new Response(JSON.stringify(data), { ...init, headers });
}

export function errorResponse(error: ApiError): Response {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message, fields: error.fields, proofOfWork: error.proofOfWork } };
  const headers: Record<string, string> = {};
  // A body refused unread leaves the connection unusable for the next request: close it.
  if (error.status === 413 || error.status === 415) headers.Connection = "close";
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  if (error.allow) headers.Allow = error.allow.join(", ");
  return json(body, { status: error.status, headers });
}

/** The answer while the database cannot be reached: 503, try again shortly. Nothing of the request is logged. */
export function unavailableError(cause: unknown): ApiError {
  const e = new ApiError(503, "unavailable", "the service is briefly unavailable; try again in a few seconds", undefined, { cause });
  e.retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS;
  return e;
}

/**
 * Runs an API handler; ApiErrors become their JSON answer, a database that cannot be reached (db/unavailable.ts)
 * 503 `unavailable` with Retry-After, and anything else rethrows to the 500 path.
 */
export async function handleApi(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    if (isDatabaseUnavailable(error)) return errorResponse(unavailableError(error));
    throw error;
  }
}

/**
 * Past a body's limit, what is still being sent is read and dropped, up to this many bytes more and for this
 * long, so the client gets its 413 instead of a reset connection (cancelling the stream destroys the socket
 * before any answer is written); beyond that the stream is cancelled.
 */
const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 2000;

async function drainThenCancel(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<void> {
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, DRAIN_MS, "timeout")));
  try {
    while (dropped <= Math.max(DRAIN_BYTES, limit)) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") break;
      if (next.done) return;
      dropped += next.value.length;
    }
  } catch {
    return;
  } finally {
    clearTimeout(timer);
  }
  await reader.cancel().catch(() => {});
}

/** Reads at most `limit` bytes of a body; a larger one is refused without reading it all. */
export async function readBounded(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new ApiError(413, "too_large", `request body exceeds ${limit} bytes`);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await drainThenCancel(reader, limit);
      throw new ApiError(413, "too_large", `request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

// ignoreBOM keeps a byte order mark in the text, so JSON.parse refuses it as before.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const SCAN_REFUSALS: Record<JsonScanRefusal, (l: JsonLimits) => ApiError> = {
  too_deep: (l) => new ApiError(400, "json_too_deep", `request body nests deeper than ${l.depth} levels`),
  too_many_elements: (l) => new ApiError(400, "json_too_many_elements", `request body holds more than ${l.elements} array elements and object members`),
  nul: () => new ApiError(400, "bad_json", "request body holds a NUL character"),
  lone_surrogate: () => new ApiError(400, "bad_json", "request body holds an unpaired UTF-16 surrogate"),
};

/**
 * Reads at most `limit` bytes of a JSON body (a larger body is refused without reading it all), and parses it only
 * if its shape is within `shape` (json-scan.ts: checked on the bytes, so a hostile body costs a scan, not a parse).
 */
export async function readJson(request: Request, limit: number, shape: JsonLimits = JSON_LIMITS): Promise<unknown> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new ApiError(415, "unsupported_media_type", "send application/json");
  }
  if (!request.body) throw new ApiError(400, "empty_body", "request body is empty");
  const body = await readBounded(request, limit);
  const refusal = scanJson(body, shape);
  if (refusal) throw SCAN_REFUSALS[refusal](shape);
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch (cause) {
    throw new ApiError(400, "bad_json", "request body is not valid UTF-8", undefined, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ApiError(400, "bad_json", "request body is not valid JSON", undefined, { cause });
  }
  return value;
}

/**
 * Validates a request body against its schema. Request schemas are strict (z.strictObject at every level): a
 * member the schema does not name is refused, not dropped, and named in `fields` as "unknown field".
 */
export function parseWith<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // No prototype: an unknown member may be called "__proto__", and it must be named like any other.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[[...issue.path, key].join(".")] ??= "unknown field";
      continue;
    }
    const key = issue.path.join(".") || "(body)";
    fields[key] ??= issue.message;
  }
  throw new ApiError(400, "invalid_request", `invalid fields: ${Object.keys(fields).join(", ")}`, fields);
}
