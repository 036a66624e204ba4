import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { AttemptLimiter, ClientPseudonyms } from "../../app/.server/platform/rate-limit";
import { PortalSecret } from "../../app/.server/platform/secrets";
import { clientNetwork } from "../../server/start";

describe("receipt attempt limits", () => {
  const config = { perClient: 3, global: 10, windowMs: 60_000, maxClients: 5 };

  it("limits each client, then forgives after the window", () => {
    const l = new AttemptLimiter(config);
    for (let i = 0; i < 3; i++) {
      expect(l.check("a", 0).ok).toBe(true);
      l.fail("a", 0);
    }
    expect(l.check("a", 1000)).toEqual({ ok: false, retryAfterMs: 59_000, scope: "client" });
    expect(l.check("b", 1000).ok).toBe(true);
    expect(l.check("a", 60_001).ok).toBe(true);
  });

  it("limits all clients together", () => {
    const l = new AttemptLimiter({ ...config, maxClients: 100 });
    for (let i = 0; i < 10; i++) l.fail(`c${i}`, 0);
    expect(l.check("fresh", 1)).toMatchObject({ ok: false, scope: "global" });
    expect(l.check("fresh", 60_001).ok).toBe(true);
  });

  it("bounds its memory", () => {
    const l = new AttemptLimiter({ ...config, global: 1000 });
    for (let i = 0; i < 5; i++) l.fail(`c${i}`, 0);
    expect(l.check("sixth", 1)).toMatchObject({ ok: false, scope: "global" });
    expect(l.check("sixth", 60_001).ok).toBe(true); // expired entries are pruned
    expect(l.trackedClients).toBe(0);
  });

  it("turns addresses into keyed pseudonyms that do not contain them", () => {
    const secret = new PortalSecret(randomBytes(32));
    const p = new ClientPseudonyms(secret);
    const day = Date.UTC(2026, 11, 7, 9);
    const a = p.of("192.0.2.1", day);
    expect(a).toBe(p.of("192.0.2.1", day + 3600_000));
    expect(a).toBe(new ClientPseudonyms(secret).of("192.0.2.1", day)); // every instance with the secret names it alike
    expect(a).not.toBe(p.of("192.0.2.2", day));
    expect(a).not.toContain("192");
    expect(p.of("192.0.2.1", day + 86_400_000)).not.toBe(a); // a new key each day
    expect(new ClientPseudonyms(new PortalSecret(randomBytes(32))).of("192.0.2.1", day)).not.toBe(a); // and per secret
  });
});

describe("client networks for rate limits", () => {
  it("keeps IPv4 addresses and groups IPv6 by /64", () => {
    expect(clientNetwork("192.0.2.7")).toBe("192.0.2.7");
    expect(clientNetwork("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientNetwork("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientNetwork("2001:db8:1:2::9")).toBe(clientNetwork("2001:db8:1:2:ffff::1"));
    expect(clientNetwork("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientNetwork("::1")).toBe("0:0:0:0::/64");
  });

  it("counts an attempt before the answer, and takes it back on success", () => {
    const l = new AttemptLimiter({ perClient: 2, global: 100, windowMs: 60_000, maxClients: 10 });
    expect(l.attempt("a", 0).ok).toBe(true);
    expect(l.attempt("a", 0).ok).toBe(true);
    expect(l.attempt("a", 0).ok).toBe(false);
    l.succeeded("a");
    expect(l.attempt("a", 0).ok).toBe(true);
  });
});
