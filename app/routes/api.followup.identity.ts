// POST: the reporter's contact details, re-encrypted in their browser (to switch update e-mails on or off).
import type { ActionFunctionArgs } from "@remix-run/node";
import { requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { replaceIdentity } from "../.server/notifications/reporter-notify";
import { services } from "../.server/platform/services";
import { replaceIdentityRequest } from "../intake/followup-wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const input = parseWith(replaceIdentityRequest, await readJson(request, 16 * 1024));
    await replaceIdentity(s, reportId, input.identity);
    return json({ ok: true });
  });
}
