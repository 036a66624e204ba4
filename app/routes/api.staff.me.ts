// GET: the signed-in staff member and their wrapped private key, to unlock it
// again in the browser after a reload (the password never leaves the browser).
import { eq } from "drizzle-orm";
import { toBase64Url } from "../../crypto/encoding";
import { staffUsers } from "../../db/schema";
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { staffMeResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "The signed-in staff member",
  methods: {
    GET: endpoint({
      summary: "The signed-in staff member and their wrapped private key, to unlock it again after a reload",
      guard: anyStaff,
      response: staffMeResponse,
      handler: async ({ services: s, caller }) => {
        const [u] = await s.db.select().from(staffUsers).where(eq(staffUsers.id, caller.id));
        return {
          user: { id: u!.id, email: u!.email, displayName: u!.displayName, role: u!.role, affiliateId: u!.affiliateId },
          kdfSalt: toBase64Url(u!.kdfSalt),
          kdfVersion: u!.kdfVersion,
          secretKeyWrapped: toBase64Url(u!.secretKeyWrapped),
          publicKey: toBase64Url(u!.publicKey),
        };
      },
    }),
  },
});
export const loader = api.loader;
