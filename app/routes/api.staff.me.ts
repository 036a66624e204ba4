// GET: the signed-in staff member and their wrapped private key, to unlock it
// again in the browser after a reload (the password never leaves the browser).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ownAccount } from "../.server/staff/accounts";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    return json((await ownAccount(s.db, staff.id))!);
  });
}
