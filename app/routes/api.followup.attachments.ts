// POST: attaches a finished upload to the session's case.
import type { ActionFunctionArgs } from "@remix-run/node";
import { attachUploadedFile, requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { attachFileRequest } from "../intake/followup-wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const input = parseWith(attachFileRequest, await readJson(request, 16 * 1024));
    return json(await attachUploadedFile(s, reportId, input, "reporter"), { status: 201 });
  });
}
