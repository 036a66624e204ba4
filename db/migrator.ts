// The portal's migrator (ADR 039): drizzle's bookkeeping, one transaction per migration, and index
// builds that do not block writes.
//
// Compatible with drizzle's migrator, which earlier releases used: the same files (meta/_journal.json and
// the SQL split at `--> statement-breakpoint`, read by drizzle's own readMigrationFiles), the same table
// drizzle.__drizzle_migrations (hash of the whole file, created_at = the journal's `when`) and the same
// rule for what is pending (every migration newer than the newest row). A database drizzle migrated
// continues here, and drizzle would see this migrator's rows as its own.
//
// Unlike drizzle, which runs every pending migration in one transaction, each migration runs in its own,
// with its bookkeeping row. A migration whose first line is the marker `-- migrate: concurrently` may also
// hold `CREATE INDEX CONCURRENTLY IF NOT EXISTS` and `DROP INDEX CONCURRENTLY IF EXISTS` statements, which
// PostgreSQL refuses inside a transaction: they run one by one after the migration's transaction has
// committed. Should one fail (the instance killed mid-build, a cancel), the next run finishes it: the newest
// applied migration's concurrent statements are run again (an index left INVALID is dropped and rebuilt,
// a valid one is left alone), before anything newer. Only the newest can be unfinished, since a run stops
// at the first failure; older ones are never re-run (a later migration may have dropped or replaced their
// indexes).
import { readFileSync } from "node:fs";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";

/** The first line of a migration that holds statements to run outside its transaction. */
export const CONCURRENTLY_MARKER = "-- migrate: concurrently";

export type Row = Record<string, unknown>;

/**
 * One connection (PostgreSQL) or the database (PGlite), as the migrator needs it: one statement at a time,
 * always on the same session (the one that holds the migration lock), so that BEGIN and COMMIT are statements too.
 */
export interface MigrationSession {
  run(statement: string, params?: unknown[]): Promise<Row[]>;
}

export interface ConcurrentStatement {
  kind: "create-index" | "drop-index";
  sql: string;
  /** The index as written, for to_regclass (drop-index: possibly schema-qualified). */
  index: string;
  /** create-index: the table as written, for to_regclass. */
  table?: string;
}

export interface Migration {
  tag: string;
  hash: string;
  /** The journal's `when`, recorded as created_at. */
  folderMillis: number;
  /** Run in the migration's transaction, in file order. */
  statements: string[];
  /** Run after it, one at a time, outside a transaction, in file order. */
  concurrent: ConcurrentStatement[];
}

export interface MigrationSummary {
  /** Tags of the migrations applied by this run. */
  applied: string[];
  /** Tag of an already applied migration whose concurrent statements this run finished, if any. */
  finished: string | null;
}

/** A migration file the migrator will not run; names the file and says what to change. */
export class MigrationFileError extends Error {
  constructor(
    readonly tag: string,
    message: string,
  ) {
    super(`db/migrations/${tag}.sql: ${message} (docs/decisions/039-index-builds-outside-the-migration-transaction.md)`);
    this.name = "MigrationFileError";
  }
}

/** A statement of a migration failed; keeps the database's error as the cause. */
export class MigrationError extends Error {
  constructor(
    readonly tag: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(`migration ${tag}: ${message}`, options);
    this.name = "MigrationError";
  }
}

// An identifier as written: "quoted" (with "" for a quote) or bare (folded to lower case by PostgreSQL).
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const CREATE_CONCURRENTLY = new RegExp(
  String.raw`^create\s+(?:unique\s+)?index\s+concurrently\s+if\s+not\s+exists\s+(${IDENT})\s+on\s+(?:only\s+)?(${IDENT}(?:\s*\.\s*${IDENT})?)[\s(]`,
  "i",
);
const DROP_CONCURRENTLY = new RegExp(String.raw`^drop\s+index\s+concurrently\s+if\s+exists\s+(${IDENT}(?:\s*\.\s*${IDENT})?)\s*;?$`, "i");

/** The statement without its comments and surrounding blanks (comments inside strings are not expected here). */
function bare(chunk: string): string {
  return chunk
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/--[^\n]*/g, " ")
    .trim();
}

