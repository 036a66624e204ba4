// GET: what an invitation or the setup link is for. POST: activates the
// account(s) with key material made in the browser.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { activate, invitationInfo } from "../.server/staff/invitations";
import { services } from "../.server/platform/services";
import { activationRequest } from "../staff/wire";

export async function loader({ params, context }: LoaderFunctionArgs) {
  return handleApi(async () => json(await invitationInfo(services(context), params.token ?? "")));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(activationRequest, await readJson(request, 16 * 1024));
    return json(await activate(services(context), params.token ?? "", input.accounts), { status: 201 });
  });
}
