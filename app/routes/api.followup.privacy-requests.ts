// POST: a data-subject request (access, correction, deletion, suspension) for the session's case.
import { reporterSession } from "../.server/api-guards";
import { createPrivacyRequest } from "../.server/privacy-requests/privacy-requests";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { privacyRequestRequest } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "The reporter's privacy requests",
  methods: {
    POST: endpoint({
      summary: "A data-subject request (access, correction, deletion, suspension) for the session's case",
      guard: reporterSession,
      body: jsonBody(128 * 1024, privacyRequestRequest),
      proofOfWork: "followup-post",
      status: 201,
      errors: [
        { status: 400, code: "detail_required" },
        { status: 409, code: "id_taken" },
      ],
      handler: ({ services, caller, body }) => createPrivacyRequest(services, caller.reportId, body),
    }),
  },
});
export const action = api.action;
