// Upload space that only real bytes take (ADR 031, issue 16 row 2).
//
// - What counts is what is stored: each `uploads` row's `received_bytes` plus
//   `reserved_bytes` (the part being written now), open or complete, until a
//   report or message claims the row or the cleanup deletes it. An announced
//   size takes nothing; it only bounds its own upload.
// - Reporters' uploads (new reports and follow-up) share the global ceiling
//   `MAX_PENDING_UPLOAD_BYTES`; staff uploads are outside it. Every client (the
//   keyed daily pseudonym of ADR 027, or `staff:<id>`) has its own caps:
//   `MAX_OPEN_UPLOADS_PER_CLIENT` unfinished uploads and
//   `MAX_PENDING_UPLOAD_BYTES_PER_CLIENT` stored bytes.
// - A part reserves its length (Content-Length, else the most it may carry)
//   before a byte is written, under a transaction-scoped advisory lock, so
//   parts arriving together at several servers cannot overshoot a cap. A
//   refused part writes nothing.
// - Below the disk reserve (the larger of `UPLOAD_DISK_RESERVE_BYTES` and
//   `UPLOAD_DISK_RESERVE_PERCENT` of the disk) new uploads are refused with 507
//   `storage_low`; parts of uploads under way go on until half the reserve is
//   left. Administrators get one `storage_low` notification a day while it
//   lasts, from a refusal or from the periodic check.
// All of it lives in the rows, so limits hold across restarts and servers.
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "../../../db/client";
import { uploads } from "../../../db/schema";
import { MAX_PART_BYTES } from "../../intake/limits";
import { kickStaffNotifications } from "../notifications/outbox";
import { activeAdmins, notifyStaff } from "../notifications/record";
import { today } from "../platform/dates";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Serialises the check-and-reserve steps of every server (the number is arbitrary, unique in the code base). */
const SPACE_LOCK = 7426352;

const STAFF_PREFIX = "staff:";
/** The LIKE pattern of every staff key (a constant, bound as one parameter). */
const STAFF_KEYS = `${STAFF_PREFIX}%`;

/** The owner key of a staff member's uploads (pseudonyms are base64url, so never clash with it). */
export const staffClientKey = (staffUserId: string) => `${STAFF_PREFIX}${staffUserId}`;

const isStaffKey = (clientKey: string) => clientKey.startsWith(STAFF_PREFIX);

/** Rows in the reporters' ceiling: everything but staff uploads (rows from before ADR 031 have no key and count). */
const reporterRows = (): SQL => sql`(${isNull(uploads.clientKey)} or ${uploads.clientKey} not like ${STAFF_KEYS})`;

/** Stored (and reserved) bytes, leaving out one row's reservation, which its own new part replaces. */
const storedBytes = (exceptReservationOf: string | null) =>
  exceptReservationOf === null
    ? sql<number>`coalesce(sum(${uploads.receivedBytes} + ${uploads.reservedBytes}), 0)::float8`
    : sql<number>`coalesce(sum(${uploads.receivedBytes} + case when ${uploads.id} = ${exceptReservationOf} then 0 else ${uploads.reservedBytes} end), 0)::float8`;

function lock(tx: Tx) {
  return tx.execute(sql`select pg_advisory_xact_lock(${SPACE_LOCK})`);
}

function retryAfter(s: Services, firstExpiry: string | Date | null): number {
  const at = firstExpiry === null ? null : new Date(firstExpiry).getTime();
  const fallback = s.config.UPLOAD_TTL_HOURS * 3600;
  if (at === null || Number.isNaN(at)) return Math.ceil(fallback);
  return Math.max(60, Math.ceil((at - s.now().getTime()) / 1000));
}

function busy(): ApiError {
  const e = new ApiError(503, "uploads_busy", "reporters' files waiting to be submitted fill the space set aside for them; try again in a few minutes");
  e.retryAfterSeconds = 300;
  return e;
}

function overQuota(s: Services, firstExpiry: string | Date | null): ApiError {
  const cap = s.config.MAX_PENDING_UPLOAD_BYTES_PER_CLIENT;
  const e = new ApiError(
    429,
    "upload_quota_exceeded",
    `files sent from your network and not yet part of a report or message may take at most ${cap} bytes; submit what you have sent, or try again when unsent files expire`,
  );
  e.retryAfterSeconds = retryAfter(s, firstExpiry);
  return e;
}

/** The free space to keep on the blob store's disk. */
export function diskReserve(s: Services, totalBytes: number): number {
  return Math.max(s.config.UPLOAD_DISK_RESERVE_BYTES, Math.ceil((totalBytes * s.config.UPLOAD_DISK_RESERVE_PERCENT) / 100));
}

/** Records one `storage_low` notification per administrator and day (the dedupe key), and sends it. */
async function tellAdmins(s: Services, space: { freeBytes: number; totalBytes: number }): Promise<void> {
  const admins = await activeAdmins(s.db);
  const recorded = await notifyStaff(s.db, s, { event: "storage_low", staffUserIds: admins.map((a) => a.id), dedupeKey: `storage_low:${today(s)}` });
  if (recorded > 0) {
    s.log.warn("upload storage low: new uploads refused", {
      freeBytes: space.freeBytes,
      totalBytes: space.totalBytes,
      reserveBytes: diskReserve(s, space.totalBytes),
    });
    kickStaffNotifications(s);
  }
}

