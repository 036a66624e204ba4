// GET: the archive (closed cases' records kept under a statute), for administrators.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listArchives } from "../.server/retention/archive";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    return json(await listArchives(s, admin));
  });
}
