// Limits on receipt-code attempts, kept in memory only. Clients are known by a
// keyed hash of their address whose key rotates daily and is derived from the
// portal secret (never stored with the data), so nothing here can be turned
// back into an IP address.
import type { PortalSecret } from "./secrets";

export interface LimitConfig {
  perClient: number;
  global: number;
  windowMs: number;
  /** Upper bound on tracked clients; beyond it every unknown client counts as limited. */
  maxClients: number;
}

export type LimitVerdict = { ok: true } | { ok: false; retryAfterMs: number; scope: "client" | "global" };

interface Counter {
  failures: number;
  resetAt: number;
}

export class AttemptLimiter {
  private readonly clients = new Map<string, Counter>();
  private global: Counter = { failures: 0, resetAt: 0 };

  constructor(private readonly config: LimitConfig) {}

  private globalWindow(now: number): Counter {
    if (this.global.resetAt <= now) this.global = { failures: 0, resetAt: now + this.config.windowMs };
    return this.global;
  }

  check(clientKey: string, now: number): LimitVerdict {
    this.globalWindow(now);
    if (this.global.failures >= this.config.global) return { ok: false, retryAfterMs: this.global.resetAt - now, scope: "global" };
    const c = this.clients.get(clientKey);
    if (c && c.resetAt > now && c.failures >= this.config.perClient) return { ok: false, retryAfterMs: c.resetAt - now, scope: "client" };
    if (!c && this.clients.size >= this.config.maxClients) {
      this.prune(now);
      if (this.clients.size >= this.config.maxClients) return { ok: false, retryAfterMs: this.config.windowMs, scope: "global" };
    }
    return { ok: true };
  }

  /**
   * Checks and, if allowed, counts the attempt as a failure at once (no await
   * in between, so concurrent requests cannot all slip through); call
   * `succeeded` to take it back when it turns out right.
   */
  attempt(clientKey: string, now: number): LimitVerdict {
    const verdict = this.check(clientKey, now);
    if (verdict.ok) this.fail(clientKey, now);
    return verdict;
  }

  succeeded(clientKey: string): void {
    if (this.global.failures > 0) this.global.failures--;
    const c = this.clients.get(clientKey);
    if (c && c.failures > 0) c.failures--;
  }

  fail(clientKey: string, now: number): void {
    this.globalWindow(now).failures++;
    const c = this.clients.get(clientKey);
    if (!c || c.resetAt <= now) this.clients.set(clientKey, { failures: 1, resetAt: now + this.config.windowMs });
    else c.failures++;
  }

  prune(now: number): void {
    for (const [k, c] of this.clients) if (c.resetAt <= now) this.clients.delete(k);
  }

  get trackedClients(): number {
    return this.clients.size;
  }
}

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
