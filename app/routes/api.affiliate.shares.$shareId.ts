// GET: one share for a reviewer who holds its key, as ciphertext for the browser to open. Audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { affiliateShareView } from "../.server/sharing/affiliate-shares";
import { ApiError, handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { AFFILIATE } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const reviewer = await requireStaff(s, request, AFFILIATE);
    const shareId = params.shareId ?? "";
    if (!isUuid(shareId)) throw new ApiError(404, "not_found", "no such share");
    return json(await affiliateShareView(s, reviewer, shareId));
  });
}
