// Full-text scans for planted marker strings: every row of every table (text
// columns as text, bytea as bytes), every blob, every log line, and for PGlite
// the raw database files themselves (tables, indexes, WAL).
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Services } from "../../app/.server/platform/services";

export interface Finding {
  where: string;
  marker: string;
}

function needles(marker: string): { marker: string; bytes: Buffer[] } {
  return {
    marker,
    bytes: [
      Buffer.from(marker, "utf8"),
      Buffer.from(marker, "utf16le"),
      Buffer.from(Buffer.from(marker).toString("base64").slice(0, -4)),
      Buffer.from(Buffer.from(marker).toString("hex")),
    ],
  };
}

function search(where: string, haystack: Buffer, markers: string[], out: Finding[]): void {
  for (const m of markers.map(needles)) {
    if (m.bytes.some((b) => b.length > 0 && haystack.includes(b))) out.push({ where, marker: m.marker });
  }
}

async function rows(s: Services, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  const result = await s.db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
}

export async function scanDatabase(s: Services, markers: string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const tables = await rows(
    s,
    sql`select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
  );
  if (tables.length < 5) throw new Error("scan found too few tables: is the schema there?");
  for (const t of tables) {
    const name = `"${String(t.table_schema)}"."${String(t.table_name)}"`;
    // row_to_json renders bytea as \x-hex; both the text and the decoded bytes are searched.
    for (const r of await rows(s, sql.raw(`select row_to_json(x)::text as j from ${name} x`))) {
      const text = String(r.j);
      search(name, Buffer.from(text), markers, out);
      for (const hex of text.match(/\\\\x([0-9a-f]+)/g) ?? []) search(`${name} (bytea)`, Buffer.from(hex.slice(3), "hex"), markers, out);
    }
  }
  return out;
}

export async function scanDirectory(dir: string, markers: string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = path.join(d, name);
      const st = await stat(p).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) search(p, await readFile(p), markers, out);
    }
  };
  await walk(dir);
  return out;
}

export function scanLines(label: string, lines: string[], markers: string[]): Finding[] {
  const out: Finding[] = [];
  search(label, Buffer.from(lines.join("\n")), markers, out);
  return out;
}

/** Everywhere a running portal keeps anything: every table, the blob store, PGlite's own files, the log lines. */
export async function scanPortal(portal: { services: Services; logs: string[]; backend: "pglite" | "postgres" }, markers: string[]): Promise<Finding[]> {
  const s = portal.services;
  return [
    ...(await scanDatabase(s, markers)),
    ...(await scanDirectory(s.config.paths.blobs, markers)),
    ...(portal.backend === "pglite" ? await scanDirectory(s.config.paths.pglite, markers) : []),
    ...scanLines("logs", portal.logs, markers),
  ];
}

/** Raw byte strings (ciphertexts) anywhere in the files under `dir`. */
export async function scanDirectoryForBytes(dir: string, needles: { label: string; bytes: Uint8Array }[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = path.join(d, name);
      const st = await stat(p).catch(() => null);
      if (st?.isDirectory()) await walk(p);
      else if (st?.isFile()) {
        const data = await readFile(p);
        for (const n of needles) if (data.includes(Buffer.from(n.bytes))) out.push({ where: p, marker: n.label });
      }
    }
  };
  await walk(dir);
  return out;
}
