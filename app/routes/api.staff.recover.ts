// POST {email}: the recovery-wrapped private key (a decoy for unknown addresses).
// POST {email, recoveryProof, keys}: sets a new password with the recovery key.
import { anyone } from "../.server/api-guards";
import { ApiError } from "../.server/platform/http";
import { apiRoute, endpoint, jsonBodyOf } from "../.server/platform/api-route";
import { recoveryMaterial, resetWithRecoveryKey } from "../.server/staff/password";
import { recoverRequest, recoverResponse, recoverStartRequest } from "../staff/wire";

export const api = apiRoute({
  summary: "Account recovery",
  methods: {
    POST: endpoint({
      summary:
        "{email}: the recovery-wrapped private key (a decoy for unknown addresses); {email, recoveryProof, keys}: a new password set with the recovery key",
      guard: anyone,
      // Recovery is a sign-in by other means: the same per-client limits apply (each call counts, before the body is read).
      before: ({ services, context }) => {
        const verdict = services.staffLoginLimiter.attempt(context.clientKey, Date.now());
        if (!verdict.ok) throw new ApiError(429, "too_many_attempts", "too many attempts; try again later");
      },
      body: jsonBodyOf(2048, [recoverRequest, recoverStartRequest] as const, (raw) =>
        raw && typeof raw === "object" && "recoveryProof" in raw ? recoverRequest : recoverStartRequest,
      ),
      response: recoverResponse,
      errors: [{ status: 429, code: "too_many_attempts" }],
      handler: async ({ services, body }) => {
        if ("recoveryProof" in body) {
          await resetWithRecoveryKey(services, body.email, body.recoveryProof, body.keys);
          return { ok: true };
        }
        return recoveryMaterial(services, body.email);
      },
    }),
  },
});
export const action = api.action;
