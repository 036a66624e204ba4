// POST: the reporter's encrypted message (or answer to a question) to the investigators.
import { reporterSession } from "../.server/api-guards";
import { appendMessage } from "../.server/dialogue/dialogue";
import { limitSessionPosts } from "../.server/followup/followup";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { postMessageRequest, postMessageResponse } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "The reporter's messages",
  methods: {
    POST: endpoint({
      summary: "The reporter's encrypted message (or answer to a question) to the investigators",
      guard: reporterSession,
      body: jsonBody(128 * 1024, postMessageRequest),
      before: ({ services, caller }) => limitSessionPosts(services, caller),
      proofOfWork: "followup-post",
      status: 201,
      errors: [
        { status: 429, code: "too_many_posts" },
        { status: 409, code: "id_taken" },
      ],
      response: postMessageResponse,
      handler: ({ services, caller, body }) => appendMessage(services, caller.reportId, body, { author: "reporter" }),
    }),
  },
});
export const action = api.action;
