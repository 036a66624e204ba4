// GET: one archive as ciphertext, for an administrator who holds its key (else 404). Audited.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { archiveView } from "../.server/retention/archive";
import { ApiError, handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    const id = params.archiveId ?? "";
    if (!isUuid(id)) throw new ApiError(404, "not_found", "no such archive");
    return json(await archiveView(s, admin, id));
  });
}
