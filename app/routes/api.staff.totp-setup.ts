// GET: starts TOTP enrolment (secret, otpauth URI, QR code). POST {code}: confirms it, returns recovery codes once.
import { pendingStaff } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { beginTotpSetup, finishTotpSetup } from "../.server/staff/auth";
import { signedInResponse, totpCodeRequest, totpSetupResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Authenticator enrolment",
  methods: {
    GET: endpoint({
      summary: "Starts TOTP enrolment (secret, otpauth URI, QR code)",
      guard: pendingStaff,
      errors: [{ status: 409, code: "totp_enabled" }],
      response: totpSetupResponse,
      handler: ({ services, request }) => beginTotpSetup(services, request),
    }),
    POST: endpoint({
      summary: "Confirms enrolment with a code; answers the recovery codes, once",
      guard: pendingStaff,
      body: jsonBody(1024, totpCodeRequest),
      response: signedInResponse,
      errors: [
        { status: 400, code: "invalid_code" },
        { status: 409, code: "totp_not_pending" },
      ],
      handler: ({ services, request, body }) => finishTotpSetup(services, request, body.code),
    }),
  },
});
export const loader = api.loader;
export const action = api.action;
