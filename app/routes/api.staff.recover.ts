// POST {email}: the recovery-wrapped private key (a decoy for unknown addresses).
// POST {email, recoveryProof, keys}: sets a new password with the recovery key.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/http";
import { services } from "../.server/services";
import { recoveryMaterial, resetWithRecoveryKey } from "../.server/staff-password";
import { recoverRequest, recoverStartRequest } from "../staff/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
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
