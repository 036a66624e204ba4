// GET: where an upload stands (for resuming). DELETE: abandons it and its bytes.
import { abortUpload, getUploadStatus } from "../.server/intake/intake";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { uploadToken } from "../intake/upload-params.server";
import { uploadStatusResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "One upload",
  params: { uploadId: { format: "uuid", description: "The upload (a malformed id: 404 upload_not_found)" } },
  methods: {
    GET: endpoint({
      summary: "Where the upload stands (for resuming)",
      guard: uploadToken,
      response: uploadStatusResponse,
      handler: ({ services, caller }) => getUploadStatus(services, caller.uploadId, caller.token),
    }),
    DELETE: endpoint({
      summary: "Abandons the upload and its bytes",
      guard: uploadToken,
      status: 204,
      handler: async ({ services, caller }) => {
        await abortUpload(services, caller.uploadId, caller.token);
      },
    }),
  },
});
export const loader = api.loader;
export const action = api.action;
