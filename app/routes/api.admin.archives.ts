// GET: the archive (closed cases' records kept under a statute), for administrators.
import { admin } from "../.server/api-guards";
import { listArchives } from "../.server/retention/archive";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { archiveListResponse } from "../admin/wire";

export const api = apiRoute({
  summary: "The archive",
  methods: {
    GET: endpoint({
      summary: "Closed cases' records kept under a statute",
      guard: admin,
      response: archiveListResponse,
      handler: ({ services, caller }) => listArchives(services, caller),
    }),
  },
});
export const loader = api.loader;
