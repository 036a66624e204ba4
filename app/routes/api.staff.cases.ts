// GET: the investigator's inbox page as JSON (titles as ciphertext with envelopes).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, json } from "../.server/platform/http";
import { auditInboxListing, listInbox } from "../.server/casework/inbox";
import { services } from "../.server/platform/services";
import { INVESTIGATOR } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { inboxQuery } from "../staff/inbox-query";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, INVESTIGATOR);
    const inbox = await listInbox(s, staff.id, inboxQuery(new URL(request.url).searchParams));
    await auditInboxListing(s, staff.id, inbox.page, inbox.rows.length);
    return json(inbox);
  });
}
