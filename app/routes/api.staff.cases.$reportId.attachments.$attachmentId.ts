// GET: an attachment's ciphertext for an investigator who holds the case's key;
// the browser decrypts it as it streams. Always a download; audited.
import { investigator } from "../.server/api-guards";
import { recordContentEvent } from "../.server/casework/casework";
import { requireCaseAccess } from "../.server/case-access/case-access";
import { attachmentBlob, attachmentDownload } from "../.server/case-access/attachments";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";

export const api = apiRoute({
  summary: "A file of a case",
  params: { reportId: uuidParam("no such attachment", "The case (report id)"), attachmentId: uuidParam("no such attachment", "The file") },
  methods: {
    GET: endpoint({
      summary: "The file's ciphertext (a download), for an investigator who holds the case's key",
      guard: investigator,
      response: "binary",
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services: s, caller, params, request }) => {
        const reportId = params.reportId!;
        const id = params.attachmentId!;
        await requireCaseAccess(s, caller.id, { id: reportId });
        const blob = await attachmentBlob(s, reportId, id);
        await recordContentEvent(s, caller, reportId, "downloaded", id);
        return attachmentDownload(blob, id, request);
      },
    }),
  },
});
export const loader = api.loader;
