// GET: starts TOTP enrolment (secret, otpauth URI, QR code). POST {code}: confirms it, returns recovery codes once.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { beginTotpSetup, finishTotpSetup } from "../.server/staff/auth";
import { totpCodeRequest } from "../staff/wire";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => json(await beginTotpSetup(services(context), request)));
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(totpCodeRequest, await readJson(request, 1024));
    return json(await finishTotpSetup(services(context), request, input.code));
  });
}
