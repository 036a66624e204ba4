// POST (administrators): add a report category, rename one, or switch it on or off.
import { z } from "zod";
import { saveCategory } from "../.server/admin/admin";
import { admin } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { uuid } from "../shared/schemas";
import { okResponse } from "../staff/wire";

const schema = z.strictObject({
  id: uuid.optional(),
  nameKo: z.string().max(100).optional(),
  nameEn: z.string().max(100).optional(),
  active: z.boolean().optional(),
});

export const api = apiRoute({
  summary: "Report categories",
  methods: {
    POST: endpoint({
      summary: "Adds a report category, renames one, or switches it on or off",
      guard: admin,
      body: jsonBody(2048, schema),
      response: okResponse,
      handler: async ({ services, caller, body }) => {
        await saveCategory(services, caller, body);
        return { ok: true };
      },
    }),
  },
});
export const action = api.action;
