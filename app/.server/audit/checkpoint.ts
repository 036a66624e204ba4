// Signed checkpoints of the audit chain (ADR 028): the number of entries and
// the last hash, signed with an Ed25519 key derived from the portal secret.
// Kept outside the database (a file from `audit:checkpoint`, the head in the
// administrators' daily digest), a checkpoint lets `audit:verify --checkpoint`
// notice a log that was cut or rewritten, even with the chain recomputed. Anyone
// holding the public key can check the signature without the secret.
//
// The file is JSON:
//   { "format": "cor-audit-checkpoint-v1", "entries": N, "head": hex(hash N),
//     "at": ISO 8601, "secret": fingerprint, "publicKey": base64url, "signature": base64url }
// signature = Ed25519( "cor/audit-checkpoint-v1\0" || JSON.stringify([entries, head, at, secret, publicKey]) )
// with the key pair of seed HMAC-SHA256(audit-checkpoint key, "ed25519 seed").
import { fromBase64Url, loadSodium, signDetached, signingKeyPairFromSeed, toBase64Url, utf8, verifyDetached } from "../../../crypto";
import type { Db } from "../../../db/client";
import type { PortalSecret } from "../platform/secrets";
import { verifyAuditChain, type AuditKey, type ChainPoint } from "./audit";

export const CHECKPOINT_FORMAT = "cor-audit-checkpoint-v1";

export interface AuditCheckpoint extends ChainPoint {
  format: typeof CHECKPOINT_FORMAT;
  at: string;
  /** The portal secret's fingerprint (PortalSecret.fingerprint). */
  secret: string;
  publicKey: string;
  signature: string;
}

/** A checkpoint file that cannot be read, or whose signature or key does not hold. */
export class CheckpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CheckpointError";
  }
}

function signedBytes(c: Omit<AuditCheckpoint, "format" | "signature">): Uint8Array {
  return utf8(`cor/audit-checkpoint-v1\0${JSON.stringify([c.entries, c.head, c.at, c.secret, c.publicKey])}`);
}

async function keyPair(secret: PortalSecret) {
  await loadSodium();
  return signingKeyPairFromSeed(secret.mac("audit-checkpoint", "ed25519 seed"));
}

/** The checkpoints' public key (base64url), to publish so others can check them. */
export async function checkpointPublicKey(secret: PortalSecret): Promise<string> {
  return toBase64Url((await keyPair(secret)).publicKey);
}

/** Signs the given point of the chain. */
export async function signCheckpoint(secret: PortalSecret, point: ChainPoint, at: Date): Promise<AuditCheckpoint> {
  const kp = await keyPair(secret);
  const unsigned = { entries: point.entries, head: point.head, at: at.toISOString(), secret: secret.fingerprint, publicKey: toBase64Url(kp.publicKey) };
  return { format: CHECKPOINT_FORMAT, ...unsigned, signature: toBase64Url(signDetached(signedBytes(unsigned), kp.privateKey)) };
}

/** Verifies the whole chain, then signs its current head; refuses a broken chain. */
export async function takeCheckpoint(db: Db, k: AuditKey, at: Date): Promise<AuditCheckpoint> {
  const r = await verifyAuditChain(db, k);
  if (!r.ok) throw new CheckpointError(`the audit chain is broken at entry ${r.brokenAt} (${r.reason}): no checkpoint taken`);
  return signCheckpoint(k.secret, { entries: r.entries, head: r.head ?? "00".repeat(32) }, at);
}

/** Parses a checkpoint file's text and checks its shape and its signature under the key it names. */
export async function readCheckpoint(text: string): Promise<AuditCheckpoint> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError("the checkpoint is not JSON", { cause: error });
  }
  const c = v as Partial<AuditCheckpoint> | null;
  if (
    !c ||
    typeof c !== "object" ||
    c.format !== CHECKPOINT_FORMAT ||
    !Number.isSafeInteger(c.entries) ||
    c.entries! < 0 ||
    typeof c.head !== "string" ||
    !/^[0-9a-f]{64}$/.test(c.head) ||
    typeof c.at !== "string" ||
    Number.isNaN(Date.parse(c.at)) ||
    typeof c.secret !== "string" ||
    typeof c.publicKey !== "string" ||
    typeof c.signature !== "string"
  ) {
    throw new CheckpointError(`not a ${CHECKPOINT_FORMAT} checkpoint`);
  }
  await loadSodium();
  let ok = false;
  try {
    ok = verifyDetached(signedBytes(c as AuditCheckpoint), fromBase64Url(c.signature), fromBase64Url(c.publicKey));
  } catch (error) {
    throw new CheckpointError("the checkpoint's key or signature is not base64url", { cause: error });
  }
  if (!ok) throw new CheckpointError("the checkpoint's signature does not hold: the file was changed");
  return c as AuditCheckpoint;
}

/** Refuses a (validly signed) checkpoint made under another portal secret. */
export async function requireOwnCheckpoint(secret: PortalSecret, c: AuditCheckpoint): Promise<void> {
  if (c.publicKey !== (await checkpointPublicKey(secret))) {
    throw new CheckpointError(`the checkpoint was signed under another portal secret (fingerprint ${c.secret}; this portal's is ${secret.fingerprint})`);
  }
}
