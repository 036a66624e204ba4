// POST: the caller's own choice between single notification e-mails and a daily digest.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { setNotificationMode } from "../.server/notifications/staff-notifications";
import { notificationPrefsRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    const input = parseWith(notificationPrefsRequest, await readJson(request, 1024));
    await setNotificationMode(s, staff, input.mode);
    return json({ mode: input.mode });
  });
}
