// POST: changes the signed-in staff member's password (the private key re-wrapped in the browser).
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { changePassword } from "../.server/staff/password";
import { changePasswordRequest, okResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Password change",
  methods: {
    POST: endpoint({
      summary: "Changes the caller's password (the private key re-wrapped in the browser)",
      guard: anyStaff,
      body: jsonBody(2048, changePasswordRequest),
      response: okResponse,
      handler: async ({ services, caller, body }) => {
        await changePassword(services, caller, body.currentAuthKey, body.keys);
        return { ok: true };
      },
    }),
  },
});
export const action = api.action;
