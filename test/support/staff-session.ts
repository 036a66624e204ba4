// A staff member signing in through the real API from Node: a fetch with a
// cookie jar (as a browser has), the real StaffClient, and TOTP codes made
// from the enrolled secret (as an authenticator app would).
import * as OTPAuth from "otpauth";
import { StaffClient } from "../../app/staff/staff-client";

/** `from`: the client address to claim in X-Forwarded-For (the portal must trust one proxy hop, TRUST_PROXY=1). */
export function cookieFetch(from?: string): typeof fetch {
  const jar = new Map<string, string>();
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (from) headers.set("X-Forwarded-For", from);
    if (jar.size) headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const r = await fetch(input, { ...init, headers });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = pair!.split("=");
      if (v) jar.set(k!, v);
      else jar.delete(k!);
    }
    return r;
  };
}

export function totpCode(secretBase32: string, at = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });
}

export interface SignedInStaff {
  client: StaffClient;
  totpSecret: string;
  recoveryCodes: string[];
}

/** First sign-in of a CLI-created account: password, authenticator enrolment, recovery codes. */
export async function firstSignIn(baseUrl: string, email: string, password: string, from?: string): Promise<SignedInStaff> {
  const client = new StaffClient({ baseUrl, fetch: cookieFetch(from) });
  const next = await client.signIn(email, password);
  if (next !== "totp_setup") throw new Error(`expected totp_setup, got ${next}`);
  const setup = await client.beginTotpSetup();
  const recoveryCodes = await client.finishTotpSetup(totpCode(setup.secret));
  return { client, totpSecret: setup.secret, recoveryCodes };
}
