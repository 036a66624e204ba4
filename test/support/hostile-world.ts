// A populated portal for the hostile-input and SQL-injection suites: every kind
// of caller signed in (anonymous, a reporter session, an upload token, a staff
// member half signed in, an investigator, an administrator, a Cloud reviewer),
// and every kind of thing a route can point at (a case with a file, a message,
// a privacy request and a legal hold, a share with Cloud, an archived case, an
// invitation, uploads in every state), so hostile requests reach the code
// behind the guards. Also: real values for ids in bodies and paths, and
// snapshots of every table and the blob directory.
import { openIdentityWithReason } from "./identity";
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { openCase } from "../../app/reporter/followup-client";
import { StaffClient } from "../../app/staff/staff-client";
import { createShare } from "../../app/staff/share-builder";
import { archiveCase, type ArchivableCase } from "../../app/staff/archive-builder";
import { MAX_PART_BYTES, UPLOAD_TOKEN_HEADER } from "../../app/intake/limits";
import { encryptMessage, loadSodium, newRecordId, toBase64Url, type StaffKeyPair } from "../../crypto";
import { attachments, categories, legalHolds, privacyRequests, reports, staffNotifications } from "../../db/schema";
import type { Backend } from "./backends";
import type { CallerKind, Endpoint } from "./api-routes";
import { memoryFile } from "./files";
import { decryptReportAsInvestigator } from "./investigator";
import { startTestPortal, type TestPortal } from "./portal";
import { rawRequest } from "./raw-http";
import { caseForSharing } from "./sharing";
import { createStaff, PASSWORD } from "./staff";
import { totpCode } from "./staff-session";
import { OMIT, type FieldInfo, type Hint, type Path } from "./zod-probe";
import { powFor } from "./pow";

export interface World {
  portal: TestPortal;
  url: string;
  /** Request headers that make each kind of caller. */
  headers: Record<CallerKind, Record<string, string>>;
  ids: {
    reportId: string;
    caseNumber: string;
    receiptCode: string;
    attachmentId: string;
    messageId: string;
    privacyRequestId: string;
    holdId: string;
    cloudShareId: string;
    archiveId: string;
    archivedFileId: string;
    categoryId: string;
    investigatorId: string;
    otherInvestigatorId: string;
    adminId: string;
    pendingAdminId: string;
    cloudReviewerId: string;
    notificationId: string | null;
    invitationToken: string;
    /** A finished follow-up upload for the case, not yet attached. */
    completeUploadId: string;
    /** Intake uploads: part 0 of two stored; one complete; one with nothing yet. */
    partialUpload: { id: string; token: string; expected: number };
    completeUpload: { id: string; token: string; expected: number };
    freshUpload: { id: string; token: string; expected: number };
  };
  investigatorKeys: StaffKeyPair;
  reportIds: string[];
  /** The session of the investigator the reporter excluded from the case (when asked for). */
  excludedHeaders: Record<string, string> | null;
}

export const HOSTILE_ENV: Record<string, string> = {
  // Rate limits would answer 429 before the code under test runs: lifted (they have their own tests).
  RECEIPT_ATTEMPTS_PER_CLIENT: "1000000",
  RECEIPT_ATTEMPTS_GLOBAL: "1000000",
  RECEIPT_MIN_RESPONSE_MS: "0",
  UPLOADS_PER_CLIENT_PER_HOUR: "1000000",
  // No background job may change the database while it is being compared.
  RETENTION_INTERVAL_MINUTES: "0",
  NOTIFY_INTERVAL_MINUTES: "0",
  LOG_LEVEL: "warn",
};

/** Signs a CLI-made account in through the API (password, authenticator enrolment), keeping its cookie. */
async function signIn(baseUrl: string, email: string, finish = true): Promise<{ client: StaffClient; cookie: () => string }> {
  const jar = new Map<string, string>();
  const jarFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size) headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const r = await fetch(input, { ...init, headers });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = pair!.split("=");
      if (v) jar.set(k!, v);
      else jar.delete(k!);
    }
    return r;
  };
  const client = new StaffClient({ baseUrl, fetch: jarFetch });
  const next = await client.signIn(email, PASSWORD);
  if (next !== "totp_setup") throw new Error(`expected totp_setup, got ${next}`);
  if (finish) {
    const setup = await client.beginTotpSetup();
    await client.finishTotpSetup(totpCode(setup.secret));
  }
  return { client, cookie: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
}