/** Splits a migration's chunks into transactional statements and concurrent ones, checking the rules. */
export function classify(tag: string, source: string, chunks: string[]): Pick<Migration, "statements" | "concurrent"> {
  const marked = source.split("\n", 1)[0]!.trim().startsWith(CONCURRENTLY_MARKER);
  const statements: string[] = [];
  const concurrent: ConcurrentStatement[] = [];
  for (const chunk of chunks) {
    const text = bare(chunk);
    if (!text) continue;
    if (!/\bconcurrently\b/i.test(text)) {
      if (concurrent.length) throw new MigrationFileError(tag, "put every statement that runs in the transaction before the CONCURRENTLY ones");
      statements.push(chunk);
      continue;
    }
    if (!marked) throw new MigrationFileError(tag, `a CONCURRENTLY statement needs the marker "${CONCURRENTLY_MARKER}" as the file's first line`);
    if (/;\s*\S/.test(text)) throw new MigrationFileError(tag, "a CONCURRENTLY statement must be alone between statement breakpoints");
    const create = CREATE_CONCURRENTLY.exec(text);
    const drop = DROP_CONCURRENTLY.exec(text);
    if (create) concurrent.push({ kind: "create-index", sql: chunk, index: create[1]!, table: create[2]! });
    else if (drop) concurrent.push({ kind: "drop-index", sql: chunk, index: drop[1]! });
    else
      throw new MigrationFileError(
        tag,
        "only `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS name ON table …` and `DROP INDEX CONCURRENTLY IF EXISTS name` may run outside the transaction",
      );
  }
  if (marked && !concurrent.length) throw new MigrationFileError(tag, `the marker "${CONCURRENTLY_MARKER}" is there but no CONCURRENTLY statement`);
  return { statements, concurrent };
}

/** The migrations of a folder in journal order, read as drizzle reads them (same split, same hashes). */
export function readMigrations(folder: string): Migration[] {
  const files = readMigrationFiles({ migrationsFolder: folder });
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  return files.map((file, i) => {
    const tag = journal.entries[i]!.tag;
    const source = readFileSync(path.join(folder, `${tag}.sql`), "utf8");
    return { tag, hash: file.hash, folderMillis: file.folderMillis, ...classify(tag, source, file.sql) };
  });
}

/**
 * The statement's index and whether it is valid, or null when there is none. A created index lives in its
 * table's schema, so it is looked up there; a dropped one by its name as written (search_path applies).
 */
async function indexState(session: MigrationSession, s: ConcurrentStatement): Promise<{ valid: boolean; drop: string } | null> {
  const [row] = await session.run(
    `select i.indisvalid as valid, format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', n.nspname, c.relname) as drop
     from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
     where case when $1::text is null then c.oid = to_regclass($2)
                else i.indrelid = to_regclass($1) and c.relname = (parse_ident($2))[1] end`,
    [s.table ?? null, s.index],
  );
  return row ? { valid: row.valid === true, drop: String(row.drop) } : null;
}

/**
 * Runs one concurrent statement unless what it does is done, so that running it again finishes what a
 * failed run left and otherwise asks nothing of PostgreSQL (no lock): a valid index is kept; one a killed
 * or failed build left INVALID is dropped first (IF NOT EXISTS would keep it) and built again; a drop runs
 * while the index is there. Says whether it ran.
 */
async function runConcurrent(session: MigrationSession, tag: string, s: ConcurrentStatement): Promise<boolean> {
  try {
    const state = await indexState(session, s);
    if (s.kind === "create-index") {
      if (state?.valid) return false;
      // The DROP is built by PostgreSQL (format %I) from the catalog's names, not from the file's text.
      if (state) await session.run(state.drop);
    } else if (!state) return false;
    await session.run(s.sql);
    return true;
  } catch (cause) {
    throw new MigrationError(tag, `${bare(s.sql).slice(0, 200)} failed; the next start runs it again`, { cause });
  }
}

/**
 * Applies the pending migrations of `migrations` (readMigrations). The caller holds the lock that keeps
 * other instances out for the whole run (db/client.ts).
 */
export async function applyMigrations(session: MigrationSession, migrations: Migration[]): Promise<MigrationSummary> {
  // As drizzle's migrator creates them.
  await session.run("CREATE SCHEMA IF NOT EXISTS drizzle");
  await session.run("CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)");
  const [last] = await session.run("select created_at::text as created_at from drizzle.__drizzle_migrations order by created_at desc limit 1");
  const lastMillis = last ? Number(last.created_at) : null;

  let finished: string | null = null;
  const newest = lastMillis === null ? undefined : migrations.find((m) => m.folderMillis === lastMillis);
  for (const s of newest?.concurrent ?? []) if (await runConcurrent(session, newest!.tag, s)) finished = newest!.tag;

  const applied: string[] = [];
  for (const m of migrations) {
    if (lastMillis !== null && m.folderMillis <= lastMillis) continue;
    await session.run("begin");
    try {
      for (const statement of m.statements) await session.run(statement);
      await session.run('insert into drizzle.__drizzle_migrations ("hash", "created_at") values ($1, $2)', [m.hash, m.folderMillis]);
      await session.run("commit");
    } catch (cause) {
      // A lost connection has rolled back already; its own error is the one to report.
      await session.run("rollback").catch(() => {});
      throw new MigrationError(m.tag, "failed and was rolled back", { cause });
    }
    for (const s of m.concurrent) await runConcurrent(session, m.tag, s);
    applied.push(m.tag);
  }
  return { applied, finished };
}
