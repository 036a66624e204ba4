// POST: the password KDF salt for an email (a stable fake one for unknown addresses).
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { preLogin } from "../.server/staff/auth";
import { preloginRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(preloginRequest, await readJson(request, 1024));
    return json(await preLogin(services(context), input.email));
  });
}
