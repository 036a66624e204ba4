// POST: an administrator who holds an archive's key seals it to another active administrator.
import type { ActionFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { grantArchive } from "../.server/retention/archive";
import { ApiError, handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { archiveGrantRequest } from "../staff/wire";

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    const id = params.archiveId ?? "";
    if (!isUuid(id)) throw new ApiError(404, "not_found", "no such archive");
    await grantArchive(s, admin, id, parseWith(archiveGrantRequest, await readJson(request, 16 * 1024)));
    return json({ ok: true });
  });
}
