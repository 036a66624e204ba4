// POST: a data-subject request (access, correction, deletion, suspension) for the session's case.
import type { ActionFunctionArgs } from "@remix-run/node";
import { createPrivacyRequest, requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { privacyRequestRequest } from "../intake/followup-wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const input = parseWith(privacyRequestRequest, await readJson(request, 128 * 1024));
    return json(await createPrivacyRequest(s, reportId, input), { status: 201 });
  });
}
