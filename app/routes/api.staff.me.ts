// GET: the signed-in staff member and their wrapped private key, to unlock it
// again in the browser after a reload (the password never leaves the browser).
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { ownAccount } from "../.server/staff/accounts";
import { staffMeResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "The signed-in staff member",
  methods: {
    GET: endpoint({
      summary: "The signed-in staff member and their wrapped private key, to unlock it again after a reload",
      guard: anyStaff,
      response: staffMeResponse,
      handler: async ({ services, caller }) => (await ownAccount(services.db, caller.id))!,
    }),
  },
});
export const loader = api.loader;
