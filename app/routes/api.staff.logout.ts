// POST: ends the staff session.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { clearStaffCookie, logoutStaff } from "../.server/staff/auth";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    await logoutStaff(s, request);
    return new Response(null, { status: 204, headers: { "Set-Cookie": clearStaffCookie(s) } });
  });
}
