// GET: the signed-in staff member and their wrapped private key, to unlock it
// again in the browser after a reload (the password never leaves the browser).
import { eq } from "drizzle-orm";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { toBase64Url } from "../../crypto/encoding";
import { staffUsers } from "../../db/schema";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ANY_STAFF } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, ANY_STAFF);
    const [u] = await s.db.select().from(staffUsers).where(eq(staffUsers.id, staff.id));
    return json({
      user: { id: u!.id, email: u!.email, displayName: u!.displayName, role: u!.role, affiliateId: u!.affiliateId },
      kdfSalt: toBase64Url(u!.kdfSalt),
      kdfVersion: u!.kdfVersion,
      secretKeyWrapped: toBase64Url(u!.secretKeyWrapped),
      publicKey: toBase64Url(u!.publicKey),
    });
  });
}
