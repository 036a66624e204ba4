// GET: what an invitation or the setup link is for. POST: activates the
// account(s) with key material made in the browser.
import { anyone } from "../.server/api-guards";
import { activate, invitationInfo } from "../.server/staff/invitations";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { activationRequest, activationResponse, invitationInfoResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Account activation",
  params: { token: { format: "string", description: "The invitation or setup link's token" } },
  methods: {
    GET: endpoint({
      summary: "What the invitation or setup link is for",
      guard: anyone,
      response: invitationInfoResponse,
      handler: ({ services, params }) => invitationInfo(services, params.token ?? ""),
    }),
    POST: endpoint({
      summary: "Activates the account(s) with key material made in the browser",
      guard: anyone,
      body: jsonBody(16 * 1024, activationRequest),
      status: 201,
      response: activationResponse,
      handler: ({ services, params, body }) => activate(services, params.token ?? "", body.accounts),
    }),
  },
});
export const loader = api.loader;
export const action = api.action;
