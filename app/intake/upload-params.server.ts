import type { Params } from "@remix-run/react";
import { isUuid } from "../../crypto/encoding";
import { ApiError } from "../.server/platform/http";
import type { Guard } from "../.server/platform/api-route";
import { UPLOAD_TOKEN_HEADER } from "./limits";

/** Reads one request header: a web Request's `headers`, or an Express request. */
interface HeaderSource {
  get(name: string): string | string[] | null | undefined;
}

/** The upload id from the path and its capability token from the header, checked for shape. */
export function uploadParams(headers: HeaderSource, params: Params): { uploadId: string; token: string | null } {
  const uploadId = params.uploadId ?? "";
  if (!isUuid(uploadId)) throw new ApiError(404, "upload_not_found", "no such upload");
  const token = headers.get(UPLOAD_TOKEN_HEADER);
  return { uploadId, token: typeof token === "string" && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null };
}

/** The guard of the upload routes (ADR 024): the upload's capability token for the upload the path names; a malformed id or token answers 404. */
export const uploadToken: Guard<{ uploadId: string; token: string | null }> = {
  caller: "upload",
  auth: "uploadToken",
  refusals: [{ status: 404, code: "upload_not_found" }],
  check: ({ request, params }) => uploadParams(request.headers, params),
};
