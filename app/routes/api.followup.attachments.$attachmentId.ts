// GET: one attachment's ciphertext, for the reporter's browser to decrypt.
// Always a download, never rendered: Content-Disposition attachment here, and
// X-Content-Type-Options nosniff on every response (server/security-headers.ts).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { attachmentBlob, attachmentDownload, requireReporterSession } from "../.server/followup/followup";
import { ApiError, handleApi } from "../.server/platform/http";
import { services } from "../.server/platform/services";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const id = params.attachmentId ?? "";
    if (!isUuid(id)) throw new ApiError(404, "not_found", "no such attachment in this case");
    const blob = await attachmentBlob(s, reportId, id);
    return attachmentDownload(blob, id);
  });
}
