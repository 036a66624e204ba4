// GET (administrators): the audit log, newest first, filtered; ?verify=1 checks the chain.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUuid } from "../../crypto/encoding";
import { listAudit } from "../.server/admin/admin";
import { verifyAuditChain } from "../.server/audit/audit";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    // Administrators only: the whole log names every case, including ones an investigator was excluded from.
    await requireStaff(s, request, ADMIN);
    const q = new URL(request.url).searchParams;
    if (q.get("verify") === "1") return json(await verifyAuditChain(s.db));
    const actor = q.get("actor");
    const before = Number(q.get("before") ?? "0");
    return json(
      await listAudit(s, {
        action: q.get("action")?.slice(0, 40) || undefined,
        actorId: actor && isUuid(actor) ? actor : undefined,
        caseNumber: /^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i.test(q.get("case") ?? "") ? q.get("case")! : undefined,
        before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
      }),
    );
  });
}
