// GET: the signed-in staff member's own latest notifications (any role), whether
// the portal e-mails at all, and their e-mail preference.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { listStaffNotifications } from "../.server/notifications/staff-notifications";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    return json(await listStaffNotifications(s, staff));
  });
}
