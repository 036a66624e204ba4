// POST (administrators): unlock an account, revoke its sessions, disable or enable it.
import type { ActionFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { adminStaffOp, type StaffAdminOp } from "../.server/admin/admin";
import { ApiError, handleApi, json, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

const OPS: StaffAdminOp[] = ["unlock", "revoke-sessions", "disable", "enable"];

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    const userId = params.userId ?? "";
    const op = params.op as StaffAdminOp;
    if (!isUuid(userId) || !OPS.includes(op)) throw new ApiError(404, "not_found", "no such account or action");
    await adminStaffOp(s, admin, userId, op);
    return json({ ok: true });
  });
}
