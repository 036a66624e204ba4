// Upgrades lose nothing (issue 23, ADR 026): every release's snapshot under test/upgrade/snapshots/ is
// restored, opened with the current code on PGlite and on PostgreSQL (the current migrations run on the
// old data), and read through the HTTP API with the current browser code (staff, reporter, affiliate and
// administrator clients, crypto/): every party must read exactly what it read at that release, byte for
// byte (expected.json, written by the release's own code). The audit chain verifies, and the retention and
// notification jobs run on the old data.
import { openIdentityWithReason } from "../support/identity";
import { updateEmailAddress } from "../../app/staff/identity-access";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  decryptBody,
  decryptFileMeta,
  decryptLabels,
  decryptMessage,
  decryptNote,
  decryptPrivacyText,
  decryptTitle,
  fromBase64Url,
  loadSodium,
  openEnvelope,
  unwrapFileKey,
} from "../../crypto";
import { commands } from "../../cli/commands";
import { queryRows } from "../../db/client";
import { readMigrations } from "../../db/migrator";
import { archivedFileDecryptor, openArchive, type ArchiveWire } from "../../app/admin/archive-reader";
import { downloadShared, fetchShare, fileDecryptor, openShare } from "../../app/affiliate/share-reader";
import { openCase } from "../../app/reporter/followup-client";
import { StaffClient } from "../../app/staff/staff-client";
import type { StaffCaseView } from "../../app/staff/wire";
import { startPortal, type RunningPortal } from "../../server/start";
import { backends, freshPostgresDatabase, type Backend } from "../support/backends";
import { cookieFetch, totpCode } from "../support/staff-session";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOTS = path.join(HERE, "snapshots");
const MIGRATIONS = path.join(HERE, "../../db/migrations");
const releases = readdirSync(SNAPSHOTS).filter((d) => existsSync(path.join(SNAPSHOTS, d, "expected.json")));

interface StaffSecret {
  email: string;
  password: string;
  role: "admin" | "investigator" | "affiliate";
  id: string;
  totpSecret: string;
}
interface Secrets {
  release: string;
  builtAt: string;
  staff: Record<string, StaffSecret>;
  cases: Record<string, { reportId: string; caseNumber: string; receipt: string; archived: boolean }>;
}
interface Expected {
  builtAt: string;
  investigators: Record<string, Record<string, unknown>>;
  receipts: Record<string, unknown>;
  affiliates: Record<string, Record<string, unknown>>;
  admins: Record<string, Record<string, unknown>>;
  /** Rows per table at the release, counted after its last write. */
  tables: Record<string, number>;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function plaintextSha(r: Response, decryptor: AttachmentDecryptor): Promise<string> {
  if (!r.ok) throw new Error(`download answered ${r.status}`);
  return sha256(Buffer.concat([...decryptor.push(new Uint8Array(await r.arrayBuffer())), ...decryptor.finish()]));
}

/**
 * The old data into PostgreSQL without pg_dump: the schema from the migration files the release had
 * applied (checked by their hashes, and recorded as applied), then every table's rows as JSON through
 * jsonb_populate_recordset, with triggers and foreign keys off while loading. The current code then
 * runs its later migrations on it, as on an operator's upgrade.
 */
async function copyIntoPostgres(old: PGlite, url: string): Promise<void> {
  const applied = (await old.query<{ hash: string; created_at: string }>("select hash, created_at from drizzle.__drizzle_migrations order by id")).rows;
  const files = readMigrations(MIGRATIONS);
  const target = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await target.begin(async (tx) => {
      await tx.unsafe("create schema drizzle");
      await tx.unsafe("create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)");
      for (const [i, m] of applied.entries()) {
        // The release's migrations must still be the current tree's first ones, unchanged.
        expect(files[i]?.hash, `migration ${i} was edited after release`).toBe(m.hash);
        for (const statement of files[i]!.statements) await tx.unsafe(statement);
        // A marked migration's index builds (ADR 039), as plain builds inside this transaction: nobody to block.
        for (const c of files[i]!.concurrent) await tx.unsafe(c.sql.replace(/^(\s*(?:create\s+(?:unique\s+)?|drop\s+)index\s+)concurrently\b/im, "$1"));
        await tx.unsafe("insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)", [m.hash, m.created_at]);
      }
      await tx.unsafe("set local session_replication_role = replica");
      const tables = (
        await old.query<{ t: string }>(
          "select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
        )
      ).rows;
      for (const { t } of tables) {
        const rows = (await old.query<{ j: string }>(`select coalesce(jsonb_agg(to_jsonb(x)), '[]')::text as j from "${t}" x`)).rows[0]!.j;
        await tx.unsafe(`insert into "${t}" select * from jsonb_populate_recordset(null::"${t}", $1::text::jsonb)`, [rows]);
        const copied = await tx.unsafe<{ n: string }[]>(`select count(*)::text as n from "${t}"`);
        const source = (await old.query<{ n: string }>(`select count(*)::text as n from "${t}"`)).rows;
        expect(copied[0]?.n, `rows of ${t}`).toBe(source[0]?.n);
      }
      for (const s of (
        await old.query<{ s: string; v: string }>(
          "select schemaname || '.' || sequencename as s, last_value::text as v from pg_sequences where last_value is not null",
        )
      ).rows) {
        await tx.unsafe("select setval($1, $2)", [s.s, s.v]);
      }
    });
  } finally {
    await target.end();
  }
}

