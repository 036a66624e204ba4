import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/.server/platform/config";

describe("configuration", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.paths.pglite).toMatch(/data\/pgdata$/);
    expect(c.paths.blobs).toMatch(/data\/blobs$/);
    expect(c.MAX_ATTACHMENT_BYTES).toBeGreaterThanOrEqual(2 * 1024 ** 3);
  });

  it("names every bad variable and the value it got", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", TIME_ZONE: "Mars/Olympus", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: Expected number, received nan (got "eighty")');
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL (got "mysql://x")');
    expect(message).toContain("LOG_LEVEL");
    expect(() => loadConfig({ TIME_ZONE: "Mars/Olympus" })).toThrow(/TIME_ZONE: unknown time zone/);
  });

  it("checks API answers against their schemas except in production, unless told otherwise", () => {
    expect(loadConfig({}).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ NODE_ENV: "test" }).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }).API_RESPONSE_CHECK).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", API_RESPONSE_CHECK: "true" }).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ API_RESPONSE_CHECK: "false" }).API_RESPONSE_CHECK).toBe(false);
    expect(() => loadConfig({ API_RESPONSE_CHECK: "sometimes" })).toThrow(/API_RESPONSE_CHECK/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });
});
