// POST: a data-subject request (access, correction, deletion, suspension) for the session's case.
import { reporterSession } from "../.server/api-guards";
import { createPrivacyRequest } from "../.server/privacy-requests/privacy-requests";
import { limitSessionPosts } from "../.server/followup/followup";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { privacyRequestRequest, privacyRequestResponse } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "The reporter's privacy requests",
  methods: {
    POST: endpoint({
      summary: "A data-subject request (access, correction, deletion, suspension) for the session's case",
      guard: reporterSession,
      body: jsonBody(128 * 1024, privacyRequestRequest),
      before: ({ services, caller }) => limitSessionPosts(services, caller),
      proofOfWork: "followup-post",
      status: 201,
      errors: [
        { status: 429, code: "too_many_posts" },
        { status: 400, code: "detail_required" },
        { status: 409, code: "id_taken" },
      ],
      response: privacyRequestResponse,
      handler: ({ services, caller, body }) => createPrivacyRequest(services, caller.reportId, body),
    }),
  },
});
export const action = api.action;
