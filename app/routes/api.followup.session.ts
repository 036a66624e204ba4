// POST: opens a follow-up session with the look-up value derived from the
// receipt code (never the code itself). DELETE: ends the session (log out).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { endReporterSession, openReporterSession, requireReporterSession } from "../.server/followup/followup";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { openSessionRequest } from "../intake/followup-wire";

/** GET: keeps the session alive while the reporter is active (typing, uploading). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    await requireReporterSession(services(context), request);
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST", "DELETE");
    const s = services(context);
    if (request.method === "DELETE") {
      const token = (request.headers.get("Authorization") ?? "").replace(/^Bearer /, "");
      await requireReporterSession(s, request);
      await endReporterSession(s, new Uint8Array(Buffer.from(token, "base64url")));
      return new Response(null, { status: 204 });
    }
    const input = parseWith(openSessionRequest, await readJson(request, 1024));
    return json(await openReporterSession(s, input.lookup, context.clientKey));
  });
}
