// The portal secret (ADR 027): made once in DATA_DIR with mode 0600, read back the same, overridden by PORTAL_SECRET,
// refused when malformed, and one key per purpose.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/platform/config";
import { loadPortalSecret, PortalSecret, PortalSecretError, SECRET_FILE_NAME } from "../../app/.server/platform/secrets";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "cor-secret-"));

describe("the portal secret", () => {
  it("is made on first start in DATA_DIR, readable by its owner only, and read back the same", () => {
    const dir = tempDir();
    const first = loadPortalSecret({ dataDir: dir });
    const file = path.join(dir, SECRET_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = loadPortalSecret({ dataDir: dir, create: false });
    expect(again.key("audit-chain").equals(first.key("audit-chain"))).toBe(true);
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it("is the same for processes that start at once", () => {
    const dir = tempDir();
    const secrets = Array.from({ length: 8 }, () => loadPortalSecret({ dataDir: dir }));
    expect(new Set(secrets.map((s) => s.fingerprint)).size).toBe(1);
  });

  it("comes from PORTAL_SECRET when it is set, and no file is made", () => {
    const dir = tempDir();
    const value = randomBytes(32).toString("base64url");
    const secret = loadPortalSecret({ value, dataDir: dir });
    expect(secret.key("proof-of-work").equals(new PortalSecret(Buffer.from(value, "base64url")).key("proof-of-work"))).toBe(true);
    expect(() => statSync(path.join(dir, SECRET_FILE_NAME))).toThrow();
  });

  it("refuses a malformed value or file, and a missing file where it may not make one", () => {
    expect(() => loadConfig({ PORTAL_SECRET: "short" })).toThrow(/PORTAL_SECRET: must be 32 random bytes/);
    const dir = tempDir();
    expect(() => loadPortalSecret({ dataDir: dir, create: false })).toThrow(PortalSecretError);
    writeFileSync(path.join(dir, SECRET_FILE_NAME), "not a secret\n");
    expect(() => loadPortalSecret({ dataDir: dir })).toThrow(/portal-secret: must be 32 random bytes/);
  });

  it("derives a different key for every purpose", () => {
    const secret = new PortalSecret(randomBytes(32));
    const keys = (["audit-chain", "client-pseudonym", "proof-of-work", "audit-checkpoint"] as const).map((p) => secret.key(p).toString("hex"));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
