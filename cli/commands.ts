// Operator commands. Each takes the opened services and parsed arguments and
// returns the text to print; cli/main.ts does the process plumbing.
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { verifyAuditChain } from "../app/.server/audit/audit";
import { CheckpointError, readCheckpoint, requireOwnCheckpoint, takeCheckpoint, type AuditCheckpoint } from "../app/.server/audit/checkpoint";
import { ApiError } from "../app/.server/platform/http";
import { createInvitation } from "../app/.server/staff/invitations";
import { cleanupUploads } from "../app/.server/intake/intake";
import { AFFILIATES, initOrganisation, type AffiliateSlug } from "../app/.server/org/org";
import { runRetention, type RetentionRun } from "../app/.server/retention/retention";
import type { Services } from "../app/.server/platform/services";
import type { Config } from "../app/.server/platform/config";
import { makeBackup } from "../app/.server/backup/backup";
import { restoreBackup } from "../app/.server/backup/restore";
import { runNotifications, type NotificationRun } from "../app/.server/notifications/checks";
import { createStaffUser, StaffInputError, type StaffRole } from "../app/.server/staff/accounts";
import { unlockAddress } from "../app/.server/staff/sign-in-backoff";
import { JobLockBusyError, withJobLockWaiting } from "../server/job-lock";
import { JOB_NAMES } from "../server/jobs";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** audit:verify found a broken chain: exit status 1 with the message. */
export class AuditBrokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditBrokenError";
  }
}

/**
 * A job command found the portal's run of the same job under way and it did not end within --wait: exit
 * status 2 with the message; nothing was done.
 */
