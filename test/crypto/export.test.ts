// cor-export-v1 (docs/CRYPTO.md §14): the committed vectors reproduce byte for byte, and are
// re-derived here from the spec with node:crypto (Ed25519, SHA-256) and libsodium's KDF; the
// manifest parser refuses every invalid vector; SHA-256 matches node:crypto; verification names
// each kind of change.
import { createHash, createPublicKey, verify as nodeVerify } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  encodeManifest,
  exportSigningKeyPair,
  fromBase64Url,
  isCryptoError,
  loadSodium,
  parseManifest,
  sha256Hex,
  signDetached,
  toBase64Url,
  utf8,
  verifyExportEntries,
  type StaffSecretKey,
} from "../../crypto";
import { sha256 } from "../../crypto/sha256";
import { exportVectors, type ExportVectors } from "../vectors/export-vectors";
import { fromHex, readVectorFile, seededRandom } from "../vectors/common";

let v: ExportVectors;

/** Ed25519 verification by node:crypto, from the raw 32-byte public key. */
function ed25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKey)]);
  return nodeVerify(null, message, createPublicKey({ key: der, format: "der", type: "spki" }), signature);
}

const entriesOf = (vectors: ExportVectors) =>
  new Map<string, Uint8Array>([
    ...vectors.files.map((f): [string, Uint8Array] => [f.path, utf8(f.content)]),
    ["manifest.json", utf8(vectors.manifest.text)],
    ["manifest.sig", utf8(vectors.signatureFile)],
  ]);

beforeAll(async () => {
  await loadSodium();
  v = readVectorFile<ExportVectors>("export-v1.json");
});

describe("cor-export-v1 vectors", () => {
  it("reproduce byte for byte", () => {
    expect(exportVectors()).toEqual(v);
  });

  it("match the spec recomputed independently", async () => {
    // The signing key: crypto_kdf_derive_from_key(32, 1, "corexsig", staff secret key) as an Ed25519 seed.
    const sodium = await loadSodium();
    const seed = sodium.crypto_kdf_derive_from_key(32, 1, "corexsig", fromHex(v.signingKey.staffSecretKey));
    expect(Buffer.from(sodium.crypto_sign_seed_keypair(seed).publicKey).toString("base64url")).toBe(v.signingKey.publicKey);
    // manifest.sig: its digest is SHA-256 of manifest.json; its signature Ed25519 over the prefix and those bytes.
    const manifest = utf8(v.manifest.text);
    const sig = JSON.parse(v.signatureFile) as { format: string; manifestSha256: string; signature: string };
    expect(Object.keys(sig)).toEqual(["format", "manifestSha256", "signature"]);
    expect(sig.manifestSha256).toBe(createHash("sha256").update(manifest).digest("hex"));
    const signed = Buffer.concat([Buffer.from("cor/export-manifest-v1\0"), manifest]);
    expect(ed25519Verify(signed, fromBase64Url(sig.signature), fromBase64Url(v.signingKey.publicKey))).toBe(true);
    // The certificate: Ed25519 by the portal over the prefix and the JSON array of its fields.
    const m = JSON.parse(v.manifest.text) as { parts: string[]; certificate: Record<string, unknown> & { audit: { seq: number; hash: string } } };
    const c = m.certificate;
    expect(c.format).toBe("cor-export-certificate-v2");
    // v2 signs the audited parts (an array, in the manifest's order) right after the case number.
    expect(c.parts).toEqual(m.parts);
    const fields = [
      c.exportId,
      c.reportId,
      c.caseNumber,
      c.parts,
      c.staffUserId,
      c.displayName,
      c.signingKey,
      c.audit.seq,
      c.audit.hash,
      c.issuedAt,
      c.portalKey,
    ];
    const certSigned = Buffer.from(`cor/export-certificate-v2\0${JSON.stringify(fields)}`);
    expect(c.portalKey).toBe(v.portal.publicKey);
    expect(ed25519Verify(certSigned, fromBase64Url(c.signature as string), fromBase64Url(v.portal.publicKey))).toBe(true);
    // Every file's digest.
    for (const f of v.files) expect(v.manifest.text).toContain(createHash("sha256").update(f.content).digest("hex"));
  });

  it("parse back to the bytes they came from, and verify", () => {
    const bytes = utf8(v.manifest.text);
    expect(encodeManifest(parseManifest(bytes))).toEqual(bytes);
    const verdict = verifyExportEntries(entriesOf(v), { portalKey: v.portal.publicKey });
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok && verdict.signed).toBe(true);
  });

  it("refuse every invalid manifest", () => {
    expect(v.invalidManifests.length).toBeGreaterThan(5);
    for (const bad of v.invalidManifests) {
      let error: unknown;
      try {
        parseManifest(utf8(bad.text));
      } catch (e) {
        error = e;
      }
      expect(isCryptoError(error), bad.why).toBe(true);
    }
    expect(() => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/UTF-8 JSON/);
  });
});

