// POST: attaches a finished upload to the session's case.
import { reporterSession } from "../.server/api-guards";
import { attachUploadedFile } from "../.server/case-access/attachments";
import { limitSessionPosts } from "../.server/followup/followup";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { attachFileRequest, attachFileResponse } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "Files the reporter adds",
  methods: {
    POST: endpoint({
      summary: "Attaches a finished upload to the session's case",
      guard: reporterSession,
      body: jsonBody(16 * 1024, attachFileRequest),
      before: ({ services, caller }) => limitSessionPosts(services, caller),
      status: 201,
      errors: [
        { status: 429, code: "too_many_posts" },
        { status: 400, code: "unknown_upload" },
        { status: 409, code: "upload_incomplete" },
        { status: 409, code: "too_many_attachments" },
      ],
      response: attachFileResponse,
      handler: ({ services, caller, body }) => attachUploadedFile(services, caller.reportId, body, "reporter"),
    }),
  },
});
export const action = api.action;