export class JobBusyError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = "JobBusyError";
  }
}

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  org:init
      Creates the organisation, the affiliates (OKESTRO Cloud, OKESTRO AGI) and
      the report categories. Safe to run again: it only adds what is missing.

  user:create --role <admin|investigator|affiliate> --email E --password-file F
              [--affiliate cloud|agi] [--name "Display name"]
      Creates a staff account. Its X25519 key pair is generated here by the
      same crypto module the browser uses; the password file's first line is
      the password ("-" reads it from standard input). Prints the recovery key
      once. Investigators' display names are shown to reporters, who may
      exclude them from a report.

  invite:create --role <admin|investigator|affiliate> --email E [--affiliate cloud|agi] [--name N]
      Prints an invitation link (valid 72 hours, once). The invitee opens it,
      chooses a password and gets a key pair made in their own browser.

  user:unlock --email E
      Forgets the failed sign-ins of the address E from every client, so its
      sign-in back-off ends at once (ADR 030). Failed sign-ins never lock an
      account; this is for an operator helping someone who cannot wait.
      Audited; works for any address, with or without an account.

  audit:verify [--checkpoint FILE]
      Checks the keyed hash chain of the audit log from the first entry and
      names the first entry that was changed, removed or reordered. With
      --checkpoint, the log must also extend that signed checkpoint (from
      audit:checkpoint or an administrators' digest): this shows a log that was
      cut or rewritten even with its chain recomputed. Exit status 1 if broken.

  audit:checkpoint [--out FILE]
      Verifies the chain, then writes a signed checkpoint of its head (number
      of entries, last hash, time, the portal secret's fingerprint, an Ed25519
      signature) to FILE (default audit-checkpoint-N-DATE.json) and prints the
      public key that checks it. Keep checkpoints away from the portal's servers.

  export:verify FILE.zip [--portal-key KEY]
      Checks a case export (ADR 054) without the database: the investigator's
      signature of manifest.json, the portal's certificate of their key (against
      this portal's key, from the portal secret, or KEY), and the SHA-256 of
      every file; names each file changed, missing or added, a changed manifest
      or signature. Exit status 0 intact and certified by this portal; 1 does
      not verify; 2 usage; 3 intact but unsigned (a reporter's own copy);
      4 intact and signed, but no portal key to check the certificate against.

  uploads:cleanup [--wait SECONDS]
      Removes attachment uploads that no report claimed within UPLOAD_TTL_HOURS
      of their last part (or UPLOAD_MAX_AGE_HOURS of opening), and stray blobs.
      The running server also does this every UPLOAD_CLEANUP_INTERVAL_MINUTES.

  retention:run [--now ISO-DATE] [--dry-run] [--wait SECONDS]
      Destroys what is due: cases RETENTION_YEARS after they closed, reports
      never acknowledged UNACKNOWLEDGED_RETENTION_MONTHS after receipt, shares
      past their retention, archives past their own date. Cases under a legal
      hold are kept and listed. --now runs as of another date; --dry-run lists
      without destroying. The running server also does this every hour.

  notify:run [--now ISO-DATE] [--wait SECONDS]
      Staff notifications once: records deadline reminders (acknowledgement or
      feedback due within 48 hours, cases past their deadline), checks the audit
      chain (administrators are told when it is broken), then e-mails what is
      due: single e-mails, and daily digests after NOTIFY_DIGEST_HOUR. Nothing is
      recorded or sent twice. Without SMTP_URL nothing is e-mailed. --now runs
      as of another time. The running server does this every
      NOTIFY_INTERVAL_MINUTES.

  These three take the lock the portal's own run of the same job takes
  (PostgreSQL; ADR 040), so they never run at the same time as a portal
  instance's run. While an instance's run is under way the command says so on
  standard error and waits for it to end, up to --wait seconds (default 60;
  0: do not wait); if it is still under way then, the command does nothing and
  exits with status 2. retention:run --dry-run destroys nothing and takes no
  lock. On the embedded database the portal must be stopped anyway.

  backup DIR
      Embedded database only. Copies the database, the attachment blobs and
      DATA_DIR/portal-secret into DIR (new or empty; files 0600), with a
      manifest of every file's size and SHA-256. Runs while the portal runs: the
      portal copies its database (queries wait a moment) and holds blob
      deletions until the blobs are copied (ADR 038). A backup is as sensitive
      as DATA_DIR: ciphertext and the portal secret. With DATABASE_URL or
      BLOB_STORE_URL it refuses: see docs/DEPLOYMENT.md, "Backups".

  restore DIR [--force]
      Embedded database only, with the portal stopped. Checks DIR against its
      manifest, restores it beside DATA_DIR's data, checks that every blob the
      database names is there, and only then puts it in place. Refuses a
      DATA_DIR that holds data unless --force, which keeps that data in
      DATA_DIR/before-restore-<time>. Start the portal afterwards.

Configuration comes from the environment (see README.md): DATA_DIR, DATABASE_URL, ...
`;

/** Where a command says what it is doing before its result (standard error in the CLI). */
export type Notice = (line: string) => void;

export type Command = (s: Services, argv: string[], notice?: Notice) => Promise<string>;

const stderrNotice: Notice = (line) => void process.stderr.write(`${line}\n`);

/** How long a job command waits by default for the portal's run of the same job to end. */
const DEFAULT_WAIT_SECONDS = 60;

function waitSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WAIT_SECONDS;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 86_400) throw new UsageError(`--wait must be a whole number of seconds from 0 to 86400, not ${value}`);
  return Number(value);
}

/** Runs a job's work under the job's lock, as a portal instance's run would (ADR 040); see USAGE. */
async function asTheJob<T>(s: Services, job: string, wait: string | undefined, notice: Notice, run: () => Promise<T>): Promise<T> {
  const seconds = waitSeconds(wait);
  try {
    return await withJobLockWaiting(s.database, job, run, {
      waitMs: seconds * 1000,
      onWait: () => notice(`The ${job} is under way on a portal instance (it holds the job's lock): waiting up to ${seconds} s for it to end...`),
    });
  } catch (error) {
    if (!(error instanceof JobLockBusyError)) throw error;
    const after = seconds > 0 ? ` after ${seconds} s` : "";
    throw new JobBusyError(
      `Nothing done: the ${job} is still under way on a portal instance${after} (it holds the job's lock). Run this command again when it has ended, or with --wait SECONDS to wait longer.`,
      { cause: error },
    );
  }
}

