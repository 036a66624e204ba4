// POST (text/plain body = session token): ends a session when the tab closes.
// navigator.sendBeacon cannot set headers, hence the token in the body.
import { anyone } from "../.server/api-guards";
import { endReporterSession } from "../.server/followup/followup";
import { apiRoute, bytesBody, endpoint } from "../.server/platform/api-route";

export const api = apiRoute({
  summary: "The tab-close beacon",
  methods: {
    POST: endpoint({
      summary: "Ends the session whose token is the body (navigator.sendBeacon cannot set headers); 204 whatever the body",
      guard: anyone,
      body: bytesBody(100, "text/plain"),
      status: 204,
      handler: async ({ services, body }) => {
        const text = body.toString("utf8").trim();
        if (/^[A-Za-z0-9_-]{43}$/.test(text)) await endReporterSession(services, new Uint8Array(Buffer.from(text, "base64url")));
      },
    }),
  },
});
export const action = api.action;
