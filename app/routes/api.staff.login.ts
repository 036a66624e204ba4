// POST: first sign-in step, email + the authentication key derived in the browser.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { loginWithPassword } from "../.server/staff/auth";
import { loginRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(loginRequest, await readJson(request, 1024));
    const r = await loginWithPassword(services(context), input.email, input.authKey, context.clientKey);
    return json({ next: r.next }, { headers: { "Set-Cookie": r.setCookie } });
  });
}
