// POST: opens a resumable upload of one encrypted attachment for a report in the making.
import type { ActionFunctionArgs } from "@remix-run/node";
import { createUpload } from "../.server/intake/intake";
import { ApiError, handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { createUploadRequest } from "../intake/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const input = parseWith(createUploadRequest, await readJson(request, 4096));
    // Anonymous uploads are limited per client (keyed pseudonym, ADR 011) as well as in total (createUpload).
    const verdict = s.uploadLimiter.attempt(context.clientKey, Date.now());
    if (!verdict.ok) {
      const e = new ApiError(429, "too_many_uploads", `too many uploads; try again in ${Math.ceil(verdict.retryAfterMs / 60_000)} minutes`);
      e.retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
      throw e;
    }
    return json(await createUpload(s, { ...input, for: "new" }), { status: 201 });
  });
}
