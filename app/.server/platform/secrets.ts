// The portal's own secret, kept outside the database (ADR 027). Keys derived
// from it make the audit chain unforgeable by someone who can only write the
// database, keep client pseudonyms from being tested against addresses by
// someone who can only read it, and sign proof-of-work challenges.
//
// It comes from `PORTAL_SECRET` (32 bytes, base64url) or, when that is unset,
// from the file `DATA_DIR/portal-secret`, made with mode 0600 on first start.
// Several instances on one database must share it (the same variable, or the
// same file). Losing it loses no report, but the keyed audit chain no longer
// verifies (there is no re-keying yet, ADR 028); checkpoints signed before still
// check with their public key, and pseudonyms rotate daily anyway.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What a derived key is for; each purpose gets its own key, so one can never stand in for another. */
export type SecretPurpose =
  "audit-chain" | "client-pseudonym" | "proof-of-work" | "audit-checkpoint" | "sign-in-backoff" | "sign-in-decoy" | "export-certificate";

export const SECRET_BYTES = 32;
export const SECRET_FILE_NAME = "portal-secret";

export class PortalSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PortalSecretError";
  }
}

export class PortalSecret {
  private readonly keys = new Map<SecretPurpose, Buffer>();

  constructor(private readonly master: Buffer) {
    if (master.length !== SECRET_BYTES) throw new PortalSecretError(`the portal secret must be ${SECRET_BYTES} bytes (got ${master.length})`);
  }

  /** A 32-byte key for one purpose (HKDF-SHA256 of the secret, the purpose as info). */
  key(purpose: SecretPurpose): Buffer {
    let k = this.keys.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync("sha256", this.master, Buffer.alloc(0), `clean-okestro-report/${purpose}`, SECRET_BYTES));
      this.keys.set(purpose, k);
    }
    return k;
  }

  /** HMAC-SHA256 under the purpose's key. */
  mac(purpose: SecretPurpose, ...parts: (string | Buffer)[]): Buffer {
    const h = createHmac("sha256", this.key(purpose));
    for (const p of parts) h.update(p);
    return h.digest();
  }

  /** A short fingerprint that names the secret in logs and checkpoints without revealing it. */
  get fingerprint(): string {
    return this.mac("audit-checkpoint", "fingerprint").subarray(0, 8).toString("hex");
  }
}

function decode(value: string, source: string): Buffer {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value.trim())) {
    throw new PortalSecretError(
      `${source}: must be ${SECRET_BYTES} random bytes in unpadded base64url (43 characters); make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  return Buffer.from(value.trim(), "base64url");
}

/**
 * The secret from `PORTAL_SECRET`, else from `DATA_DIR/portal-secret`, made there on first use.
 * `create: false` (the CLI's read-only commands) refuses instead of making a new one.
 */
export function loadPortalSecret(options: { value?: string; dataDir: string; create?: boolean }): PortalSecret {
  if (options.value) return new PortalSecret(decode(options.value, "PORTAL_SECRET"));
  const file = path.join(options.dataDir, SECRET_FILE_NAME);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new PortalSecretError(`cannot read ${file}`, { cause: error });
  }
  if (text !== undefined) return new PortalSecret(decode(text, file));
  if (options.create === false) throw new PortalSecretError(`no portal secret: set PORTAL_SECRET or start the portal once to make ${file}`);
  const secret = randomBytes(SECRET_BYTES);
  // Written aside and linked into place: two processes starting at once cannot both make one,
  // and neither reads a half-written file; the loser reads the winner's.
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(aside, secret.toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadPortalSecret({ ...options, create: false });
    throw new PortalSecretError(`cannot write ${file}`, { cause: error });
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // never written
    }
  }
  return new PortalSecret(secret);
}
