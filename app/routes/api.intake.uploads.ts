// POST: opens a resumable upload of one encrypted attachment for a report in the making.
import { anyone } from "../.server/api-guards";
import { createUpload, limitUploadsPerClient } from "../.server/intake/intake";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { createUploadRequest, createUploadResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "Uploads for a new report",
  methods: {
    POST: endpoint({
      summary: "Opens a resumable upload of one encrypted attachment for a report in the making",
      guard: anyone,
      body: jsonBody(4096, createUploadRequest),
      // Counted before the body is read, in the database (ADR 034): a refused client costs no parsing.
      before: ({ services, context }) => limitUploadsPerClient(services, context.clientKey),
      proofOfWork: "upload",
      status: 201,
      response: createUploadResponse,
      errors: [
        { status: 429, code: "too_many_uploads" },
        { status: 429, code: "too_many_open_uploads" },
        { status: 429, code: "upload_quota_exceeded" },
        { status: 503, code: "uploads_busy" },
        { status: 507, code: "storage_low" },
      ],
      // Limited in number per client (above) and in space (createUpload, ADR 031).
      handler: async ({ services: s, body, context }) => createUpload(s, { ...body, for: "new", clientKey: context.clientKey }),
    }),
  },
});
export const action = api.action;
