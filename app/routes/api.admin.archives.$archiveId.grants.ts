// POST: an administrator who holds an archive's key seals it to another active administrator.
import { admin } from "../.server/api-guards";
import { grantArchive } from "../.server/retention/archive";
import { apiRoute, endpoint, jsonBody, uuidParam } from "../.server/platform/api-route";
import { archiveGrantRequest, okResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Archive grants",
  params: { archiveId: uuidParam("no such archive", "The archive") },
  methods: {
    POST: endpoint({
      summary: "Seals the archive's key to another active administrator",
      guard: admin,
      body: jsonBody(16 * 1024, archiveGrantRequest),
      response: okResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services, caller, params, body }) => {
        await grantArchive(services, caller, params.archiveId!, body);
        return { ok: true };
      },
    }),
  },
});
export const action = api.action;
