// POST: stores an encrypted report, its key envelopes and its finished uploads
// in one transaction. Only ciphertext arrives here.
import type { ActionFunctionArgs } from "@remix-run/node";
import { submitReport } from "../.server/intake/intake";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { LIMITS } from "../intake/limits";
import { submitReportRequest } from "../intake/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(submitReportRequest, await readJson(request, LIMITS.submissionBytes));
    return json(await submitReport(services(context), input), { status: 201 });
  });
}
