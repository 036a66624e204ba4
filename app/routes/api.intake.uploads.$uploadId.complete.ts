// POST: marks an upload complete once every byte announced has arrived.
import type { ActionFunctionArgs } from "@remix-run/node";
import { completeUpload } from "../.server/intake/intake";
import { handleApi, json, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { uploadParams } from "../intake/upload-params.server";

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const { uploadId, token } = uploadParams(request.headers, params);
    return json(await completeUpload(services(context), uploadId, token));
  });
}
