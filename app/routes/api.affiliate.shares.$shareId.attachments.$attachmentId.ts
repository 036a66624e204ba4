// GET: the ciphertext of a file the share lists, for a reviewer who holds the share's key;
// the browser decrypts it with the file key from the share. Always a download; audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { affiliateAttachment } from "../.server/sharing/affiliate-shares";
import { attachmentDownload } from "../.server/followup/followup";
import { ApiError, handleApi } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { AFFILIATE } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const reviewer = await requireStaff(s, request, AFFILIATE);
    const shareId = params.shareId ?? "";
    const id = params.attachmentId ?? "";
    if (!isUuid(shareId) || !isUuid(id)) throw new ApiError(404, "not_found", "no such attachment");
    return attachmentDownload(await affiliateAttachment(s, reviewer, shareId, id), id);
  });
}
