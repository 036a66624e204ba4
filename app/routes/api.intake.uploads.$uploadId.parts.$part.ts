// PUT: one part of an encrypted attachment, streamed to the blob store. Parts
// arrive in order; a part that failed halfway is simply sent again.
import { Readable } from "node:stream";
import type { ActionFunctionArgs } from "@remix-run/node";
import { writeUploadPart } from "../.server/intake";
import { ApiError, handleApi, json, requireMethod } from "../.server/http";
import { services } from "../.server/services";
import { uploadParams } from "../intake/upload-params.server";

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "PUT");
    const { uploadId, token } = uploadParams(request, params);
    const index = Number(params.part);
    if (!/^\d{1,7}$/.test(params.part ?? "") || !Number.isSafeInteger(index)) {
      throw new ApiError(400, "bad_part_index", "part index must be a whole number");
    }
    const length = request.headers.get("Content-Length");
    if (!request.body) throw new ApiError(400, "empty_part", "a part must not be empty");
    const body = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
    const status = await writeUploadPart(services(context), uploadId, token, index, body, length === null ? null : Number(length));
    return json(status);
  });
}
