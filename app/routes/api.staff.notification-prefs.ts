// POST: the caller's own choice between single notification e-mails and a daily digest.
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { setNotificationMode } from "../.server/notifications/list";
import { notificationPrefsRequest } from "../staff/wire";
import { notificationPrefsResponse } from "../shared/wire";

export const api = apiRoute({
  summary: "Notification e-mail preference",
  methods: {
    POST: endpoint({
      summary: "The caller's own choice between single notification e-mails and a daily digest",
      guard: anyStaff,
      body: jsonBody(1024, notificationPrefsRequest),
      response: notificationPrefsResponse,
      handler: async ({ services, caller, body }) => {
        await setNotificationMode(services, caller, body.mode);
        return { mode: body.mode };
      },
    }),
  },
});
export const action = api.action;
