// Vitest global setup (integration and end-to-end projects): once per run, a
// database with the current migrations applied, which every test portal starts
// from instead of an empty one (ADR 023). On PGlite that is a data directory the
// portal copies (initdb in WebAssembly costs 6-9 s a portal, a copy about 1 s);
// on PostgreSQL a template database (`create database ... template`). Portals
// still run the migrations at start; they find nothing to do. Tests about a new
// installation ask for an empty database (startTestPortal's `emptyDatabase`).
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../db/client";
import { postgresAdminUrl } from "../support/backends";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite data directory, read-only: copy it, never open it. */
    pgliteSnapshot: string;
    /** A migrated PostgreSQL database to create test databases from; "" without PostgreSQL. */
    postgresTemplate: string;
  }
}

// Both projects that use it name this file; each runs its global setup, in the same process one after the
// other, so the second finds the first's work (keyed by this process) and teardown removes it once.
const ROOT = path.join(os.tmpdir(), `cor-test-snapshot-${process.pid}`);
const PGDATA = path.join(ROOT, "pgdata");
const READY = path.join(ROOT, "ready");
const TEMPLATE = `cor_template_${process.pid}`;

async function buildPglite(): Promise<void> {
  await rm(ROOT, { recursive: true, force: true });
  await mkdir(ROOT, { recursive: true });
  const handle = await openDatabase({ pgliteDir: PGDATA });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
}

async function buildPostgres(admin: string): Promise<void> {
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${TEMPLATE} with (force)`);
    await sql.unsafe(`create database ${TEMPLATE}`);
  } finally {
    await sql.end();
  }
  const url = new URL(admin);
  url.pathname = `/${TEMPLATE}`;
  const handle = await openDatabase({ url: url.toString(), poolSize: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
}

async function dropTemplate(admin: string): Promise<void> {
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${TEMPLATE} with (force)`);
  } finally {
    await sql.end();
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const admin = await postgresAdminUrl();
  if (!existsSync(READY)) {
    await Promise.all([buildPglite(), admin ? buildPostgres(admin) : null]);
    await writeFile(READY, "");
  }
  project.provide("pgliteSnapshot", PGDATA);
  project.provide("postgresTemplate", admin ? TEMPLATE : "");
  return async () => {
    if (!existsSync(ROOT)) return;
    await rm(ROOT, { recursive: true, force: true });
    if (admin) await dropTemplate(admin);
  };
}
