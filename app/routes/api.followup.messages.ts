// POST: the reporter's encrypted message (or answer to a question) to the investigators.
import type { ActionFunctionArgs } from "@remix-run/node";
import { appendMessage, requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { postMessageRequest } from "../intake/followup-wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const input = parseWith(postMessageRequest, await readJson(request, 128 * 1024));
    return json(await appendMessage(s, reportId, input, { author: "reporter" }), { status: 201 });
  });
}
