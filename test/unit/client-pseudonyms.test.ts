import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { ClientPseudonyms } from "../../app/.server/platform/client-pseudonyms";
import { PortalSecret } from "../../app/.server/platform/secrets";
import { clientNetwork } from "../../server/start";

describe("client pseudonyms", () => {
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
});
