// Clients are known only by a keyed hash of their network (server/start.ts
// clientNetwork): the key is derived from the portal secret, never stored with
// the data, and changes daily, so nothing that stores a pseudonym (limits,
// back-off, proof-of-work and upload state in the database) can be turned back
// into an IP address. The limits themselves live in the database (ADR 030,
// 031, 032, 034), so they hold across restarts and instances.
import type { PortalSecret } from "./secrets";

/**
 * Keyed pseudonyms of client addresses: HMAC-SHA256 under a key derived from
 * the portal secret (ADR 027) and the day, so every instance and every restart
 * names a client alike for a day, and someone who reads stored limit state
 * without the secret cannot test addresses against it.
 */
export class ClientPseudonyms {
  constructor(private readonly secret: PortalSecret) {}

  of(address: string, now = Date.now()): string {
    const day = Math.floor(now / 86_400_000).toString();
    return this.secret.mac("client-pseudonym", day, "\u0000", address).toString("base64url").slice(0, 22);
  }
}
