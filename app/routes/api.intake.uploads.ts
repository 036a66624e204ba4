// POST: opens a resumable upload of one encrypted attachment for a report in the making.
import { anyone } from "../.server/api-guards";
import { ApiError } from "../.server/platform/http";
import { createUpload } from "../.server/intake/intake";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { createUploadRequest, createUploadResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "Uploads for a new report",
  methods: {
    POST: endpoint({
      summary: "Opens a resumable upload of one encrypted attachment for a report in the making",
      guard: anyone,
      body: jsonBody(4096, createUploadRequest),
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
      handler: async ({ services: s, body, context }) => {
        // Anonymous uploads are limited per client (keyed pseudonym, ADR 027) as well as in space (createUpload, ADR 031).
        const verdict = s.uploadLimiter.attempt(context.clientKey, Date.now());
        if (!verdict.ok) {
          const e = new ApiError(429, "too_many_uploads", `too many uploads; try again in ${Math.ceil(verdict.retryAfterMs / 60_000)} minutes`);
          e.retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
          throw e;
        }
        return createUpload(s, { ...body, for: "new", clientKey: context.clientKey });
      },
    }),
  },
});
export const action = api.action;
