// `npm run cli -- backup DIR` and `restore DIR` on the embedded default (issue 17, ADR 038), through the
// real CLI and portal processes: a report with a file and a message, backed up while the portal runs and
// takes more reports; the portal stopped, DATA_DIR wiped, the backup restored, the portal started again;
// then the reporter opens the case with the receipt code and reads it, the message and the file, the
// investigator decrypts the report and the file byte for byte, and the audit chain verifies (the portal
// secret came back with the data). Also: restore refuses a backup with one byte changed and leaves the
// data directory as it was; the commands refuse PostgreSQL and object storage, a running portal (restore),
// a directory in use (backup); and the hold itself, in process: a blob whose row the copy holds survives
// a deletion made after the copy until the backup releases it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadSodium, streamCiphertextSize } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import type { CreateUploadResponse } from "../../app/intake/wire";
import { UPLOAD_TOKEN_HEADER } from "../../app/intake/limits";
import { commands } from "../../cli/commands";
import { createConnection } from "node:net";
import { requestPortalCopy } from "../../app/.server/backup/control-socket";
import { BackupError } from "../../app/.server/backup/manifest";
import { blobPath } from "../../app/.server/platform/blob-store";
import { openDatabase } from "../../db/client";
import { uploads } from "../../db/schema";
import { auditStore, createInvestigator, freePort, portalEnv, ROOT, spawnPortal, withServices, type ChildPortal } from "../support/child-portal";
import { memoryFile, patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { withSolvedPow } from "../support/pow";
import { submitTextReport } from "../support/reports";
import { PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- ARGS` as its own process, with the portal's environment plus `env`. */
function cli(env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "cli/main.ts", ...args],
      { cwd: ROOT, env: portalEnv(env) as NodeJS.ProcessEnv, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file under `dir` with the SHA-256 of its bytes and its mode: what "untouched" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const st = await stat(p);
        out[path.relative(dir, p)] = `${(st.mode & 0o777).toString(8)} ${createHash("sha256")
          .update(await readFile(p))
          .digest("hex")}`;
      }
    }
  };
  await walk(dir);
  return out;
}

const DRAFT: Omit<ReportDraft, "categoryId"> = {
  title: "백업 후에도 읽히는 제보 / a report that outlives a restore",
  body: { description: "Invoices were split to stay under the approval limit.", details: "세부 사항", periodFrom: "2026-03-01", periodTo: "2026-03-31" },
  identity: null,
  excludedInvestigators: [],
  consentReport: true,
  consentOptional: true,
  consentAffiliateIdentity: false,
};
const MESSAGE = "추가 설명: the second invoice is in the file / 두 번째 송장";

describe("backup and restore of the embedded default, through the CLI", () => {
  let work: string;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let portal: ChildPortal | null = null;

  beforeAll(async () => {
    await loadSodium();
    work = await mkdtemp(path.join(os.tmpdir(), "cor-backup-"));
    dataDir = path.join(work, "data");
    await mkdir(dataDir);
    env = { DATA_DIR: dataDir, PORT: String(await freePort()) };
    // The run's migrated database (ADR 023), as startTestPortal starts from: no initdb here.
    const migrated = inject("pgliteSnapshot");
    if (migrated) await promisify(execFile)("cp", ["-R", migrated, path.join(dataDir, "pgdata")]);
    await withServices(env, (s) => createInvestigator(s, work, "inv1@okestro.example", "Investigator One"));
  });
  afterAll(async () => {
    await portal?.kill();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("backs up while the portal runs; after a wipe and a restore the reporter and the investigator read everything as before", async () => {
    portal = await spawnPortal(env);
    const baseUrl = portal.url;
    const info = await fetchIntakeInfo({ baseUrl });
    const bytes = patternedBytes(300_000, "backup-restore");
    const made = await submitEncryptedReport(
      { ...DRAFT, categoryId: info.categories[0]!.id },
      [memoryFile("송장 invoice.pdf", "application/pdf", bytes)],
      info,
      {
        baseUrl,
      },
    );
    const opened = await openCase(made.receiptCode, { baseUrl });
    await opened.session.sendMessage(MESSAGE);
    await opened.session.logout();

    // The backup, while reporters keep using the portal.
    const backupDir = path.join(work, "backup");
    let finished = false;
    const running = cli(env, "backup", backupDir).finally(() => (finished = true));
    const during: string[] = [];
    while (!finished)
      during.push((await submitTextReport(baseUrl, { title: `during the backup ${during.length}`, description: "meanwhile" }, info)).caseNumber);
    const backup = await running;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Backup written to ${backupDir} from the running portal`);
    expect(backup.stdout).toContain("1 blob(s)");
    expect(backup.stdout).toContain("keep it as safe as the data directory");
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    expect(during.length).toBeGreaterThan(0);
    const copied = portal.logs.find((l) => l.includes('"msg":"backup: database copied"'));
    expect(copied).toBeDefined();
    expect(portal.logs.some((l) => l.includes('"msg":"backup: blob deletions resumed"'))).toBe(true);

    // What the backup holds, and how: a 0700 directory of 0600 files, the manifest naming each one.
    expect((await stat(backupDir)).mode & 0o777).toBe(0o700);
    const manifest = JSON.parse(await readFile(path.join(backupDir, "manifest.json"), "utf8")) as {
      format: string;
      version: number;
      takenFrom: string;
      portalSecret: string;
      counts: { files: number; blobs: number; blobBytes: number };
      files: { path: string; bytes: number; sha256: string }[];
    };
    expect(manifest).toMatchObject({ format: "clean-okestro-report-backup", version: 1, takenFrom: "running portal", portalSecret: "included" });
    expect(manifest.counts).toEqual({ files: 3, blobs: 1, blobBytes: streamCiphertextSize(bytes.length) });
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      expect.stringMatching(/^blobs\/[0-9a-f]{2}\/upload-[0-9a-f-]{36}$/),
      "database.tar.gz",
      "portal-secret",
    ]);
    for (const f of manifest.files) {
      const file = path.join(backupDir, f.path);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(
        createHash("sha256")
          .update(await readFile(file))
          .digest("hex"),
      ).toBe(f.sha256);
    }
    expect(await readFile(path.join(backupDir, "portal-secret"), "utf8")).toBe(await readFile(path.join(dataDir, "portal-secret"), "utf8"));

    // Restoring needs the portal stopped; a second backup into the same directory is refused.
    const busy = await cli(env, "restore", backupDir);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain("Stop it, run this command, then start it again");
    const again = await cli(env, "backup", backupDir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("exists and is not empty");

    await portal.stop();
    portal = null;
    await rm(dataDir, { recursive: true, force: true });

    const restored = await cli(env, "restore", backupDir);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Restored the backup of .* report\(s\), 1 attachment\(s\), 1 blob\(s\)\./);
    expect((await stat(path.join(dataDir, "portal-secret"))).mode & 0o777).toBe(0o600);

    portal = await spawnPortal(env);
    // The reporter: the case, the message and the file, as before.
    const back = await openCase(made.receiptCode, { baseUrl: portal.url });
    expect(back.case.caseNumber).toBe(made.caseNumber);
    expect(back.case.title).toBe(DRAFT.title);
    expect(back.case.body).toEqual(DRAFT.body);
    expect(back.case.messages.map((m) => ({ author: m.author, text: m.text }))).toEqual([{ author: "reporter", text: MESSAGE }]);
    expect(back.case.attachments.map((a) => a.name)).toEqual(["송장 invoice.pdf"]);
    const download = await back.session.downloadAttachment(back.case.attachments[0]!.id);
    expect(Buffer.from(await download.blob.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    await back.session.logout();
    await portal.stop();
    portal = null;

    // The investigator: the report and the file, byte for byte; the keyed audit chain verifies.
    await withServices(env, async (s) => {
      const got = await decryptReportAsInvestigator(s, made.reportId, "inv1@okestro.example", PASSWORD);
      expect(got.title).toBe(DRAFT.title);
      expect(got.body).toEqual(DRAFT.body);
      expect(got.files).toHaveLength(1);
      expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(await auditStore(s)).toMatchObject({ reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [], uploads: 0 });
      expect(await commands["audit:verify"]!(s, [])).toContain("Audit chain intact");
    });
    console.info(`[backup] ${copied}`);
  });

  it("refuses a backup with one byte changed and leaves the data directory as it was", async () => {
    const backupDir = path.join(work, "backup");
    const tampered = path.join(work, "tampered");
    await cp(backupDir, tampered, { recursive: true });
    const blob = (await readdir(path.join(tampered, "blobs"), { recursive: true })).map(String).find((p) => p.includes("upload-"))!;
    const file = path.join(tampered, "blobs", blob);
    const content = await readFile(file);
    content[1000] = content[1000]! ^ 0x01;
    await writeFile(file, content);
    const before = await snapshot(dataDir);

    const refused = await cli(env, "restore", tampered, "--force");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not the file the manifest names");
    expect(await snapshot(dataDir)).toEqual(before);
    // A data directory that holds data is replaced only with --force.
    const unforced = await cli(env, "restore", backupDir);
    expect(unforced.code).toBe(2);
    expect(unforced.stderr).toContain("restore replaces it only with --force");
    expect(await snapshot(dataDir)).toEqual(before);
  });

  it("backs up with the portal stopped, and restores over existing data only with --force, keeping that data aside", async () => {
    const before = await withServices(env, async (s) => (await auditStore(s)).reports);
    const offline = path.join(work, "offline");
    const made = await cli(env, "backup", offline);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("from the stopped portal");
    expect(JSON.parse(await readFile(path.join(offline, "manifest.json"), "utf8"))).toMatchObject({ takenFrom: "stopped portal", counts: { blobs: 1 } });

    const forced = await cli(env, "restore", offline, "--force");
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    const keptAt = /What the data directory held before is in (\S+); remove it/.exec(forced.stdout)?.[1];
    expect(keptAt).toBeDefined();
    expect((await readdir(keptAt!)).sort()).toEqual(["blobs", "pgdata", "portal-secret"]);
    expect((await readdir(dataDir)).filter((n) => n.startsWith(".restore-"))).toEqual([]);
    await withServices(env, async (s) => {
      expect(await auditStore(s)).toMatchObject({ reports: before, attachmentsWithoutBlob: [], strayBlobs: [] });
      expect(await commands["audit:verify"]!(s, [])).toContain("Audit chain intact");
    });
  });

  it("leaves out a secret file that PORTAL_SECRET overrides, so the backup holds no key to the audit chain", async () => {
    const secret = (await readFile(path.join(dataDir, "portal-secret"), "utf8")).trim();
    const apart = path.join(work, "secret-apart");
    const made = await cli({ ...env, PORTAL_SECRET: secret }, "backup", apart);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("The portal secret is in PORTAL_SECRET");
    expect(await readdir(apart)).not.toContain("portal-secret");
    const manifest = JSON.parse(await readFile(path.join(apart, "manifest.json"), "utf8")) as { portalSecret: string; files: { path: string }[] };
    expect(manifest.portalSecret).toBe("environment");
    expect(manifest.files.map((f) => f.path)).not.toContain("portal-secret");
  });

  it("refuses PostgreSQL and object storage, pointing to DEPLOYMENT.md", async () => {
    const onPostgres = await cli({ ...env, DATABASE_URL: "postgres://nobody@127.0.0.1:5432/test" }, "backup", path.join(work, "pg"));
    expect(onPostgres.code).toBe(2);
    expect(onPostgres.stderr).toContain("DATABASE_URL is set");
    expect(onPostgres.stderr).toContain('docs/DEPLOYMENT.md, "Backups"');
    const onS3 = await cli({ ...env, BLOB_STORE_URL: "s3://cor-backups", S3_REGION: "ap-northeast-2" }, "restore", path.join(work, "backup"));
    expect(onS3.code).toBe(2);
    expect(onS3.stderr).toContain("BLOB_STORE_URL is set");
    await expect(stat(path.join(work, "pg"))).rejects.toThrow();
  });
});

