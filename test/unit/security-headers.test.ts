// The security headers' policies as strings: media only from blob: URLs (the voice message players, ADR 046),
// and the microphone only on the two pages that record.
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, permissionsPolicy } from "../../server/security-headers";

describe("security headers", () => {
  it("allows media from blob: URLs only, and keeps scripts and styles on the nonce", () => {
    const csp = contentSecurityPolicy("abc", false);
    expect(csp.split("; ")).toContain("media-src blob:");
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'|media-src[^;]*(\*|data:|https?:)/);
  });

  it("lets /report and /status ask for the microphone, and no other page", () => {
    expect(permissionsPolicy("/report")).toContain("microphone=(self)");
    expect(permissionsPolicy("/status")).toContain("microphone=(self)");
    for (const path of ["/", "/privacy", "/staff", "/staff/cases/COR-2026-0001", "/report/x", "/api/intake/info"]) {
      expect(permissionsPolicy(path)).toContain("microphone=()");
    }
    expect(permissionsPolicy("/report")).toContain("camera=()");
  });
});