interface Opened {
  portal: RunningPortal;
  /** The portal's clock: a day after the snapshot was built, moving with real time. */
  now(): Date;
  close(): Promise<void>;
}

async function openSnapshot(dir: string, builtAt: string, backend: Backend, logs: string[]): Promise<Opened> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-upgrade-"));
  execFileSync("tar", ["-xzf", path.join(dir, "data.tar.gz"), "-C", dataDir]);
  const dump = new Blob([await readFile(path.join(dir, "pgdata.tar.gz"))]);
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | null = null;
  if (backend === "pglite") {
    await (await PGlite.create(path.join(dataDir, "pgdata"), { loadDataDir: dump })).close();
  } else {
    const scratch = path.join(dataDir, "restore-pgdata");
    await mkdir(scratch);
    const old = await PGlite.create(scratch, { loadDataDir: dump });
    try {
      pg = await freshPostgresDatabase();
      await copyIntoPostgres(old, pg.url);
    } finally {
      await old.close();
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const offset = new Date(builtAt).getTime() + 24 * 3600_000 - Date.now();
  const now = () => new Date(Date.now() + offset);
  const portal = await startPortal({
    env: {
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: pg?.url,
      LOG_LEVEL: "info",
      // The jobs run below, explicitly, at the portal's clock.
      RETENTION_INTERVAL_MINUTES: "0",
      NOTIFY_INTERVAL_MINUTES: "0",
      DB_UPKEEP_INTERVAL_MINUTES: "0",
    },
    logWrite: (line) => logs.push(line),
    now,
  });
  return {
    portal,
    now,
    close: async () => {
      await portal.close();
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function signIn(baseUrl: string, s: StaffSecret, at: Date): Promise<StaffClient> {
  const client = new StaffClient({ baseUrl, fetch: cookieFetch() });
  expect(await client.signIn(s.email, s.password)).toBe("totp");
  await client.secondFactor({ code: totpCode(s.totpSecret, at.getTime()) });
  return client;
}

/** Every case in the inbox as the case page decrypts it (app/components/staff-case/), files downloaded. */
/** Reports whose update e-mails an investigator's browser found an address for (read by readAsInvestigator). */
const updateEmailAddresses = new Set<string>();

async function readAsInvestigator(client: StaffClient) {
  const inbox = await client.get<{ rows: { id: string }[] }>("/api/staff/cases");
  const out: Record<string, unknown> = {};
  const keyPair = client.keyPair!;
  for (const { id } of inbox.rows) {
    const v = await client.get<StaffCaseView & { holds?: { reason: string; liftedOn: string | null }[] }>(`/api/staff/cases/${id}/view`);
    const keys = openEnvelope(fromBase64Url(v.envelope), id, keyPair);
    const rk = keys.reportKey;
    const files = [];
    for (const a of v.attachments) {
      const meta = decryptFileMeta(rk, id, a.id, fromBase64Url(a.meta));
      const decryptor = new AttachmentDecryptor(unwrapFileKey(rk, id, a.id, fromBase64Url(a.fileKey)), { reportId: id, attachmentId: a.id });
      files.push({
        id: a.id,
        source: a.source,
        ...meta,
        sha256: await plaintextSha(await client.raw(`/api/staff/cases/${id}/attachments/${a.id}`), decryptor),
      });
    }
    // Behind a recorded reason since ADR 052: the reports of every earlier release open the same way.
    const identity = v.hasIdentity ? await openIdentityWithReason(client, keys, id) : null;
    // They have no update-e-mail address record (migration 0013 could not write one): the wish inside the
    // identity, released to this investigator, says where update e-mails go.
    expect(v.notifyAddress).toBeNull();
    const address = updateEmailAddress(rk, id, v.notifyAddress, identity);
    expect(address).toEqual(identity?.email && identity.notify?.email ? { email: identity.email, language: identity.notify.language } : null);
    if (address) updateEmailAddresses.add(id);
    out[v.caseNumber] = {
      reportId: id,
      status: v.status,
      outcome: v.outcome,
      priority: v.priority,
      assigneeId: v.assigneeId,
      title: decryptTitle(rk, id, fromBase64Url(v.title)),
      body: decryptBody(rk, id, fromBase64Url(v.body)),
      identity,
      labels: v.labels ? decryptLabels(keys.caseKey, id, fromBase64Url(v.labels)) : [],
      notes: v.notes.map((n) => ({ id: n.id, staffUserId: n.staffUserId, text: decryptNote(keys.caseKey, id, n.id, fromBase64Url(n.body)) })),
      messages: v.messages.map((m) => ({ id: m.id, seq: m.seq, ...decryptMessage(rk, id, m.id, fromBase64Url(m.body), m.author) })),
      attachments: files,
      privacyRequests: v.privacyRequests.map((p) => ({
        id: p.id,
        kind: p.kind,
        state: p.state,
        outcome: p.outcome ?? null,
        detail: p.detail ? decryptPrivacyText(rk, id, p.id, "request", fromBase64Url(p.detail)) : null,
        answer: p.answer ? decryptPrivacyText(rk, id, p.id, "answer", fromBase64Url(p.answer)) : null,
      })),
      holds: (v.holds ?? []).map((h) => ({ reason: h.reason, lifted: Boolean(h.liftedOn) })),
    };
  }
  return out;
}

/** The follow-up page with the receipt code, files downloaded and decrypted as the reporter's browser does. */
async function readAsReporter(baseUrl: string, receipt: string) {
  const { session, case: c } = await openCase(receipt, { baseUrl });
  const files = [];
  for (const a of c.attachments) {
    const f = await session.downloadAttachment(a.id);
    files.push({ id: a.id, source: a.source, name: a.name, type: a.type, size: a.size, sha256: sha256(new Uint8Array(await f.blob.arrayBuffer())) });
  }
  await session.logout();
  return {
    reportId: c.reportId,
    caseNumber: c.caseNumber,
    status: c.status,
    title: c.title,
    body: c.body,
    identity: c.identity,
    messages: c.messages.map((m) => ({ id: m.id, author: m.author, kind: m.kind, text: m.text })),
    attachments: files,
    privacyRequests: c.privacyRequests.map((p) => ({ kind: p.kind, state: p.state, detail: p.detail, answer: p.answer, outcome: p.outcome ?? null })),
  };
}

/** Every share the reviewer holds a key for, as the affiliate share page opens it. */
async function readAsAffiliate(client: StaffClient) {
  const out: Record<string, unknown> = {};
  for (const s of await client.get<{ id: string; caseNumber: string }[]>("/api/affiliate/shares")) {
    const opened = openShare(await fetchShare(client, s.id), client.keyPair!);
    const files = [];
    for (const f of opened.pkg.files) files.push({ ...f, sha256: await plaintextSha(await downloadShared(client, s.id, f.id), fileDecryptor(opened, f.id)) });
    const { feedbackKey: _unused, ...pkg } = opened.pkg;
    out[s.id] = { caseNumber: s.caseNumber, pkg: { ...pkg, files }, feedback: opened.feedback.map((f) => ({ id: f.id, author: f.author, text: f.text })) };
  }
  return out;
}

/** Every archive, as the administrators' archive page opens it, files included. */
async function readArchives(client: StaffClient) {
  const out: Record<string, unknown> = {};
  for (const a of await client.get<{ id: string; caseNumber: string; retainUntil?: string }[]>("/api/admin/archives")) {
    const wire = await client.get<ArchiveWire>(`/api/admin/archives/${a.id}`);
    const pkg = openArchive(wire, client.keyPair!);
    const files: Record<string, string> = {};
    for (const f of wire.files)
      files[f.id] = await plaintextSha(await client.raw(`/api/admin/archives/${a.id}/files/${f.id}`), archivedFileDecryptor(wire, pkg, client.keyPair!, f.id));
    out[a.caseNumber] = { archiveId: a.id, retainUntil: a.retainUntil ?? null, pkg, files };
  }
  return out;
}

const onBackends = await backends();

describe.each(releases)("release %s after the upgrade", (release) => {
  const dir = path.join(SNAPSHOTS, release);
  let secrets: Secrets;
  let expected: Expected;

  beforeAll(async () => {
    await loadSodium();
    secrets = JSON.parse(await readFile(path.join(dir, "secrets.json"), "utf8")) as Secrets;
    expected = JSON.parse(await readFile(path.join(dir, "expected.json"), "utf8")) as Expected;
  });

  for (const backend of onBackends) {
    describe(`on ${backend}`, () => {
      let opened: Opened;
      const logs: string[] = [];
      const url = () => opened.portal.url;
      const staffOf = (role: StaffSecret["role"]) => Object.keys(secrets.staff).filter((k) => secrets.staff[k]!.role === role);
      // One sign-in per account: a second one within the same 30 s step would replay its TOTP code.
      const clients = new Map<string, StaffClient>();
      const client = async (key: string) => {
        if (!clients.has(key)) clients.set(key, await signIn(url(), secrets.staff[key]!, opened.now()));
        return clients.get(key)!;
      };

      beforeAll(async () => {
        opened = await openSnapshot(dir, secrets.builtAt, backend, logs);
      });
      afterAll(async () => {
        await opened?.close();
      });

      it("keeps every row of every table through the migrations", async () => {
        const db = opened.portal.services.db;
        const counts: Record<string, number> = {};
        for (const t of Object.keys(expected.tables)) {
          // As the builder counts: unused setup links die at every start (ensureSetupLink).
          const where = t === "staff_invitations" ? " where not (kind = 'setup' and used_at is null)" : "";
          const [row] = await queryRows<{ n: string }>(db, sql.raw(`select count(*)::text as n from "${t}"${where}`));
          counts[t] = Number(row!.n);
        }
        // Plus one audit entry: the keyed entry that anchors the release's unkeyed chain (ADR 028).
        expect(counts).toEqual({ ...expected.tables, audit_log: expected.tables.audit_log! + 1 });
      });

      it("lets every investigator read every case they could read before, byte for byte", async () => {
        for (const key of staffOf("investigator")) expect(await readAsInvestigator(await client(key)), key).toEqual(expected.investigators[key]);
        // At least one release's report asked for update e-mails, so the address above was really looked for.
        expect(updateEmailAddresses.size).toBeGreaterThan(0);
      });

      it("opens every case with its receipt code, as the reporter read it", async () => {
        for (const [receipt, c] of Object.entries(expected.receipts)) expect(await readAsReporter(url(), receipt)).toEqual(c);
      });

      it("lets each affiliate reviewer read exactly the shares they could read before", async () => {
        for (const key of staffOf("affiliate")) expect(await readAsAffiliate(await client(key)), key).toEqual(expected.affiliates[key]);
      });

      it("lets the administrators read the archive", async () => {
        for (const key of staffOf("admin")) expect(await readArchives(await client(key)), key).toEqual(expected.admins[key]);
      });

      it("runs the retention and notification jobs on the old data, destroying nothing early, and the audit chain verifies", async () => {
        const s = opened.portal.services;
        const at = opened.now().toISOString();
        expect(await commands["retention:run"]!(s, ["--now", at])).toMatch(/Destroyed 0 case\(s\)\./);
        await commands["notify:run"]!(s, ["--now", at]);
        // The release's unkeyed chain is kept whole and anchored by the first keyed entry (ADR 028).
        const n = expected.tables.audit_log!;
        expect(await commands["audit:verify"]!(s, [])).toMatch(
          new RegExp(`^Audit chain intact: \\d+ entries verified\\.\\nEntries 1-${n} are from before the chain was keyed; entry ${n + 1} anchors them\\.$`),
        );
        // After the jobs, the cases still read the same.
        for (const key of staffOf("investigator")) expect(await readAsInvestigator(await client(key)), key).toEqual(expected.investigators[key]);
      });
    });
  }
});
