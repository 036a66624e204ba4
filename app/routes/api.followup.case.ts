// GET: the session's case, as ciphertext for the reporter's browser to decrypt.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { reporterCaseView, requireReporterSession } from "../.server/followup/followup";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const { reportId } = await requireReporterSession(s, request);
    return json(await reporterCaseView(s, reportId));
  });
}
