// GET: an attachment's ciphertext for an investigator who holds the case's key;
// the browser decrypts it as it streams. Always a download; audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { recordContentEvent, requireCaseAccess } from "../.server/casework/casework";
import { attachmentBlob, attachmentDownload } from "../.server/followup/followup";
import { ApiError, handleApi } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { INVESTIGATOR } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, INVESTIGATOR);
    const reportId = params.reportId ?? "";
    const id = params.attachmentId ?? "";
    if (!isUuid(reportId) || !isUuid(id)) throw new ApiError(404, "not_found", "no such attachment");
    await requireCaseAccess(s, staff.id, { id: reportId });
    const blob = await attachmentBlob(s, reportId, id);
    await recordContentEvent(s, staff, reportId, "downloaded", id);
    return attachmentDownload(blob, id);
  });
}
