// POST: opens an upload of another encrypted file for the session's case;
// parts then go to /api/intake/uploads/:id/parts/:n with the upload token.
import { reporterSession } from "../.server/api-guards";
import { createUpload } from "../.server/intake/intake";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { followupUploadRequest } from "../intake/followup-wire";
import { createUploadResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "Uploads for the reporter's case",
  methods: {
    POST: endpoint({
      summary: "Opens an upload of another encrypted file for the session's case",
      guard: reporterSession,
      body: jsonBody(1024, followupUploadRequest),
      proofOfWork: "upload",
      status: 201,
      response: createUploadResponse,
      errors: [
        { status: 429, code: "too_many_open_uploads" },
        { status: 429, code: "upload_quota_exceeded" },
        { status: 503, code: "uploads_busy" },
        { status: 507, code: "storage_low" },
      ],
      // Counted with the client's other uploads (ADR 031): a receipt code is no way around the caps.
      handler: ({ services, caller, body, context }) =>
        createUpload(services, { reportId: caller.reportId, ciphertextBytes: body.ciphertextBytes, for: "existing", clientKey: context.clientKey }),
    }),
  },
});
export const action = api.action;
