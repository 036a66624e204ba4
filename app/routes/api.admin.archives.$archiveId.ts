// GET: one archive as ciphertext, for an administrator who holds its key (else 404). Audited.
import { admin } from "../.server/api-guards";
import { archiveView } from "../.server/retention/archive";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";
import { archiveViewResponse } from "../admin/wire";

export const api = apiRoute({
  summary: "One archive",
  params: { archiveId: uuidParam("no such archive", "The archive") },
  methods: {
    GET: endpoint({
      summary: "The archive as ciphertext, for an administrator who holds its key",
      guard: admin,
      errors: [{ status: 404, code: "not_found" }],
      response: archiveViewResponse,
      handler: ({ services, caller, params }) => archiveView(services, caller, params.archiveId!),
    }),
  },
});
export const loader = api.loader;
