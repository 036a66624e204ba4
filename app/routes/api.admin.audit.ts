// GET (administrators): the audit log, newest first, filtered; ?verify=1 checks the chain.
import { isUuid } from "../../crypto/encoding";
import { listAudit } from "../.server/admin/admin";
import { admin } from "../.server/api-guards";
import { verifyAuditChain } from "../.server/audit/audit";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { auditResponse } from "../admin/wire";

export const api = apiRoute({
  summary: "The audit log",
  methods: {
    GET: endpoint({
      summary: "The audit log, newest first, filtered; or the chain's verification",
      // Administrators only: the whole log names every case, including ones an investigator was excluded from.
      guard: admin,
      query: {
        verify: "1: verify the hash chain instead of listing",
        action: "action prefix (up to 40 characters)",
        actor: "staff user id",
        case: "case number (COR-XXXX-XXXX)",
        before: "entries before this sequence number",
      },
      response: auditResponse,
      handler: async ({ services: s, query: q }) => {
        if (q.get("verify") === "1") return verifyAuditChain(s.db, s);
        const actor = q.get("actor");
        const before = Number(q.get("before") ?? "0");
        return listAudit(s, {
          action: q.get("action")?.slice(0, 40) || undefined,
          actorId: actor && isUuid(actor) ? actor : undefined,
          caseNumber: /^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i.test(q.get("case") ?? "") ? q.get("case")! : undefined,
          before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
        });
      },
    }),
  },
});
export const loader = api.loader;
