// POST: marks the caller's own notifications read ({} for all, or {ids}).
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { markStaffNotificationsRead } from "../.server/notifications/staff-notifications";
import { notificationsReadRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    const input = parseWith(notificationsReadRequest, await readJson(request, 8 * 1024));
    return json({ marked: await markStaffNotificationsRead(s, staff, input.ids) });
  });
}
