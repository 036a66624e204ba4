// GET: the shares addressed to the reviewer's affiliate (active, within retention). Audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listAffiliateShares } from "../.server/sharing/affiliate-shares";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { AFFILIATE } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const reviewer = await requireStaff(s, request, AFFILIATE);
    return json(await listAffiliateShares(s, reviewer));
  });
}
