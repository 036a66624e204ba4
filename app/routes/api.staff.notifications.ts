// GET: the signed-in staff member's own latest notifications (any role), whether
// the portal e-mails at all, and their e-mail preference.
import { anyStaff } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { listStaffNotifications } from "../.server/notifications/list";
import { staffNotificationsResponse } from "../shared/wire";

export const api = apiRoute({
  summary: "Staff notifications",
  methods: {
    GET: endpoint({
      summary: "The caller's own latest notifications, whether the portal e-mails at all, and their e-mail preference",
      guard: anyStaff,
      response: staffNotificationsResponse,
      handler: ({ services, caller }) => listStaffNotifications(services, caller),
    }),
  },
});
export const loader = api.loader;
