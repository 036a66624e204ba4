// POST (administrators): an invitation link for a new staff account.
import { admin } from "../.server/api-guards";
import { createInvitation } from "../.server/staff/invitations";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { invitationRequest, invitationResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Invitations",
  methods: {
    POST: endpoint({
      summary: "An invitation link for a new staff account",
      guard: admin,
      body: jsonBody(2048, invitationRequest),
      status: 201,
      response: invitationResponse,
      handler: async ({ services, caller, body }) => {
        const inv = await createInvitation(services, body, caller.id);
        return { path: inv.path, expiresAt: inv.expiresAt.toISOString() };
      },
    }),
  },
});
export const action = api.action;
