// POST: second sign-in step, a TOTP code or a recovery code; answers with the wrapped private key.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { loginSecondFactor } from "../.server/staff/auth";
import { secondFactorRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(secondFactorRequest, await readJson(request, 1024));
    return json(await loginSecondFactor(services(context), request, input, context.clientKey));
  });
}
