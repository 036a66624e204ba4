// GET: an archived file's ciphertext for an administrator who holds the archive's key; decrypted in the browser. Audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { archiveFileBlob } from "../.server/retention/archive";
import { attachmentDownload } from "../.server/followup/followup";
import { ApiError, handleApi } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    const id = params.archiveId ?? "";
    const fileId = params.fileId ?? "";
    if (!isUuid(id) || !isUuid(fileId)) throw new ApiError(404, "not_found", "no such file");
    return attachmentDownload(await archiveFileBlob(s, admin, id, fileId), fileId);
  });
}