async function upload(url: string, create: { path: string; headers: Record<string, string>; body: unknown }, parts: Buffer[], complete: boolean) {
  const r = await rawRequest(url, {
    method: "POST",
    path: create.path,
    headers: { ...(await powFor(url, create.path, create.headers)), "Content-Type": "application/json" },
    body: JSON.stringify(create.body),
  });
  if (r.status !== 201) throw new Error(`upload not opened: ${r.status} ${r.text}`);
  const { uploadId, token } = JSON.parse(r.text) as { uploadId: string; token: string };
  for (const [i, p] of parts.entries()) {
    const put = await rawRequest(url, {
      method: "PUT",
      path: `/api/intake/uploads/${uploadId}/parts/${i}`,
      headers: { [UPLOAD_TOKEN_HEADER]: token, "Content-Type": "application/octet-stream" },
      body: p,
    });
    if (put.status !== 200) throw new Error(`part ${i} refused: ${put.status} ${put.text}`);
  }
  if (complete) {
    const c = await rawRequest(url, { method: "POST", path: `/api/intake/uploads/${uploadId}/complete`, headers: { [UPLOAD_TOKEN_HEADER]: token } });
    if (c.status !== 200) throw new Error(`upload not completed: ${c.status} ${c.text}`);
  }
  return { id: uploadId, token };
}

export async function startHostilePortal(backend: Backend): Promise<TestPortal> {
  const portal = await startTestPortal(backend, HOSTILE_ENV);
  // Hostile bodies sent to the sign-in routes fail by the hundred from one client: no back-off here (ADR 030).
  const none = { free: 1e9, baseMs: 0, capMs: 0, forgetMs: 60_000 };
  portal.services.signInBackoff = { ...portal.services.signInBackoff, pair: none, client: none, secondFactor: none };
  return portal;
}

