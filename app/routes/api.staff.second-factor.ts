// POST: second sign-in step, a TOTP code or a recovery code; answers with the wrapped private key.
import { pendingStaff } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { loginSecondFactor } from "../.server/staff/auth";
import { secondFactorRequest, signedInResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Staff sign-in, second factor",
  methods: {
    POST: endpoint({
      summary: "A TOTP code or a recovery code; answers with the wrapped private key",
      guard: pendingStaff,
      body: jsonBody(1024, secondFactorRequest),
      // The way past the sign-in back-off (ADR 035): sent only after a 429 that asks for it.
      proofOfWork: { action: "staff-sign-in", optional: true },
      response: signedInResponse,
      errors: [
        { status: 401, code: "invalid_code" },
        { status: 409, code: "totp_setup_required" },
        { status: 429, code: "too_many_attempts" },
      ],
      handler: ({ services, request, body, context, proof }) => loginSecondFactor(services, request, body, context.clientKey, proof),
    }),
  },
});
export const action = api.action;
