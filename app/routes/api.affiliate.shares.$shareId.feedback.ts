// POST: a reviewer's feedback on a share, encrypted in their browser under the share's feedback key.
import type { ActionFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { affiliateFeedback } from "../.server/sharing/affiliate-shares";
import { ApiError, handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { AFFILIATE } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { affiliateFeedbackRequest } from "../staff/wire";

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const reviewer = await requireStaff(s, request, AFFILIATE);
    const shareId = params.shareId ?? "";
    if (!isUuid(shareId)) throw new ApiError(404, "not_found", "no such share");
    const input = parseWith(affiliateFeedbackRequest, await readJson(request, 128 * 1024));
    await affiliateFeedback(s, reviewer, shareId, input);
    return json({ ok: true });
  });
}
