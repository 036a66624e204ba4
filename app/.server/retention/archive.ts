// The archive from the administrators' side: listing, opening one archive
// (ciphertext; the browser decrypts with the administrator's key), its files,
// and sealing the key to an administrator who joined later. Investigators and
// reviewers never reach it. Every access is audited.
import { and, asc, eq } from "drizzle-orm";
import { ARCHIVE_ENVELOPE_BYTES } from "../../../crypto/envelope";
import { toBase64Url } from "../../../crypto/encoding";
import { archiveEnvelopes, archiveFiles, archives } from "../../../db/schema";
import { appendAudit, audit } from "../audit/audit";
import { activeAdmins } from "../notifications/record";
import { today } from "../platform/dates";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

const NOT_FOUND = () => new ApiError(404, "not_found", "no such archive");

export async function listArchives(s: Services, admin: StaffPrincipal) {
  const rows = await s.db
    .select({ a: archives, holder: archiveEnvelopes.staffUserId })
    .from(archives)
    .leftJoin(archiveEnvelopes, and(eq(archiveEnvelopes.archiveId, archives.id), eq(archiveEnvelopes.staffUserId, admin.id)))
    .orderBy(asc(archives.retainUntil));
  const admins = await activeAdmins(s.db);
  const holders = await s.db.select().from(archiveEnvelopes);
  return rows.map(({ a, holder }) => ({
    id: a.id,
    caseNumber: a.caseNumber,
    legalBasis: a.legalBasis,
    archivedOn: a.archivedOn,
    retainUntil: a.retainUntil,
    hasKey: holder !== null,
    // Administrators without the key yet: one who holds it can seal it to them.
    awaiting: admins
      .filter((x) => !holders.some((h) => h.archiveId === a.id && h.staffUserId === x.id))
      .map((x) => ({ id: x.id, displayName: x.displayName, publicKey: toBase64Url(x.publicKey) })),
  }));
}

async function requireArchiveKey(s: Services, admin: StaffPrincipal, archiveId: string) {
  const [row] = await s.db
    .select({ a: archives, envelope: archiveEnvelopes.envelope })
    .from(archives)
    .innerJoin(archiveEnvelopes, and(eq(archiveEnvelopes.archiveId, archives.id), eq(archiveEnvelopes.staffUserId, admin.id)))
    .where(eq(archives.id, archiveId));
  if (!row) throw NOT_FOUND();
  return row;
}

export async function archiveView(s: Services, admin: StaffPrincipal, archiveId: string) {
  const { a, envelope } = await requireArchiveKey(s, admin, archiveId);
  const files = await s.db.select().from(archiveFiles).where(eq(archiveFiles.archiveId, archiveId)).orderBy(asc(archiveFiles.fileId));
  await audit(s.db, s, { actorType: "staff", actorId: admin.id, action: "archive.opened", caseNumber: a.caseNumber, details: { archiveId } }, s.now());
  return {
    id: a.id,
    caseNumber: a.caseNumber,
    legalBasis: a.legalBasis,
    archivedOn: a.archivedOn,
    retainUntil: a.retainUntil,
    envelope: toBase64Url(envelope),
    package: toBase64Url(a.packageCt),
    files: files.map((f) => ({ id: f.fileId, fileKey: toBase64Url(f.fileKeyCt), ciphertextBytes: f.ciphertextBytes })),
  };
}

export async function archiveFileBlob(s: Services, admin: StaffPrincipal, archiveId: string, fileId: string) {
  const { a } = await requireArchiveKey(s, admin, archiveId);
  const [f] = await s.db
    .select()
    .from(archiveFiles)
    .where(and(eq(archiveFiles.archiveId, archiveId), eq(archiveFiles.fileId, fileId)));
  if (!f) throw new ApiError(404, "not_found", "no such file in this archive");
  await audit(
    s.db,
    s,
    { actorType: "staff", actorId: admin.id, action: "archive.downloaded", caseNumber: a.caseNumber, details: { archiveId, fileId } },
    s.now(),
  );
  return { open: (range?: { start: number; end: number }) => s.blobs.read(f.blobKey, range), bytes: f.ciphertextBytes };
}

export async function grantArchive(s: Services, admin: StaffPrincipal, archiveId: string, input: { staffUserId: string; envelope: Uint8Array }): Promise<void> {
  const { a } = await requireArchiveKey(s, admin, archiveId);
  if (input.envelope.length !== ARCHIVE_ENVELOPE_BYTES || input.envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", "not an archive envelope");
  if (!(await activeAdmins(s.db)).some((x) => x.id === input.staffUserId))
    throw new ApiError(400, "not_admin", "the archive key can be given to active administrators only");
  await s.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(archiveEnvelopes)
      .values({ archiveId, staffUserId: input.staffUserId, envelope: input.envelope, grantedOn: today(s) })
      .onConflictDoNothing()
      .returning({ id: archiveEnvelopes.staffUserId });
    if (inserted.length === 0) throw new ApiError(409, "already_granted", "this administrator already has the key");
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: admin.id, action: "archive.granted", caseNumber: a.caseNumber, details: { archiveId, granteeId: input.staffUserId } },
      s.now(),
    );
  });
}
