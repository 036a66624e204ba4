// Configuration, read from the environment once at boot and validated; a bad
// value stops the server with a message that names the variable.
//
// Every variable with its default and range is here; README's table explains
// them to operators: keep both in step. `PUBLIC_ORIGIN` serves three purposes:
// the origin the same-origin check expects (needed behind a TLS proxy),
// `https://` makes the staff cookie `Secure`, and it is the origin of printed
// setup and invitation links and of e-mail links. Empty values count as unset;
// paths are resolved from `DATA_DIR`.
import path from "node:path";
import { z } from "zod";

const GiB = 1024 ** 3;

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // An origin, compared character for character with each request's Origin header: a trailing slash
  // ("https://report.example.com/") is dropped, a path, query or fragment refused.
  PUBLIC_ORIGIN: z
    .string()
    .url("must be a URL such as https://report.example.com")
    .refine((v) => /^https?:$/.test(new URL(v).protocol), "must be an http:// or https:// origin")
    .refine((v) => {
      const u = new URL(v);
      return u.pathname === "/" && !u.search && !u.hash && !v.endsWith("?") && !v.endsWith("#");
    }, "must be an origin only (scheme, host, port), with no path, such as https://report.example.com")
    .transform((v) => new URL(v).origin)
    .optional(),
  /** Where attachment ciphertext is kept (ADR 037): unset, DATA_DIR/blobs on local disk; s3://bucket/prefix, an S3-compatible bucket. */
  BLOB_STORE_URL: z
    .string()
    .regex(
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._/-]*)?$/,
      "must be s3://bucket or s3://bucket/prefix (a lower-case bucket name; a prefix of letters, digits, . _ - /)",
    )
    .optional(),
  /** The S3-compatible service's address (MinIO, Ceph, a cloud's object storage); unset: AWS S3. */
  S3_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^\s/]+\/?$/, "must be a URL such as https://minio.internal:9000")
    .optional(),
  /** The bucket's region; unset: the SDK's AWS_REGION. Required with BLOB_STORE_URL one way or the other. */
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/, "must be a region name such as ap-northeast-2")
    .optional(),
  /** Address the bucket as endpoint/bucket instead of bucket.endpoint (most MinIO and Ceph set-ups need it). */
  S3_FORCE_PATH_STYLE: bool.default("false"),
  MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024, "must be at least 1 MiB")
    .default(4 * GiB),
  MAX_ATTACHMENTS_PER_REPORT: z.coerce.number().int().min(0).max(100).default(20),
  /**
   * Ceiling on the bytes that reporters' uploads not yet claimed by a report or message hold together, counted as
   * they arrive, never as announced (ADR 031); staff uploads are outside it.
   */
  MAX_PENDING_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(32 * GiB),
  /** The same, per client (keyed pseudonym, or the staff member): stored bytes of its unclaimed uploads. */
  MAX_PENDING_UPLOAD_BYTES_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(8 * GiB),
  /** Unfinished uploads one client may have open at once. */
  MAX_OPEN_UPLOADS_PER_CLIENT: z.coerce.number().int().min(1).max(100).default(4),
  /** New anonymous uploads per client per hour (keyed pseudonym, counted in the database, ADR 034). */
  UPLOADS_PER_CLIENT_PER_HOUR: z.coerce.number().int().min(1).default(120),
  /** Reports one client (keyed pseudonym) may submit per REPORT_LIMIT_WINDOW_MINUTES, counted in the database (ADR 034). */
  REPORTS_PER_CLIENT: z.coerce.number().int().min(1).max(10_000).default(10),
  REPORT_LIMIT_WINDOW_MINUTES: z.coerce
    .number()
    .min(0.1)
    .max(24 * 60)
    .default(60),
  /**
   * Reports through the form without JavaScript (ADR 043), which cannot solve a proof of work: stored reports per
   * client per REPORT_LIMIT_WINDOW_MINUTES, and how many posts this process receives at once, one per client (it
   * encrypts every byte). No budget for everyone: anyone could spend it for all. Over them only that path waits; the
   * JavaScript path and staff keep their own limits.
   */
  NOJS_REPORTS_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(3),
  NOJS_CONCURRENT_SUBMISSIONS: z.coerce.number().int().min(1).max(64).default(2),
  /** Messages, files and privacy requests one reporter session may post per REPORT_LIMIT_WINDOW_MINUTES. */
  FOLLOWUP_POSTS_PER_SESSION: z.coerce.number().int().min(1).max(10_000).default(60),
  /** More reports than this from everyone within FLOOD_WINDOW_MINUTES is a flood: staff get one notification for it (ADR 034). */
  FLOOD_REPORTS: z.coerce.number().int().min(1).max(100_000).default(20),
  FLOOD_WINDOW_MINUTES: z.coerce
    .number()
    .min(0.1)
    .max(24 * 60)
    .default(10),
  /** An upload no part or completion touched for this long is deleted with its bytes, claimed or not. */
  UPLOAD_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 14)
    .default(24),
  /**
   * How often the server removes unclaimed uploads and stray blobs and checks the disk (0: never; operators then run
   * `uploads:cleanup`). 0 is for an instance that must not delete from a shared store, such as a restore drill.
   */
  UPLOAD_CLEANUP_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(5),
  /** An unclaimed upload is deleted this long after it was opened, however recently a part arrived. */
  UPLOAD_MAX_AGE_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 28)
    .default(48),
  /** New uploads are refused while the blob store's disk has less free space than the larger of these two. */
  UPLOAD_DISK_RESERVE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * GiB),
  UPLOAD_DISK_RESERVE_PERCENT: z.coerce.number().min(0).max(100).default(5),
  ACK_DEADLINE_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  FEEDBACK_DEADLINE_MONTHS: z.coerce.number().int().min(1).max(24).default(3),
  /** Years whistleblower data (cases, shares with affiliates) is kept after the purpose is achieved (the case closed). */
  RETENTION_YEARS: z.coerce.number().int().min(1).max(30).default(3),
  /** How often the server runs the retention job (0: never; operators then run `retention:run`). */
  RETENTION_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(60),
  /** How often the server vacuums and analyses the embedded database (PGlite only; 0: never; ADR 019). */
  DB_UPKEEP_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(60),
  /** Months a report that was never acknowledged is kept at most after its receipt. */
  UNACKNOWLEDGED_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  /** Privacy officer and department named on /privacy; defaults are the company privacy policy's. */
  PRIVACY_OFFICER_NAME: z.string().trim().min(1).max(200).default("Kim Minjun, Kim Young Kwang"),
  PRIVACY_OFFICER_TITLE: z.string().trim().min(1).max(200).default("CEO"),
  PRIVACY_OFFICER_PHONE: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{2,39}$/, "must be a phone number such as 02-6080-0029")
    .default("02-6080-0029"),
  PRIVACY_OFFICER_EMAIL: z.string().trim().email("must be an email address").max(254).default("info@okestro.com"),
  PRIVACY_DEPARTMENT: z.string().trim().min(1).max(200).default("Customer Support Center"),
  /** The company entrusted with sending e-mail (the policy's consignee). */
  EMAIL_CONSIGNEE: z.string().trim().min(1).max(200).default("Stevie Corporation"),
  TIME_ZONE: z.string().default("Asia/Seoul"),
  /** smtp://user:password@host:587 or smtps://…; unset: no e-mail at all, notifications show in the portal only. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  SMTP_FROM: z.string().min(3).default("Clean OKESTRO Report <no-reply@okestro.com>"),
  /** How often the server sends staff notifications and checks deadlines (0: never). */
  NOTIFY_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(5),
  /** Hour of the day (TIME_ZONE) at which daily digests go out. */
  NOTIFY_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  HSTS: bool.default("false"),
  /**
   * The portal's onion service address (http:// or https://, a host ending in .onion, no path): HTML pages then
   * send `Onion-Location: <it><the request's path and query>`, which Tor Browser offers to switch to (ADR 043).
   */
  ONION_LOCATION: z
    .string()
    .url("must be a URL such as http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion")
    // Each check passes what is no URL at all: .url() has named that already.
    .refine((v) => !URL.canParse(v) || /^https?:$/.test(new URL(v).protocol), "must be an http:// or https:// URL")
    .refine((v) => !URL.canParse(v) || new URL(v).hostname.endsWith(".onion"), "must name an onion service: the host must end in .onion")
    .refine((v) => {
      if (!URL.canParse(v)) return true;
      const u = new URL(v);
      return u.pathname === "/" && !u.search && !u.hash && !u.username && !u.password && !v.endsWith("?") && !v.endsWith("#");
    }, "must be an origin only (scheme, host, port), with no path, such as http://….onion")
    .transform((v) => new URL(v).origin)
    .optional(),
  /** Proxy hops to trust for the client address (only ever used, hashed, for rate limits). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  RECEIPT_ATTEMPTS_PER_CLIENT: z.coerce.number().int().min(1).default(10),
  /**
   * Wrong receipt codes (over both paths) after which a client's sign-ins WITHOUT JavaScript are refused for the rest
   * of the window (ADR 044): lower than the scripted path's, which also pays a proof of work per attempt.
   */
  RECEIPT_ATTEMPTS_PER_CLIENT_PLAIN: z.coerce.number().int().min(1).default(5),
  /** What one case may post per REPORT_LIMIT_WINDOW_MINUTES through its sessions without JavaScript, together (ADR 044). */
  FOLLOWUP_PLAIN_POSTS_PER_CASE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Wrong receipt codes in all per window beyond which the follow-up proof of work gets harder (never a refusal). */
  RECEIPT_ATTEMPTS_GLOBAL: z.coerce.number().int().min(1).default(2000),
  RECEIPT_LIMIT_WINDOW_MINUTES: z.coerce.number().min(0.1).default(15),
  /** Every receipt look-up answers no sooner than this, found or not. */
  RECEIPT_MIN_RESPONSE_MS: z.coerce.number().int().min(0).max(5000).default(300),
  /** Proof of work (ADR 032): the normal difficulty, the largest counter a solver may have to try (about half on average). */
  POW_DIFFICULTY: z.coerce.number().int().min(1).max(100_000_000).default(10_000),
  /** Anonymous actions per client per window before its difficulty doubles (and doubles again at twice as many…). */
  POW_CLIENT_ACTIONS: z.coerce.number().int().min(1).default(20),
  /** Anonymous actions of all clients per window before everyone's difficulty doubles (the global budget). */
  POW_GLOBAL_ACTIONS: z.coerce.number().int().min(1).default(1000),
  POW_WINDOW_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** The most doublings above normal (8: 256 times the normal work). */
  POW_MAX_LEVEL: z.coerce.number().int().min(0).max(16).default(8),
  /** How long a challenge can be solved and spent. */
  POW_CHALLENGE_MINUTES: z.coerce.number().min(1).max(120).default(10),
  REPORTER_SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(120).default(15),
  /** 32 random bytes, base64url: the secret outside the database (ADR 027); unset: DATA_DIR/portal-secret, made on first start. */
  PORTAL_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 random bytes in unpadded base64url (43 characters)")
    .optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Port of the second listener that serves GET /metrics for Prometheus (ADR 040); unset: no metrics, nothing listens. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Its listen address: loopback unless the operator opens it to a Prometheus elsewhere. */
  METRICS_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, "must be an IP address or a host name such as 127.0.0.1")
    .default("127.0.0.1"),
  /**
   * Check every JSON answer of an API route against its declared response schema, strictly (ADR 024): a mismatch is
   * logged and answered 500. Unset: on except in production, where an answer drifting from the documentation should
   * not become an outage.
   */
  API_RESPONSE_CHECK: bool.optional(),
});

