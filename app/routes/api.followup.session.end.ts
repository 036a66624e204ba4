// POST (text/plain body = session token): ends a session when the tab closes.
// navigator.sendBeacon cannot set headers, hence the token in the body.
import type { ActionFunctionArgs } from "@remix-run/node";
import { endReporterSession } from "../.server/followup/followup";
import { handleApi, readBounded, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const text = (await readBounded(request, 100)).toString("utf8").trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(text)) await endReporterSession(services(context), new Uint8Array(Buffer.from(text, "base64url")));
    return new Response(null, { status: 204 });
  });
}
