// GET: one attachment's ciphertext, for the reporter's browser to decrypt.
// Always a download, never rendered: Content-Disposition attachment here, and
// X-Content-Type-Options nosniff on every response (server/security-headers.ts).
import { reporterSession } from "../.server/api-guards";
import { attachmentBlob, attachmentDownload } from "../.server/case-access/attachments";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";

export const api = apiRoute({
  summary: "A file of the reporter's case",
  params: { attachmentId: uuidParam("no such attachment in this case", "The file") },
  methods: {
    GET: endpoint({
      summary: "The file's ciphertext (a download)",
      guard: reporterSession,
      response: "binary",
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services, caller, params, request }) =>
        attachmentDownload(await attachmentBlob(services, caller.reportId, params.attachmentId!), params.attachmentId!, request),
    }),
  },
});
export const loader = api.loader;