describe("parts the portal did not certify", () => {
  it("are named, though the manifest's signature and every file hold", () => {
    expect(v.refusedExports.length).toBeGreaterThan(1);
    for (const r of v.refusedExports) {
      const entries = new Map([...entriesOf(v), ["manifest.json", utf8(r.manifest)], ["manifest.sig", utf8(r.signatureFile)]]);
      const verdict = verifyExportEntries(entries, { portalKey: v.portal.publicKey });
      expect(verdict.problems, r.why).toEqual(r.problems);
      expect(verdict.ok || verdict.signed, r.why).toBe(false);
      // Only the parts differ: the certificate itself is the genuine one.
      expect(parseManifest(utf8(r.manifest)).certificate).toEqual(parseManifest(utf8(v.manifest.text)).certificate);
    }
  });

  it("cannot be certified otherwise: changing the certificate's parts breaks its signature", () => {
    const m = JSON.parse(v.manifest.text) as { parts: string[]; certificate: { parts: string[] } };
    m.parts = ["report", "dialogue", "notes", "files"];
    m.certificate.parts = m.parts;
    const manifest = utf8(`${JSON.stringify(m, null, 2)}\n`);
    const signer = exportSigningKeyPair(fromHex(v.signingKey.staffSecretKey) as StaffSecretKey);
    const sig = `${JSON.stringify({ format: "cor-export-signature-v1", manifestSha256: sha256Hex(manifest), signature: toBase64Url(signDetached(new Uint8Array(Buffer.concat([Buffer.from("cor/export-manifest-v1\0"), manifest])), signer.privateKey)) })}\n`;
    const verdict = verifyExportEntries(new Map([...entriesOf(v), ["manifest.json", manifest], ["manifest.sig", utf8(sig)]]), {
      portalKey: v.portal.publicKey,
    });
    expect(verdict.problems).toEqual([{ code: "certificate_invalid" }]);
  });
});

describe("verification names what changed", () => {
  const change = (entries: Map<string, Uint8Array>, path: string, at = 10) => {
    const copy = new Map(entries);
    const b = copy.get(path)!.slice();
    b[at] = b[at]! ^ 0x01;
    copy.set(path, b);
    return copy;
  };

  it("a changed byte anywhere in a file, the manifest or manifest.sig", () => {
    const entries = entriesOf(v);
    for (const [path, bytes] of entries) {
      for (let at = 0; at < bytes.length; at++) {
        const r = verifyExportEntries(change(entries, path, at), { portalKey: v.portal.publicKey });
        expect(r.ok, `${path}@${at}`).toBe(false);
        const codes = r.problems.map((p) => p.code);
        if (path === "manifest.json") expect(codes, `${path}@${at}`).toEqual(["manifest_changed"]);
        else if (path === "manifest.sig") expect(codes.join(), `${path}@${at}`).toMatch(/^signature_(invalid|unreadable|file_changed)$/);
        else expect(r.problems, `${path}@${at}`).toEqual([{ code: "file_changed", path }]);
      }
    }
  });

  it("a missing or added file, a missing signature, a certificate of another portal", () => {
    const entries = entriesOf(v);
    const without = (p: string) => new Map([...entries].filter(([k]) => k !== p));
    expect(verifyExportEntries(without(v.files[1]!.path)).problems).toEqual([{ code: "file_missing", path: v.files[1]!.path }]);
    expect(verifyExportEntries(new Map([...entries, ["files/99-new.txt", new Uint8Array()]])).problems).toEqual([
      { code: "file_added", path: "files/99-new.txt" },
    ]);
    expect(verifyExportEntries(without("manifest.sig")).problems).toEqual([{ code: "signature_missing" }]);
    expect(verifyExportEntries(without("manifest.json")).problems).toEqual([{ code: "manifest_missing" }]);
    expect(verifyExportEntries(entries, { portalKey: "A".repeat(43) }).problems).toEqual([{ code: "certificate_foreign", portalKey: v.portal.publicKey }]);
  });

  it("a manifest signed with a key other than the certified one", () => {
    const entries = entriesOf(v);
    const other = exportSigningKeyPair(new Uint8Array(32).fill(3) as StaffSecretKey);
    const manifest = entries.get("manifest.json")!;
    const signature = signDetached(new Uint8Array(Buffer.concat([Buffer.from("cor/export-manifest-v1\0"), manifest])), other.privateKey);
    const file = `${JSON.stringify({ format: "cor-export-signature-v1", manifestSha256: sha256Hex(manifest), signature: toBase64Url(signature) })}\n`;
    const r = verifyExportEntries(new Map([...entries, ["manifest.sig", utf8(file)]]));
    expect(r.problems).toEqual([{ code: "signature_invalid" }]);
  });
});

describe("sha256", () => {
  it("matches node:crypto at every length around the block boundaries, and on random data", () => {
    const rnd = seededRandom(54);
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 100_003]) {
      const data = new Uint8Array(n).map(() => Math.floor(rnd() * 256));
      expect(Buffer.from(sha256(data)).toString("hex"), String(n)).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });
});