export async function buildWorld(portal: TestPortal, options: { excludedSession?: boolean } = {}): Promise<World> {
  await loadSodium();
  const url = portal.url;
  const db = portal.services.db;
  // Independent accounts and sessions, made side by side: the server's argon2 runs in its thread pool meanwhile.
  const [inv, inv2, admin, cloud] = await Promise.all([
    createStaff(portal, "investigator", "inv@okestro.example", ["--name", "Hostile Investigator"]),
    createStaff(portal, "investigator", "inv2@okestro.example", ["--name", "Other Investigator"]),
    createStaff(portal, "admin", "admin@okestro.example"),
    createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]),
    createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi"]),
  ]);
  const [investigator, administrator, reviewer, excluded] = await Promise.all([
    signIn(url, "inv@okestro.example"),
    signIn(url, "admin@okestro.example"),
    signIn(url, "cloud@okestro.example"),
    options.excludedSession ? signIn(url, "inv2@okestro.example") : null,
  ]);

  const info = await fetchIntakeInfo({ baseUrl: url });
  const categoryId = info.categories[0]!.id;
  const draft = (title: string, excluded: string[]) => ({
    categoryId,
    title,
    body: { description: `${title}: what happened`, details: "details", periodFrom: null, periodTo: null },
    identity: { name: "Reporter Name", email: "reporter@okestro.example", phone: "" },
    excludedInvestigators: excluded,
    consentReport: true as const,
    consentOptional: true,
    consentAffiliateIdentity: false,
  });
  const r1 = await submitEncryptedReport(draft("hostile fixture", [inv2.id]), [memoryFile("evidence.txt", "text/plain", Buffer.from("evidence bytes"))], info, {
    baseUrl: url,
  });
  const [att] = await db.select().from(attachments).where(eq(attachments.reportId, r1.reportId));

  // The reporter: a session, a message and a privacy request.
  const opened = await openCase(r1.receiptCode, { baseUrl: url });
  const bearer = opened.session.beaconToken!;
  await opened.session.sendMessage("a message from the reporter");
  await opened.session.requestPrivacy("deletion", "please delete");
  const [pr] = await db.select().from(privacyRequests).where(eq(privacyRequests.reportId, r1.reportId));

  // The investigator: a hold and a share with Cloud.
  const c = await caseForSharing(portal, r1.reportId, inv.id, investigator.client.keyPair!);
  await investigator.client.caseOp(r1.reportId, "holds", { reason: "litigation" });
  const [hold] = await db.select().from(legalHolds).where(eq(legalHolds.reportId, r1.reportId));
  const share = await createShare(investigator.client, c.ref, c.keys, {
    affiliate: "cloud",
    purpose: "fact_finding",
    purposeNote: null,
    retainUntil: null,
    fields: { title: c.title },
    redacted: [],
    files: c.files,
  });

  // A second case, closed and archived for the administrator.
  const r2 = await submitEncryptedReport(draft("archived fixture", []), [memoryFile("a.txt", "text/plain", Buffer.from("archived bytes"))], info, {
    baseUrl: url,
  });
  const o = await caseForSharing(portal, r2.reportId, inv.id, investigator.client.keyPair!);
  const summaryId = newRecordId();
  await investigator.client.caseOp(r2.reportId, "status", {
    to: "closed",
    outcome: "referred",
    summary: {
      id: summaryId,
      body: toBase64Url(encryptMessage(o.keys.reportKey, r2.reportId, summaryId, { author: "investigator", kind: "message", text: "closed" })),
    },
  });
  await openIdentityWithReason(investigator.client, o.keys, r2.reportId, "legal_obligation");
  const archived = await archiveCase(
    investigator.client,
    await investigator.client.get<ArchivableCase>(`/api/staff/cases/${r2.reportId}/view`),
    o.keys,
    null,
    "national_tax",
  );

  // A second administrator, made after the archive (so it can be granted to them), half signed in.
  const admin2 = await createStaff(portal, "admin", "admin2@okestro.example");
  const pending = await signIn(url, "admin2@okestro.example", false);

  // An invitation whose link is still open.
  const invitation = await administrator.client.post<{ path: string }>("/api/staff/invitations", { email: "invited@okestro.example", role: "investigator" });

  // Uploads: a finished follow-up upload for the case; intake uploads part-way, complete and fresh.
  const partialExpected = MAX_PART_BYTES + 1000;
  const [followupUpload, partial, complete, fresh] = await Promise.all([
    upload(
      url,
      { path: "/api/followup/uploads", headers: { Authorization: `Bearer ${bearer}` }, body: { ciphertextBytes: 1000 } },
      [Buffer.alloc(1000, 7)],
      true,
    ),
    upload(
      url,
      { path: "/api/intake/uploads", headers: {}, body: { reportId: randomUUID(), ciphertextBytes: partialExpected } },
      [Buffer.alloc(MAX_PART_BYTES, 3)],
      false,
    ),
    upload(url, { path: "/api/intake/uploads", headers: {}, body: { reportId: randomUUID(), ciphertextBytes: 1000 } }, [Buffer.alloc(1000, 4)], true),
    upload(url, { path: "/api/intake/uploads", headers: {}, body: { reportId: randomUUID(), ciphertextBytes: 1000 } }, [], false),
  ]);

  const [notification] = await db.select().from(staffNotifications).where(eq(staffNotifications.staffUserId, inv.id)).limit(1);
  const [message] = opened.case.messages.length ? opened.case.messages : (await opened.session.refresh()).messages;

  return {
    portal,
    url,
    headers: {
      anonymous: {},
      reporter: { Authorization: `Bearer ${bearer}` },
      upload: { [UPLOAD_TOKEN_HEADER]: partial.token },
      pending: { Cookie: pending.cookie() },
      investigator: { Cookie: investigator.cookie() },
      admin: { Cookie: administrator.cookie() },
      affiliate: { Cookie: reviewer.cookie() },
    },
    ids: {
      reportId: r1.reportId,
      caseNumber: r1.caseNumber,
      receiptCode: r1.receiptCode,
      attachmentId: att!.id,
      messageId: message?.id ?? randomUUID(),
      privacyRequestId: pr!.id,
      holdId: hold!.id,
      cloudShareId: share.shareId,
      archiveId: archived.archiveId,
      archivedFileId: o.files[0]!.id,
      categoryId,
      investigatorId: inv.id,
      otherInvestigatorId: inv2.id,
      adminId: admin.id,
      pendingAdminId: admin2.id,
      cloudReviewerId: cloud.id,
      notificationId: notification?.id ?? null,
      invitationToken: invitation.path.split("/").pop()!,
      completeUploadId: followupUpload.id,
      partialUpload: { ...partial, expected: partialExpected },
      completeUpload: { ...complete, expected: 1000 },
      freshUpload: { ...fresh, expected: 1000 },
    },
    investigatorKeys: investigator.client.keyPair!,
    reportIds: (await db.select({ id: reports.id }).from(reports)).map((r) => r.id),
    excludedHeaders: excluded ? { Cookie: excluded.cookie() } : null,
  };
}

