// The keyed audit chain and its checkpoints (ADR 028), recomputed here from the formulas in docs/CRYPTO.md §9
// with Node's own crypto, as an outside verifier would, without the portal's code.
import { createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { entryHash, keyedEntryHash } from "../../app/.server/audit/audit";
import { CheckpointError, readCheckpoint, requireOwnCheckpoint, signCheckpoint } from "../../app/.server/audit/checkpoint";
import { PortalSecret } from "../../app/.server/platform/secrets";

const master = Buffer.alloc(32, 7);
const secret = new PortalSecret(master);
const prev = Buffer.alloc(32, 0xab);
const entry = {
  seq: 42,
  at: new Date("2031-04-02T03:04:05.678Z"),
  actorType: "staff",
  actorId: "0b8a6c1e-2f0d-4c55-9a43-6c1b8f7e2d10",
  action: "case.status",
  reportId: null,
  caseNumber: "COR-AB12-CD34",
  details: { to: "closed", from: "in_progress" },
};
// The canonical JSON of the entry: details' keys sorted.
const body = `[42,"2031-04-02T03:04:05.678Z","staff","0b8a6c1e-2f0d-4c55-9a43-6c1b8f7e2d10","case.status",null,"COR-AB12-CD34",{"from":"in_progress","to":"closed"}]`;
const hkdf = (info: string) => Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));

describe("the audit chain's format", () => {
  it("v1 (release 0.1.x) is SHA-256 of the label, the previous hash and the canonical JSON", () => {
    const expected = createHash("sha256").update("cor/audit-v1\0").update(prev).update(body).digest();
    expect(Buffer.from(entryHash(prev, entry)).equals(expected)).toBe(true);
  });

  it("v2 is HMAC-SHA256 under the HKDF `audit-chain` key of the portal secret", () => {
    const key = hkdf("clean-okestro-report/audit-chain");
    expect(key.equals(secret.key("audit-chain"))).toBe(true);
    const expected = createHmac("sha256", key).update("cor/audit-v2\0").update(prev).update(body).digest();
    expect(Buffer.from(keyedEntryHash(key, prev, entry)).equals(expected)).toBe(true);
    // Another key, or the unkeyed formula, gives another hash: that is what a database writer can compute.
    expect(Buffer.from(keyedEntryHash(Buffer.alloc(32, 8), prev, entry)).equals(expected)).toBe(false);
    expect(Buffer.from(entryHash(prev, entry)).equals(expected)).toBe(false);
  });
});

describe("audit checkpoints", () => {
  const point = { entries: 42, head: createHash("sha256").update("head").digest("hex") };

  it("are signed with Ed25519 under a key pair from the `audit-checkpoint` key, checkable with the public key alone", async () => {
    const c = await signCheckpoint(secret, point, new Date("2031-04-02T09:00:00Z"));
    expect(c).toMatchObject({ format: "cor-audit-checkpoint-v1", ...point, at: "2031-04-02T09:00:00.000Z", secret: secret.fingerprint });
    // The seed: HMAC-SHA256(audit-checkpoint key, "ed25519 seed"); the key pair as RFC 8032 makes it from the seed.
    const seed = createHmac("sha256", hkdf("clean-okestro-report/audit-checkpoint")).update("ed25519 seed").digest();
    const priv = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
    expect((createPublicKey(priv).export({ format: "jwk" }) as { x: string }).x).toBe(c.publicKey);
    const message = Buffer.from(`cor/audit-checkpoint-v1\0${JSON.stringify([c.entries, c.head, c.at, c.secret, c.publicKey])}`);
    const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: c.publicKey }, format: "jwk" });
    expect(verify(null, message, pub, Buffer.from(c.signature, "base64url"))).toBe(true);
    expect(await readCheckpoint(JSON.stringify(c))).toEqual(c);
    await expect(requireOwnCheckpoint(secret, c)).resolves.toBeUndefined();
  });

  it("are refused when a field was changed, when malformed, or when made under another secret", async () => {
    const c = await signCheckpoint(secret, point, new Date());
    for (const changed of [{ entries: 41 }, { head: "00".repeat(32) }, { at: new Date(0).toISOString() }]) {
      await expect(readCheckpoint(JSON.stringify({ ...c, ...changed }))).rejects.toThrow(/signature does not hold/);
    }
    await expect(readCheckpoint("{")).rejects.toThrow(CheckpointError);
    await expect(readCheckpoint(JSON.stringify({ ...c, format: "other" }))).rejects.toThrow(/not a cor-audit-checkpoint-v1/);
    await expect(readCheckpoint(JSON.stringify({ ...c, entries: -1 }))).rejects.toThrow(/not a cor-audit-checkpoint-v1/);
    const other = new PortalSecret(Buffer.alloc(32, 9));
    const foreign = await signCheckpoint(other, point, new Date());
    await expect(readCheckpoint(JSON.stringify(foreign))).resolves.toEqual(foreign);
    await expect(requireOwnCheckpoint(secret, foreign)).rejects.toThrow(/signed under another portal secret/);
  });
});
