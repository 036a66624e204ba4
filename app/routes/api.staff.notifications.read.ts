// POST: marks the caller's own notifications read ({} for all, or {ids}).
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { markStaffNotificationsRead } from "../.server/notifications/list";
import { notificationsReadRequest } from "../staff/wire";
import { notificationsReadResponse } from "../shared/wire";

export const api = apiRoute({
  summary: "Marking notifications read",
  methods: {
    POST: endpoint({
      summary: "Marks the caller's own notifications read ({} for all, or {ids})",
      guard: anyStaff,
      body: jsonBody(8 * 1024, notificationsReadRequest),
      response: notificationsReadResponse,
      handler: async ({ services, caller, body }) => ({ marked: await markStaffNotificationsRead(services, caller, body.ids) }),
    }),
  },
});
export const action = api.action;
