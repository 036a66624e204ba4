// Limits on receipt-code attempts, kept in memory only. Clients are known by a
// keyed hash of their address whose key rotates daily and never leaves the
// process, so nothing here can be turned back into an IP address, and nothing
// is written anywhere.
import { createHmac, randomBytes } from "node:crypto";

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

/** Keyed, rotating pseudonyms for client addresses (HMAC-SHA256, key renewed every 24 h). */
export class ClientPseudonyms {
  private key = randomBytes(32);
  private keyFrom = Date.now();

  of(address: string, now = Date.now()): string {
    if (now - this.keyFrom > 24 * 3600_000) {
      this.key = randomBytes(32);
      this.keyFrom = now;
    }
    return createHmac("sha256", this.key).update(address).digest("base64url").slice(0, 22);
  }
}
