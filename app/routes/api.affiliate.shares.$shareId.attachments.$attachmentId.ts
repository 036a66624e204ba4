// GET: the ciphertext of a file the share lists, for a reviewer who holds the share's key;
// the browser decrypts it with the file key from the share. Always a download; audited.
import { affiliateAttachment } from "../.server/sharing/affiliate-shares";
import { affiliateReviewer } from "../.server/api-guards";
import { attachmentDownload } from "../.server/case-access/attachments";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";

export const api = apiRoute({
  summary: "A file of a share",
  params: { shareId: uuidParam("no such attachment", "The share"), attachmentId: uuidParam("no such attachment", "The file") },
  methods: {
    GET: endpoint({
      summary: "The file's ciphertext (a download), for a reviewer who holds the share's key",
      guard: affiliateReviewer,
      response: "binary",
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services, caller, params, request }) =>
        attachmentDownload(await affiliateAttachment(services, caller, params.shareId!, params.attachmentId!), params.attachmentId!, request),
    }),
  },
});
export const loader = api.loader;