describe("the running portal's copy for a backup", () => {
  let portal: TestPortal;

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite");
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("keeps a blob whose row the copy holds until the backup releases it", async () => {
    const opened = (await (
      await fetch(`${portal.url}/api/intake/uploads`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "upload")) },
        body: JSON.stringify({ reportId: crypto.randomUUID(), ciphertextBytes: 4096 }),
      })
    ).json()) as CreateUploadResponse;
    const part = await fetch(`${portal.url}/api/intake/uploads/${opened.uploadId}/parts/0`, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream", [UPLOAD_TOKEN_HEADER]: opened.token },
      body: new Uint8Array(1000),
    });
    expect(part.status).toBe(200);
    const file = blobPath(portal.services.config.paths.blobs, `upload-${opened.uploadId}`);
    expect((await stat(file)).size).toBe(1000);

    const copy = await requestPortalCopy(portal.dataDir);
    const tarball = Buffer.concat(await copy.tarball.toArray());
    // Abandoned after the copy: the row goes, its blob must stay for the backup.
    const abandoned = await fetch(`${portal.url}/api/intake/uploads/${opened.uploadId}`, {
      method: "DELETE",
      headers: { [UPLOAD_TOKEN_HEADER]: opened.token },
    });
    expect(abandoned.status).toBe(204);
    expect(await portal.services.db.select().from(uploads).where(eq(uploads.id, opened.uploadId))).toEqual([]);
    expect((await stat(file)).size).toBe(1000);

    // The copy holds the row that names it.
    const scratch = await mkdtemp(path.join(os.tmpdir(), "cor-backup-copy-"));
    try {
      await mkdir(path.join(scratch, "pgdata"));
      const db = await openDatabase({ pgliteDir: path.join(scratch, "pgdata"), loadDataDir: new Blob([new Uint8Array(tarball)]) });
      try {
        const rows = await db.db
          .select({ blobKey: uploads.blobKey, receivedBytes: uploads.receivedBytes })
          .from(uploads)
          .where(eq(uploads.id, opened.uploadId));
        expect(rows).toEqual([{ blobKey: `upload-${opened.uploadId}`, receivedBytes: 1000 }]);
      } finally {
        await db.close();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }

    await copy.release();
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("listens only for its owner, answers nothing but a copy request, and fails a backup whose hold a stop ended", async () => {
    const socketFile = path.join(portal.dataDir, "control.sock");
    expect((await stat(socketFile)).mode & 0o777).toBe(0o600);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(socketFile, () => socket.end("status\n"));
      let got = "";
      socket.on("data", (d: Buffer) => (got += d.toString("utf8")));
      socket.on("close", () => resolve(got));
      socket.on("error", reject);
    });
    expect(answer).toBe("error unknown request\n");

    const copy = await requestPortalCopy(portal.dataDir);
    expect(Buffer.concat(await copy.tarball.toArray()).length).toBeGreaterThan(0);
    // One backup at a time: a second one, while the first holds deletions, is refused (not another copy in memory).
    await expect(requestPortalCopy(portal.dataDir)).rejects.toThrow("another backup is under way");
    // The portal stops (and starts again) while the CLI would be copying blobs: the hold ended, so the backup must not pass.
    await portal.restart();
    await expect(copy.release()).rejects.toThrow(BackupError);
    expect((await stat(socketFile)).mode & 0o777).toBe(0o600);
  });
});