/** A command that opens the data directory itself (backup, restore): it gets the configuration, not the services. */
export type DataDirCommand = (config: Config, argv: string[]) => Promise<string>;

function oneDirectory(argv: string[], options: { force?: { type: "boolean" } } = {}) {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError("give exactly one directory, DIR");
  return { dir: positionals[0], force: (values as { force?: boolean }).force ?? false };
}

export const dataDirCommands: Record<string, DataDirCommand> = {
  backup: async (config, argv) => {
    const { dir } = oneDirectory(argv);
    const r = await makeBackup(config, dir);
    const m = r.manifest;
    return [
      `Backup written to ${r.dir} from the ${m.takenFrom}, database as of ${m.createdAt}: the database, ${m.counts.blobs} blob(s) (${m.counts.blobBytes} bytes)${m.portalSecret === "included" ? " and the portal secret" : ""}; ${m.counts.files} file(s) in its manifest.`,
      m.portalSecret === "included"
        ? "It holds the portal secret: keep it as safe as the data directory itself."
        : `The portal secret is in PORTAL_SECRET (fingerprint ${m.secretFingerprint}), not in the backup: keep that secret too, apart from the backup.`,
    ].join("\n");
  },

  restore: async (config, argv) => {
    const { dir, force } = oneDirectory(argv, { force: { type: "boolean" } });
    const r = await restoreBackup(config, dir, { force });
    return [
      `Restored the backup of ${r.manifest.createdAt} into ${config.paths.data}: ${r.reports} report(s), ${r.attachments} attachment(s), ${r.blobs} blob(s).`,
      ...(r.keptAt ? [`What the data directory held before is in ${r.keptAt}; remove it once the restored portal works.`] : []),
      ...r.warnings,
      "Start the portal now.",
    ].join("\n");
  },
};