/**
 * Throws 507 `storage_low` unless `need` more bytes leave the reserve free (`part`: half of it, so
 * uploads under way can finish while new ones wait).
 */
export async function requireDiskRoom(s: Services, need: number, kind: "new" | "part"): Promise<void> {
  const space = await s.blobs.space();
  if (!space) return;
  const reserve = diskReserve(s, space.totalBytes) / (kind === "part" ? 2 : 1);
  if (space.freeBytes - need >= reserve) return;
  await tellAdmins(s, space);
  throw new ApiError(
    507,
    "storage_low",
    "the portal's storage is nearly full, so it takes no new files for now; the administrators have been told. You can still send text without files",
  );
}

/** The periodic check: tells administrators when the disk is below the reserve, even while nobody uploads. */
export async function checkStorage(s: Services): Promise<{ low: boolean }> {
  const space = await s.blobs.space();
  if (!space || space.freeBytes >= diskReserve(s, space.totalBytes)) return { low: false };
  await tellAdmins(s, space);
  return { low: true };
}

/**
 * Runs `insert` if the client may open another upload of `announced` bytes: fewer than
 * `MAX_OPEN_UPLOADS_PER_CLIENT` unfinished, its stored bytes plus this file within its cap, and
 * (reporters) the ceiling not already full.
 */
export async function admitUpload(s: Services, clientKey: string, announced: number, insert: (tx: Tx) => Promise<unknown>): Promise<void> {
  await s.db.transaction(async (tx) => {
    await lock(tx);
    const u = await usageOf(tx, s, clientKey, null);
    if (u.open >= s.config.MAX_OPEN_UPLOADS_PER_CLIENT) {
      const e = new ApiError(
        429,
        "too_many_open_uploads",
        `at most ${s.config.MAX_OPEN_UPLOADS_PER_CLIENT} unfinished uploads at once from your network; finish one first, or try again when unfinished ones expire`,
      );
      e.retryAfterSeconds = retryAfter(s, u.firstExpiry);
      throw e;
    }
    if (u.client + announced > s.config.MAX_PENDING_UPLOAD_BYTES_PER_CLIENT) throw overQuota(s, u.firstExpiry);
    if (!isStaffKey(clientKey) && u.global + Math.min(announced, MAX_PART_BYTES) > s.config.MAX_PENDING_UPLOAD_BYTES) throw busy();
    await insert(tx);
  });
}

/**
 * Reserves `bytes` for part `index` of an upload before any is written: refused (and nothing
 * reserved) beyond the client's cap or, for reporters, the ceiling. False if the upload moved on.
 */
export async function reservePart(s: Services, row: { id: string; clientKey: string | null }, index: number, bytes: number): Promise<boolean> {
  return s.db.transaction(async (tx) => {
    await lock(tx);
    const u = await usageOf(tx, s, row.clientKey, row.id);
    if (row.clientKey !== null && u.client + bytes > s.config.MAX_PENDING_UPLOAD_BYTES_PER_CLIENT) throw overQuota(s, u.firstExpiry);
    if ((row.clientKey === null || !isStaffKey(row.clientKey)) && u.global + bytes > s.config.MAX_PENDING_UPLOAD_BYTES) throw busy();
    const held = await tx
      .update(uploads)
      .set({ reservedBytes: bytes })
      .where(and(eq(uploads.id, row.id), eq(uploads.nextPart, index), eq(uploads.state, "open")))
      .returning({ id: uploads.id });
    return held.length === 1;
  });
}

/** Drops a part's reservation after a failed write (best effort: the next attempt replaces it anyway). */
export async function releasePart(s: Services, uploadId: string, index: number): Promise<void> {
  await s.db
    .update(uploads)
    .set({ reservedBytes: 0 })
    .where(and(eq(uploads.id, uploadId), eq(uploads.nextPart, index)))
    .catch(() => {});
}

/** What the rows hold now: the reporters' total, the client's total and open uploads, and when its first row expires. */
async function usageOf(tx: Tx, s: Services, clientKey: string | null, exceptReservationOf: string | null) {
  const ttl = s.config.UPLOAD_TTL_HOURS * 3600;
  const maxAge = s.config.UPLOAD_MAX_AGE_HOURS * 3600;
  const stored = storedBytes(exceptReservationOf);
  const [row] = await queryRows<{ global: number; client: number | null; open: number; firstExpiry: string | Date | null }>(
    tx as unknown as Db,
    sql`select
      (select ${stored} from ${uploads} where ${reporterRows()}) as "global",
      (select ${stored} from ${uploads} where ${uploads.clientKey} = ${clientKey}) as "client",
      (select count(*)::int from ${uploads} where ${uploads.clientKey} = ${clientKey} and ${uploads.state} = 'open') as "open",
      (select min(least(${uploads.updatedAt} + make_interval(secs => ${ttl}::float8), ${uploads.createdAt} + make_interval(secs => ${maxAge}::float8)))
         from ${uploads} where ${uploads.clientKey} = ${clientKey}) as "firstExpiry"`,
  );
  return { global: Number(row!.global), client: Number(row!.client ?? 0), open: Number(row!.open), firstExpiry: row!.firstExpiry };
}