/** The real value for each path parameter, so one hostile parameter at a time is the only thing wrong. */
export function pathParams(w: World): Record<string, string> {
  return {
    reportId: w.ids.reportId,
    attachmentId: w.ids.attachmentId,
    shareId: w.ids.cloudShareId,
    archiveId: w.ids.archiveId,
    fileId: w.ids.archivedFileId,
    uploadId: w.ids.partialUpload.id,
    part: "1",
    userId: w.ids.otherInvestigatorId,
    token: w.ids.invitationToken,
  };
}

export function fillPath(e: Endpoint, values: Record<string, string>): string {
  return e.pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for path parameter ${name} of ${e.pattern}`);
    return values[name]!;
  });
}

/**
 * Real ids and sensible values for body fields by name, so a body is valid as
 * far as the server can check: then the one field made hostile is what it has
 * to refuse.
 */
export function hintFor(w: World, e: Endpoint): Hint {
  const staffFor = (): string => {
    if (e.file.includes("intake")) return w.ids.investigatorId;
    if (e.pattern.endsWith("/grants") && e.file.includes("admin")) return w.ids.pendingAdminId;
    if (e.op === "archive") return w.ids.adminId;
    return w.ids.cloudReviewerId;
  };
  return (p: Path, _f: FieldInfo) => {
    const key = [...p].reverse().find((k) => typeof k === "string");
    const parent = p.length > 1 ? p[p.length - 2] : undefined;
    switch (key) {
      case "categoryId":
        return w.ids.categoryId;
      case "staffUserId":
        return staffFor();
      case "granteeId":
        return w.ids.otherInvestigatorId;
      case "assigneeId":
        return w.ids.investigatorId;
      case "requestId":
        return w.ids.privacyRequestId;
      case "holdId":
        return w.ids.holdId;
      case "shareId":
        return e.op === "shares" ? randomUUID() : w.ids.cloudShareId;
      case "uploadId":
        return w.ids.completeUploadId;
      case "attachmentId":
      case "subject":
        return w.ids.attachmentId;
      case "excludedInvestigators":
        return [w.ids.otherInvestigatorId];
      case "ids":
        return w.ids.notificationId ? [w.ids.notificationId] : undefined;
      case "affiliate":
        // An invitation for an investigator names no affiliate.
        return e.file.includes("invitations") ? OMIT : "cloud";
      case "version":
        return 2;
      case "ciphertextBytes":
        return 1000;
      case "email":
        if (e.op === "notify-reporter") return "reporter@okestro.example";
        if (e.file.includes("invitations")) return "newcomer@okestro.example";
        return "nobody@okestro.example";
      case "mode":
        return "immediate";
      case "retainUntil":
        return "2031-01-01";
      case "items":
        return ["title"];
      case "event":
        return e.op === "events" ? "decrypted" : undefined;
      case "id":
        // A category without an id is a new one (with an unknown id the server stops at "no such category").
        if (e.file.includes("categories")) return OMIT;
        return parent === undefined || typeof parent === "string" ? randomUUID() : undefined;
      default:
        return undefined;
    }
  };
}

// ------------------------------------------------------------------ snapshots

type Row = Record<string, unknown>;

async function rows(w: World, query: ReturnType<typeof sql>): Promise<Row[]> {
  const result = await w.portal.services.db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: Row[] }).rows) as Row[];
}

export async function tableNames(w: World): Promise<string[]> {
  const t = await rows(
    w,
    sql`select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE' order by 1, 2`,
  );
  return t.map((r) => `"${String(r.table_schema)}"."${String(r.table_name)}"`);
}

/** Columns left out of the comparison, per table (bare table name): each must say why. */
/** Columns left out of a snapshot per table; `"*"` leaves the whole table out. */
export type Exclusions = Record<string, string[]>;

export interface Snapshot {
  tables: Record<string, string[]>;
  blobs: string[];
}

