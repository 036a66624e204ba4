// POST (administrators): an invitation link for a new staff account.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { createInvitation } from "../.server/staff/invitations";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { invitationRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    const input = parseWith(invitationRequest, await readJson(request, 2048));
    const inv = await createInvitation(s, input, admin.id);
    return json({ path: inv.path, expiresAt: inv.expiresAt.toISOString() }, { status: 201 });
  });
}