/** Where blobs go, derived from BLOB_STORE_URL and the S3_ settings (credentials: the SDK's own environment). */
export type BlobStoreConfig =
  { kind: "local"; dir: string } | { kind: "s3"; bucket: string; prefix: string; region: string; endpoint?: string; forcePathStyle: boolean };

export type Config = Omit<z.infer<typeof schema>, "API_RESPONSE_CHECK"> & {
  API_RESPONSE_CHECK: boolean;
  /** Absolute paths derived from DATA_DIR. */
  paths: { data: string; pglite: string; blobs: string };
  blobStore: BlobStoreConfig;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`));
  }
  try {
    new Intl.DateTimeFormat("en", { timeZone: parsed.data.TIME_ZONE });
  } catch {
    throw new ConfigError([`TIME_ZONE: unknown time zone (got ${JSON.stringify(parsed.data.TIME_ZONE)})`]);
  }
  const metricsProblems = metricsSettingsProblems(parsed.data, cleaned);
  if (metricsProblems.length > 0) throw new ConfigError(metricsProblems);
  const data = path.resolve(parsed.data.DATA_DIR);
  const blobs = path.join(data, "blobs");
  return {
    ...parsed.data,
    API_RESPONSE_CHECK: parsed.data.API_RESPONSE_CHECK ?? parsed.data.NODE_ENV !== "production",
    paths: { data, pglite: path.join(data, "pgdata"), blobs },
    blobStore: blobStoreOf(parsed.data, cleaned, blobs),
  };
}

function blobStoreOf(c: z.infer<typeof schema>, env: Record<string, string | undefined>, dir: string): BlobStoreConfig {
  if (!c.BLOB_STORE_URL) {
    const stray = (["S3_ENDPOINT", "S3_REGION"] as const).filter((k) => c[k] !== undefined);
    if (stray.length > 0) throw new ConfigError(stray.map((k) => `${k}: set, but BLOB_STORE_URL is not (blobs stay on local disk)`));
    return { kind: "local", dir };
  }
  const rest = c.BLOB_STORE_URL.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  // Object names are prefix + key: a non-empty prefix ends in one "/".
  const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
  const region = c.S3_REGION ?? env.AWS_REGION;
  if (!region) throw new ConfigError(["S3_REGION: required with BLOB_STORE_URL (or the SDK's AWS_REGION)"]);
  return {
    kind: "s3",
    bucket,
    prefix: prefix ? `${prefix}/` : "",
    region,
    endpoint: c.S3_ENDPOINT,
    forcePathStyle: c.S3_FORCE_PATH_STYLE,
  };
}

/** METRICS_HOST means nothing without METRICS_PORT, and the metrics cannot share the portal's port. */
function metricsSettingsProblems(c: z.infer<typeof schema>, env: Record<string, string | undefined>): string[] {
  if (c.METRICS_PORT === undefined) return env.METRICS_HOST === undefined ? [] : ["METRICS_HOST: set, but METRICS_PORT is not (no metrics are served)"];
  if (c.METRICS_PORT !== 0 && c.METRICS_PORT === c.PORT) return [`METRICS_PORT: must differ from PORT (got ${c.METRICS_PORT} for both)`];
  return [];
}
