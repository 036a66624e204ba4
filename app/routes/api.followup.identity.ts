// POST: the reporter's contact details, re-encrypted in their browser (to switch update e-mails on or off).
import { reporterSession } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { replaceIdentity } from "../.server/casework/reporter-notify";
import { replaceIdentityRequest } from "../intake/followup-wire";
import { okResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "The reporter's contact details",
  methods: {
    POST: endpoint({
      summary: "The contact details, re-encrypted in the browser (to switch update e-mails on or off)",
      guard: reporterSession,
      body: jsonBody(16 * 1024, replaceIdentityRequest),
      proofOfWork: "followup-post",
      response: okResponse,
      handler: async ({ services, caller, body }) => {
        await replaceIdentity(services, caller.reportId, body);
        return { ok: true };
      },
    }),
  },
});
export const action = api.action;
