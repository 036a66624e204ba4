// POST: first sign-in step, email + the authentication key derived in the browser.
import { anyone } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { json } from "../.server/platform/http";
import { loginWithPassword } from "../.server/staff/auth";
import { loginRequest, loginResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Staff sign-in, first step",
  methods: {
    POST: endpoint({
      summary: "Email and the authentication key derived in the browser; sets the staff session cookie (pending the second factor)",
      guard: anyone,
      body: jsonBody(1024, loginRequest),
      // The way past the sign-in back-off (ADR 035): sent only after a 429 that asks for it.
      proofOfWork: { action: "staff-sign-in", optional: true },
      response: loginResponse,
      errors: [
        { status: 401, code: "invalid_credentials" },
        { status: 429, code: "too_many_attempts" },
      ],
      handler: async ({ services, body, context, proof }) => {
        const r = await loginWithPassword(services, body.email, body.authKey, context.clientKey, proof);
        return json({ next: r.next }, { headers: { "Set-Cookie": r.setCookie } });
      },
    }),
  },
});
export const action = api.action;
