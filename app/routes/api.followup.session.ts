// POST: opens a follow-up session with the look-up value derived from the
// receipt code (never the code itself). DELETE: ends the session (log out).
// GET: keeps the session alive while the reporter is active (typing, uploading).
import { anyone, reporterSession } from "../.server/api-guards";
import { endReporterSession, openReporterSession } from "../.server/followup/followup";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { openSessionRequest, openSessionResponse } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "The reporter's follow-up session",
  methods: {
    GET: endpoint({
      summary: "Keeps the session alive while the reporter is active",
      guard: reporterSession,
      status: 204,
      handler: async () => new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } }),
    }),
    POST: endpoint({
      summary: "Opens a session with the look-up value derived from the receipt code (never the code itself)",
      guard: anyone,
      body: jsonBody(1024, openSessionRequest),
      proofOfWork: "followup-session",
      errors: [
        { status: 404, code: "not_found" },
        { status: 429, code: "too_many_attempts" },
      ],
      response: openSessionResponse,
      handler: ({ services, body, context, proof }) => openReporterSession(services, body.lookup, context.clientKey, proof!),
    }),
    DELETE: endpoint({
      summary: "Ends the session (log out)",
      guard: reporterSession,
      status: 204,
      handler: async ({ services, request }) => {
        const token = (request.headers.get("Authorization") ?? "").replace(/^Bearer /, "");
        await endReporterSession(services, new Uint8Array(Buffer.from(token, "base64url")));
      },
    }),
  },
});
export const loader = api.loader;
export const action = api.action;
