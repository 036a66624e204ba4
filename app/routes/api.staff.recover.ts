// POST {email}: the recovery-wrapped private key (a decoy for unknown addresses).
// POST {email, recoveryProof, keys}: sets a new password with the recovery key.
import { anyone } from "../.server/api-guards";
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
      // Recovery is a sign-in by other means: a wrong recovery key counts in the sign-in back-off of the address and client (ADR 030).
      body: jsonBodyOf(2048, [recoverRequest, recoverStartRequest] as const, (raw) =>
        raw && typeof raw === "object" && "recoveryProof" in raw ? recoverRequest : recoverStartRequest,
      ),
      // The way past the sign-in back-off (ADR 035), for both forms: sent only after a 429 that asks for it.
      proofOfWork: { action: "staff-sign-in", optional: true },
      response: recoverResponse,
      errors: [
        { status: 401, code: "invalid_recovery" },
        { status: 429, code: "too_many_attempts" },
      ],
      handler: async ({ services, body, context, proof }) => {
        if ("recoveryProof" in body) {
          await resetWithRecoveryKey(services, body.email, body.recoveryProof, body.keys, context.clientKey, proof);
          return { ok: true };
        }
        return recoveryMaterial(services, body.email, context.clientKey, proof);
      },
    }),
  },
});
export const action = api.action;