async function readPassword(file: string): Promise<string> {
  const raw =
    file === "-"
      ? await new Promise<string>((resolve, reject) => {
          let data = "";
          process.stdin.setEncoding("utf8");
          process.stdin.on("data", (c) => (data += c));
          process.stdin.on("end", () => resolve(data));
          process.stdin.on("error", reject);
        })
      : await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot read --password-file ${file}: ${e.code ?? e.message}`);
        });
  const firstLine = raw.split(/\r?\n/)[0] ?? "";
  if (!firstLine) throw new UsageError("the password file is empty");
  return firstLine;
}

const ROLES: StaffRole[] = ["admin", "investigator", "affiliate"];

export const commands: Record<string, Command> = {
  "org:init": async (s) => {
    const r = await initOrganisation(s.db);
    return `Organisation ${r.organisationCreated ? "created" : "already present"}; ${r.affiliatesCreated} affiliate(s) and ${r.categoriesCreated} categor${r.categoriesCreated === 1 ? "y" : "ies"} added.`;
  },

  "user:create": async (s, argv) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        role: { type: "string" },
        email: { type: "string" },
        "password-file": { type: "string" },
        affiliate: { type: "string" },
        name: { type: "string" },
      },
      strict: true,
    });
    if (!values.role || !ROLES.includes(values.role as StaffRole)) throw new UsageError("--role must be admin, investigator or affiliate");
    if (!values.email) throw new UsageError("--email is required");
    if (!values["password-file"]) throw new UsageError("--password-file is required");
    const slugs = AFFILIATES.map((a) => a.slug) as string[];
    if (values.affiliate && !slugs.includes(values.affiliate)) throw new UsageError(`--affiliate must be one of ${slugs.join(", ")}`);
    await initOrganisation(s.db);
    const password = await readPassword(values["password-file"]);
    try {
      const created = await createStaffUser(s.db, s, {
        role: values.role as StaffRole,
        email: values.email,
        password,
        displayName: values.name,
        affiliate: values.affiliate as AffiliateSlug | undefined,
      });
      return [
        `Created ${created.role} ${created.email} (id ${created.id}).`,
        "",
        "Recovery key (shown once; store it offline, it unlocks this account's private key if the password is lost):",
        `  ${created.recoveryKey}`,
      ].join("\n");
    } catch (error) {
      if (error instanceof StaffInputError) throw new UsageError(error.message);
      throw error;
    }
  },

  "invite:create": async (s, argv) => {
    const { values } = parseArgs({
      args: argv,
      options: { role: { type: "string" }, email: { type: "string" }, affiliate: { type: "string" }, name: { type: "string" } },
      strict: true,
    });
    if (!values.role || !ROLES.includes(values.role as StaffRole)) throw new UsageError("--role must be admin, investigator or affiliate");
    if (!values.email) throw new UsageError("--email is required");
    try {
      const inv = await createInvitation(
        s,
        { email: values.email, role: values.role as StaffRole, affiliate: values.affiliate, displayName: values.name },
        null,
      );
      const origin = s.config.PUBLIC_ORIGIN ?? `http://localhost:${s.config.PORT}`;
      return `Invitation for ${values.email} (${values.role}), valid until ${inv.expiresAt.toISOString()}:\n  ${origin}${inv.path}`;
    } catch (error) {
      if (error instanceof ApiError) throw new UsageError(error.message);
      throw error;
    }
  },

  "user:unlock": async (s, argv) => {
    const { values } = parseArgs({ args: argv, options: { email: { type: "string" } }, strict: true });
    if (!values.email?.trim()) throw new UsageError("--email is required");
    const cleared = await unlockAddress(s, values.email);
    return `Sign-in back-off cleared for ${values.email.trim()} (${cleared} client(s) had failures).`;
  },

  "audit:verify": async (s, argv) => {
    const { values } = parseArgs({ args: argv, options: { checkpoint: { type: "string" } }, strict: true });
    let checkpoint: AuditCheckpoint | undefined;
    if (values.checkpoint !== undefined) {
      const text = await readFile(values.checkpoint, "utf8").catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read --checkpoint ${values.checkpoint}: ${e.code ?? e.message}`);
      });
      try {
        checkpoint = await readCheckpoint(text);
        await requireOwnCheckpoint(s.secret, checkpoint);
      } catch (error) {
        if (error instanceof CheckpointError) throw new AuditBrokenError(`Checkpoint REJECTED: ${error.message}.`);
        throw error;
      }
    }
    const r = await verifyAuditChain(s.db, s, { checkpoint });
    if (!r.ok) throw new AuditBrokenError(`Audit chain BROKEN at entry ${r.brokenAt}: ${r.reason} (${r.entries} entries before it verified).`);
    const lines = [`Audit chain intact: ${r.entries} entries verified.`];
    if (r.keyedFrom !== null && r.keyedFrom > 1)
      lines.push(`Entries 1-${r.keyedFrom - 1} are from before the chain was keyed; entry ${r.keyedFrom} anchors them.`);
    if (checkpoint) lines.push(`It extends the checkpoint of ${checkpoint.at} (${checkpoint.entries} entries, head ${checkpoint.head}).`);
    return lines.join("\n");
  },

  "audit:checkpoint": async (s, argv) => {
    const { values } = parseArgs({ args: argv, options: { out: { type: "string" } }, strict: true });
    let c: AuditCheckpoint;
    try {
      c = await takeCheckpoint(s.db, s, s.now());
    } catch (error) {
      if (error instanceof CheckpointError) throw new AuditBrokenError(error.message);
      throw error;
    }
    const out = values.out ?? `audit-checkpoint-${c.entries}-${c.at.slice(0, 10)}.json`;
    await writeFile(out, `${JSON.stringify(c, null, 2)}\n`).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot write --out ${out}: ${e.code ?? e.message}`);
    });
    return [
      `Checkpoint of ${c.entries} audit entries written to ${out}.`,
      `Head: ${c.head}`,
      `Public key (publish it; it checks every checkpoint of this portal): ${c.publicKey}`,
      `Portal secret fingerprint: ${c.secret}`,
      "Keep the file outside the portal's servers; check the log against it with: npm run cli -- audit:verify --checkpoint FILE",
    ].join("\n");
  },

  "retention:run": async (s, argv, notice = stderrNotice) => {
    const { values } = parseArgs({
      args: argv,
      options: { now: { type: "string" }, "dry-run": { type: "boolean" }, wait: { type: "string" } },
      strict: true,
    });
    let now: Date | undefined;
    if (values.now !== undefined) {
      now = new Date(values.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO date such as 2029-05-01, not ${values.now}`);
    }
    // A dry run destroys nothing: it needs no lock, and may list beside a run under way.
    waitSeconds(values.wait);
    if (values["dry-run"]) return describeRun(await runRetention(s, { now, dryRun: true }));
    return describeRun(await asTheJob(s, JOB_NAMES.retention, values.wait, notice, () => runRetention(s, { now, dryRun: false })));
  },

  "notify:run": async (s, argv, notice = stderrNotice) => {
    const { values } = parseArgs({ args: argv, options: { now: { type: "string" }, wait: { type: "string" } }, strict: true });
    let now: Date | undefined;
    if (values.now !== undefined) {
      now = new Date(values.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO date such as 2029-05-01T09:00+09:00, not ${values.now}`);
    }
    return describeNotifications(await asTheJob(s, JOB_NAMES.notifications, values.wait, notice, () => runNotifications(s, { now, auditCheck: true })));
  },

  "uploads:cleanup": async (s, argv, notice = stderrNotice) => {
    const { values } = parseArgs({ args: argv, options: { wait: { type: "string" } }, strict: true });
    const r = await asTheJob(s, JOB_NAMES.uploadCleanup, values.wait, notice, () => cleanupUploads(s));
    return `Removed ${r.uploads} unclaimed upload(s) and ${r.orphanBlobs} stray blob(s).`;
  },
};

