// The manifest of a backup (ADR 038): what the directory holds, with the size and
// SHA-256 of every file, written last; `restore` checks all of it before it touches
// the data directory. Paths are fixed names or blob paths (`blobs/<last two
// characters of the key>/<key>`), never anything read from a request.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isBlobKey } from "../platform/blob-store";

export const MANIFEST_FILE = "manifest.json";
export const DATABASE_FILE = "database.tar.gz";
export const SECRET_FILE = "portal-secret";
const FORMAT = "clean-okestro-report-backup";
const VERSION = 1;

/** An operator's mistake or a refusal (exit status 2): the message says what to do. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackupError";
  }
}

/** The backup directory does not match its manifest (changed, truncated, incomplete): nothing was restored. */
export class BackupIntegrityError extends BackupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackupIntegrityError";
  }
}

/** A path the manifest may name: the database, the secret, or a blob in its shard directory. */
function isBackupPath(p: string): boolean {
  if (p === DATABASE_FILE || p === SECRET_FILE) return true;
  const [top, shard, key, ...rest] = p.split("/");
  return top === "blobs" && rest.length === 0 && key !== undefined && isBlobKey(key) && shard === key.slice(-2);
}

const fileSchema = z
  .object({
    path: z.string().refine(isBackupPath, "not a file a backup holds"),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const manifestSchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(VERSION),
    /** When the database was copied. */
    createdAt: z.string().datetime(),
    /** Whether the running portal copied its database (blob deletions held meanwhile), or the CLI with the portal stopped. */
    takenFrom: z.enum(["running portal", "stopped portal"]),
    /** `included`: DATA_DIR/portal-secret is in the backup; `environment`: PORTAL_SECRET, kept by the operator. */
    portalSecret: z.enum(["included", "environment"]),
    /** The secret's fingerprint (never the secret): restore warns when the portal would start with another one. */
    secretFingerprint: z.string().regex(/^[0-9a-f]{16}$/),
    counts: z.object({ files: z.number().int().min(1), blobs: z.number().int().min(0), blobBytes: z.number().int().min(0) }).strict(),
    files: z.array(fileSchema).min(1),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];

export function newManifest(fields: Omit<Manifest, "format" | "version" | "counts">): Manifest {
  const blobs = fields.files.filter((f) => f.path.startsWith("blobs/"));
  return {
    format: FORMAT,
    version: VERSION,
    ...fields,
    counts: { files: fields.files.length, blobs: blobs.length, blobBytes: blobs.reduce((n, f) => n + f.bytes, 0) },
  };
}

/** Size and SHA-256 of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** Every regular file under `dir`, as a path relative to it with "/" separators. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    // readdir describes the entry itself: a link (to a file anywhere), a pipe or a device is refused, never followed.
    else if (entry.isFile()) out.push(rel);
    else throw new BackupIntegrityError(`${path.join(dir, rel)} is not a regular file (a link, a pipe or a device): a backup holds only files`);
  }
  return out;
}

/**
 * Reads the manifest of the backup in `dir` and checks every file against it: present, of its size and
 * SHA-256, and nothing else in the directory. Throws BackupIntegrityError naming the first difference.
 */
export async function verifyBackup(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), "utf8");
  } catch (error) {
    throw new BackupError(`${dir} is not a backup: cannot read its ${MANIFEST_FILE}`, { cause: error });
  }
  let parsed: z.SafeParseReturnType<unknown, Manifest>;
  try {
    parsed = manifestSchema.safeParse(JSON.parse(text));
  } catch (error) {
    throw new BackupIntegrityError(`${MANIFEST_FILE} in ${dir} is not valid JSON`, { cause: error });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupIntegrityError(`${MANIFEST_FILE} in ${dir} is not a backup manifest of this release: ${issue.path.join(".")}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  if (listed.size !== manifest.files.length) throw new BackupIntegrityError(`${MANIFEST_FILE} names a file twice`);
  if (!listed.has(DATABASE_FILE)) throw new BackupIntegrityError(`${MANIFEST_FILE} names no ${DATABASE_FILE}`);
  const present = (await filesUnder(dir)).filter((p) => p !== MANIFEST_FILE);
  const extra = present.find((p) => !listed.has(p));
  if (extra) throw new BackupIntegrityError(`${dir} holds ${extra}, which its manifest does not name`);
  for (const f of manifest.files) {
    const got = await hashFile(path.join(dir, f.path)).catch((error: NodeJS.ErrnoException) => {
      throw new BackupIntegrityError(`${f.path} is missing from ${dir} (${error.code ?? error.message})`, { cause: error });
    });
    if (got.bytes !== f.bytes || got.sha256 !== f.sha256) {
      throw new BackupIntegrityError(`${f.path} in ${dir} is not the file the manifest names (${got.bytes} bytes, expected ${f.bytes}; SHA-256 differs)`);
    }
  }
  return manifest;
}
