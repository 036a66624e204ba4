// POST: changes the signed-in staff member's password (the private key re-wrapped in the browser).
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { changePassword } from "../.server/staff/password";
import { changePasswordRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    const input = parseWith(changePasswordRequest, await readJson(request, 2048));
    await changePassword(s, staff, input.currentAuthKey, input.keys);
    return json({ ok: true });
  });
}