export async function snapshot(w: World, exclude: Exclusions = {}): Promise<Snapshot> {
  const tables: Record<string, string[]> = {};
  for (const name of await tableNames(w)) {
    const bare = name.split(".")[1]!.replaceAll('"', "");
    const drop = exclude[bare] ?? [];
    if (drop.includes("*")) continue;
    // Test-only statement: the name comes from information_schema, not from a request.
    const list = await rows(w, sql.raw(`select row_to_json(x)::text as j from ${name} x`));
    tables[bare] = list
      .map((r) => {
        const o = JSON.parse(String(r.j)) as Row;
        for (const c of drop) delete o[c];
        return JSON.stringify(o);
      })
      .sort();
  }
  return { tables, blobs: await blobListing(w.portal.services.config.paths.blobs) };
}

export async function blobListing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string): Promise<void> => {
    for (const name of (await readdir(d).catch(() => [] as string[])).sort()) {
      const p = path.join(d, name);
      const st = await stat(p).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) await visit(p);
      else
        out.push(
          `${path.relative(dir, p)} ${st.size} ${createHash("sha256")
            .update(await readFile(p))
            .digest("hex")
            .slice(0, 16)}`,
        );
    }
  };
  await visit(dir);
  return out;
}

/** What differs between two snapshots: rows changed (matched by their first column, usually the key), removed, added. */
export function diffSnapshots(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  const keyOf = (r: string) => {
    const o = JSON.parse(r) as Record<string, unknown>;
    const [k, v] = Object.entries(o)[0] ?? ["", ""];
    return `${k}=${JSON.stringify(v)}`;
  };
  for (const t of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    if (!(t in b.tables)) {
      out.push(`${t}: table gone`);
      continue;
    }
    const before = new Set(a.tables[t] ?? []);
    const after = new Set(b.tables[t] ?? []);
    const gone = [...before].filter((r) => !after.has(r));
    const added = [...after].filter((r) => !before.has(r));
    const addedByKey = new Map(added.map((r) => [keyOf(r), r]));
    for (const r of gone) {
      const k = keyOf(r);
      const now = addedByKey.get(k);
      if (now) {
        addedByKey.delete(k);
        const x = JSON.parse(r) as Record<string, unknown>;
        const y = JSON.parse(now) as Record<string, unknown>;
        const cols = Object.keys({ ...x, ...y }).filter((c) => JSON.stringify(x[c]) !== JSON.stringify(y[c]));
        out.push(`${t} ${k}: changed ${cols.map((c) => `${c} ${JSON.stringify(x[c])?.slice(0, 80)} -> ${JSON.stringify(y[c])?.slice(0, 80)}`).join("; ")}`);
      } else out.push(`${t}: removed ${r.slice(0, 400)}`);
    }
    for (const r of addedByKey.values()) out.push(`${t}: added ${r.slice(0, 400)}`);
  }
  const bb = new Set(a.blobs);
  const ba = new Set(b.blobs);
  for (const x of bb) if (!ba.has(x)) out.push(`blob changed or removed: ${x}`);
  for (const x of ba) if (!bb.has(x)) out.push(`blob added: ${x}`);
  return out;
}

export async function rowCounts(w: World): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await tableNames(w)) {
    const [r] = await rows(w, sql.raw(`select count(*)::int as n from ${name}`));
    out[name.split(".")[1]!.replaceAll('"', "")] = Number(r!.n);
  }
  return out;
}

/** Every stored report still decrypts for the investigator, files included. */
export async function reportsReadable(w: World): Promise<string[]> {
  const problems: string[] = [];
  const all = await w.portal.services.db.select({ id: reports.id }).from(reports);
  for (const id of w.reportIds) {
    if (!all.some((r) => r.id === id)) {
      problems.push(`report ${id} is gone`);
      continue;
    }
    try {
      const r = await decryptReportAsInvestigator(w.portal.services, id, "inv@okestro.example", PASSWORD);
      if (!r.title.endsWith("fixture")) problems.push(`report ${id} decrypts to an unexpected title`);
    } catch (error) {
      problems.push(`report ${id} does not decrypt: ${String(error)}`);
    }
  }
  return problems;
}

export async function categoryCount(w: World): Promise<number> {
  return (await w.portal.services.db.select().from(categories)).length;
}