function describeNotifications(r: NotificationRun): string {
  return [
    `Notifications as of ${r.today}:`,
    `Recorded ${r.deadlineReminders} deadline reminder(s).`,
    ...(r.floodsEnded ? [`Recorded ${r.floodsEnded} notification(s) that a flood of reports ended.`] : []),
    r.audit === null
      ? "Audit chain not checked."
      : r.audit.ok
        ? "Audit chain intact."
        : `Audit chain BROKEN at entry ${r.audit.brokenAt}: administrators notified.`,
    r.smtp
      ? `E-mailed ${r.sent} notification(s) and ${r.digests} digest(s); ${r.failed} failed (retried later).`
      : "No SMTP server configured (SMTP_URL): nothing e-mailed; notifications are shown in the portal.",
  ].join("\n");
}

function describeRun(r: RetentionRun): string {
  const verb = r.dryRun ? "Would destroy" : "Destroyed";
  const lines = [`Retention as of ${r.today}${r.dryRun ? " (dry run: nothing changed)" : ""}:`];
  lines.push(`${verb} ${r.cases.length} case(s)${r.cases.length ? ":" : "."}`);
  for (const c of r.cases) lines.push(`  ${c.caseNumber}  ${c.reason}, kept until ${c.retentionOn}`);
  if (r.heldCases.length) {
    lines.push(`Kept ${r.heldCases.length} case(s) under a legal hold:`);
    for (const c of r.heldCases) lines.push(`  ${c.caseNumber}  due ${c.retentionOn}`);
  }
  lines.push(`${verb} ${r.shares.length} expired share(s) and ${r.archives.length} archive(s)${r.archives.length ? ":" : "."}`);
  for (const a of r.archives) lines.push(`  ${a.caseNumber}  archived, kept until ${a.retainUntil}`);
  return lines.join("\n");
}
