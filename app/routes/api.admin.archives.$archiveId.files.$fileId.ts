// GET: an archived file's ciphertext for an administrator who holds the archive's key; decrypted in the browser. Audited.
import { admin } from "../.server/api-guards";
import { archiveFileBlob } from "../.server/retention/archive";
import { attachmentDownload } from "../.server/case-access/attachments";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";

export const api = apiRoute({
  summary: "An archived file",
  params: { archiveId: uuidParam("no such file", "The archive"), fileId: uuidParam("no such file", "The archived file") },
  methods: {
    GET: endpoint({
      summary: "The file's ciphertext (a download), for an administrator holding the archive's key",
      guard: admin,
      response: "binary",
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services, caller, params, request }) =>
        attachmentDownload(await archiveFileBlob(services, caller, params.archiveId!, params.fileId!), params.fileId!, request),
    }),
  },
});
export const loader = api.loader;
