// POST: ends the staff session.
import { anyone } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { clearStaffCookie, logoutStaff } from "../.server/staff/auth";

export const api = apiRoute({
  summary: "Staff sign-out",
  methods: {
    POST: endpoint({
      summary: "Ends the staff session (if any) and clears its cookie",
      guard: anyone,
      status: 204,
      handler: async ({ services, request }) => {
        await logoutStaff(services, request);
        return new Response(null, { status: 204, headers: { "Set-Cookie": clearStaffCookie(services) } });
      },
    }),
  },
});
export const action = api.action;
