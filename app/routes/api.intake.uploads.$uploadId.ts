// GET: where an upload stands (for resuming). DELETE: abandons it and its bytes.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { abortUpload, getUploadStatus } from "../.server/intake/intake";
import { handleApi, json, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { uploadParams } from "../intake/upload-params.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const { uploadId, token } = uploadParams(request.headers, params);
    return json(await getUploadStatus(services(context), uploadId, token));
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "DELETE");
    const { uploadId, token } = uploadParams(request.headers, params);
    await abortUpload(services(context), uploadId, token);
    return new Response(null, { status: 204 });
  });
}
