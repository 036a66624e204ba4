// POST {email}: the recovery-wrapped private key (a decoy for unknown addresses).
// POST {email, recoveryProof, keys}: sets a new password with the recovery key.
import type { ActionFunctionArgs } from "@remix-run/node";
import { ApiError, handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { recoveryMaterial, resetWithRecoveryKey } from "../.server/staff/password";
import { recoverRequest, recoverStartRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    // Recovery is a sign-in by other means: the same per-client limits apply (each call counts).
    const verdict = s.staffLoginLimiter.attempt(context.clientKey, Date.now());
    if (!verdict.ok) throw new ApiError(429, "too_many_attempts", "too many attempts; try again later");
    const body = await readJson(request, 2048);
    if (body && typeof body === "object" && "recoveryProof" in body) {
      const input = parseWith(recoverRequest, body);
      await resetWithRecoveryKey(s, input.email, input.recoveryProof, input.keys);
      return json({ ok: true });
    }
    const input = parseWith(recoverStartRequest, body);
    return json(await recoveryMaterial(s, input.email));
  });
}
