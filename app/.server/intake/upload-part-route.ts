// The declaration of PUT /api/intake/uploads/:uploadId/parts/:part (ADR 024),
// the route Express answers ahead of Remix (server/upload-parts.ts, ADR 018),
// which runs it with the Node request stream as the body.
import { uploadToken } from "../../intake/upload-params.server";
import { uploadStatusResponse } from "../../intake/wire";
import { apiRoute, endpoint, streamBody } from "../platform/api-route";
import { ApiError } from "../platform/http";
import { writeUploadPart } from "./intake";

export const uploadPartRoute = {
  file: "server/upload-parts.ts",
  path: "/api/intake/uploads/:uploadId/parts/:part",
  api: apiRoute({
    summary: "Upload parts",
    params: {
      uploadId: { format: "uuid", description: "The upload (a malformed id: 404 upload_not_found)" },
      part: { format: "integer", description: "The part's index, from 0, in order" },
    },
    methods: {
      PUT: endpoint({
        summary: "One part of the encrypted file (the body, as sent: partPlainBytes of plaintext each, the last shorter)",
        guard: uploadToken,
        body: streamBody(),
        response: uploadStatusResponse,
        errors: [
          { status: 400, code: "bad_part_index" },
          { status: 400, code: "part_too_small" },
          { status: 409, code: "wrong_part" },
          { status: 409, code: "upload_complete" },
          { status: 409, code: "part_in_progress" },
          { status: 413, code: "part_too_large" },
          { status: 429, code: "upload_quota_exceeded" },
          { status: 503, code: "uploads_busy" },
          { status: 507, code: "storage_low" },
        ],
        handler: async ({ services, caller, params, request, body }) => {
          const part = params.part ?? "";
          const index = Number(part);
          if (!/^\d{1,7}$/.test(part) || !Number.isSafeInteger(index)) {
            throw new ApiError(400, "bad_part_index", "part index must be a whole number");
          }
          const length = request.headers.get("Content-Length");
          return writeUploadPart(services, caller.uploadId, caller.token, index, body, length === null ? null : Number(length));
        },
      }),
    },
  }),
};
