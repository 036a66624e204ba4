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
      // No proof of work (ADR 035): the account's second-factor back-off holds a holder of the password to its rate.
      response: signedInResponse,
      errors: [
        { status: 401, code: "invalid_code" },
        { status: 409, code: "totp_setup_required" },
        { status: 429, code: "too_many_attempts" },
      ],
      handler: ({ services, request, body, context }) => loginSecondFactor(services, request, body, context.clientKey),
    }),
  },
});
export const action = api.action;
