// POST: marks an upload complete once every byte announced has arrived.
import { completeUpload } from "../.server/intake/intake";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { uploadToken } from "../intake/upload-params.server";
import { uploadStatusResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "Completing an upload",
  params: { uploadId: { format: "uuid", description: "The upload (a malformed id: 404 upload_not_found)" } },
  methods: {
    POST: endpoint({
      summary: "Marks the upload complete once every byte announced has arrived",
      guard: uploadToken,
      response: uploadStatusResponse,
      errors: [{ status: 409, code: "upload_incomplete" }],
      handler: ({ services, caller }) => completeUpload(services, caller.uploadId, caller.token),
    }),
  },
});
export const action = api.action;
