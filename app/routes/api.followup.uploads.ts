// POST: opens an upload of another encrypted file for the session's case;
// parts then go to /api/intake/uploads/:id/parts/:n with the upload token.
import type { ActionFunctionArgs } from "@remix-run/node";
import { requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { createUpload } from "../.server/intake/intake";
import { services } from "../.server/platform/services";
import { followupUploadRequest } from "../intake/followup-wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    const input = parseWith(followupUploadRequest, await readJson(request, 1024));
    return json(await createUpload(s, { reportId, ciphertextBytes: input.ciphertextBytes, for: "existing" }), { status: 201 });
  });
}
