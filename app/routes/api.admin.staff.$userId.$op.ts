// POST (administrators): unlock an account, revoke its sessions, disable or enable it.
import { adminStaffOp, type StaffAdminOp } from "../.server/admin/admin";
import { admin } from "../.server/api-guards";
import { apiOps, endpoint, uuidParam, type MethodMap } from "../.server/platform/api-route";
import { okResponse } from "../staff/wire";

const OPS: Record<StaffAdminOp, string> = {
  unlock: "Clears the sign-in back-off of the account's address, from every client (as user:unlock does)",
  "revoke-sessions": "Ends the account's sessions",
  disable: "Disables the account (and ends its sessions)",
  enable: "Enables the account again",
};

export const api = apiOps({
  summary: "Staff account administration",
  params: { userId: uuidParam("no such account or action", "The staff account") },
  opParam: "op",
  ops: Object.fromEntries(
    (Object.keys(OPS) as StaffAdminOp[]).map((op): [string, MethodMap] => [
      op,
      {
        POST: endpoint({
          summary: OPS[op],
          guard: admin,
          response: okResponse,
          handler: async ({ services, caller, params }) => {
            await adminStaffOp(services, caller, params.userId!, op);
            return { ok: true };
          },
        }),
      },
    ]),
  ),
  unknownOp: { guard: admin, message: { POST: "no such account or action" } },
});
export const action = api.action;
