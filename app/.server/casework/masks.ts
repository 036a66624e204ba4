// Masked passages of a case (ADR 053). The investigator's browser encrypts each
// mask under the case key; the server stores it, lists the active ones with the
// case, and records every mask, reveal and lift. It cannot check what a mask
// covers (that is inside the ciphertext) and does not need to: masking is a
// minimisation control applied in staff browsers, and what the server enforces
// is who may change masks (an investigator holding the case's key) and that
// showing or removing one is on the record, with a reason code.
//
// - Adding is idempotent on the mask id (a retried request does not add twice).
// - Revealing (showing a masked passage in one browser until the page is left)
//   and lifting (removing the mask for everyone) need a reason code and an active
//   mask of this case: 404 `no_mask` otherwise, 409 `mask_lifted` for a lifted one.
import { and, asc, eq, isNull } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { caseMasks, type MASK_REASONS } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { requireCaseAccess } from "../case-access/case-access";
import { checkRecord } from "../case-access/records";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

export type MaskReason = (typeof MASK_REASONS)[number];

/** The case's active masks as the case view carries them (ciphertext, author, time). */
export async function activeMasks(s: Services, reportId: string) {
  const rows = await s.db
    .select()
    .from(caseMasks)
    .where(and(eq(caseMasks.reportId, reportId), isNull(caseMasks.liftedAt)))
    .orderBy(asc(caseMasks.createdAt), asc(caseMasks.id));
  return rows.map((m) => ({ id: m.id, staffUserId: m.staffUserId, body: toBase64Url(m.bodyCt), createdAt: m.createdAt.toISOString() }));
}

export async function addMask(s: Services, staff: StaffPrincipal, reportId: string, mask: { id: string; body: Uint8Array }): Promise<void> {
  checkRecord("body", mask.body, "mask");
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction(async (tx) => {
    const added = await tx
      .insert(caseMasks)
      .values({ id: mask.id, reportId, staffUserId: staff.id, bodyCt: mask.body, createdAt: s.now() })
      .onConflictDoNothing()
      .returning({ id: caseMasks.id });
    if (added.length === 0) {
      // The same id again: a retry of this investigator's request for this case is done already; anything else is a clash.
      const [row] = await tx.select().from(caseMasks).where(eq(caseMasks.id, mask.id));
      if (row?.reportId === reportId && row.staffUserId === staff.id) return;
      throw new ApiError(409, "mask_exists", "a mask with this id exists");
    }
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "mask.added", reportId, caseNumber: report.caseNumber, details: { maskId: mask.id } },
      s.now(),
    );
  });
}

async function activeMask(s: Services, reportId: string, maskId: string) {
  const [row] = await s.db
    .select()
    .from(caseMasks)
    .where(and(eq(caseMasks.id, maskId), eq(caseMasks.reportId, reportId)));
  if (!row) throw new ApiError(404, "no_mask", "this case has no such mask");
  if (row.liftedAt) throw new ApiError(409, "mask_lifted", "this mask was lifted already");
  return row;
}

/** Records that an investigator is shown a masked passage in their browser; nothing changes for anyone else. */
export async function revealMask(s: Services, staff: StaffPrincipal, reportId: string, input: { maskId: string; reason: MaskReason }): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await activeMask(s, reportId, input.maskId);
  await s.db.transaction((tx) =>
    appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "mask.revealed",
        reportId,
        caseNumber: report.caseNumber,
        details: { maskId: input.maskId, reason: input.reason },
      },
      s.now(),
    ),
  );
}

/** Removes a mask for every staff view from now on; the row stays, marked lifted, with who, when and why. */
export async function liftMask(s: Services, staff: StaffPrincipal, reportId: string, input: { maskId: string; reason: MaskReason }): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await activeMask(s, reportId, input.maskId);
  await s.db.transaction(async (tx) => {
    const done = await tx
      .update(caseMasks)
      .set({ liftedAt: s.now(), liftedBy: staff.id, liftReason: input.reason })
      .where(and(eq(caseMasks.id, input.maskId), isNull(caseMasks.liftedAt)))
      .returning({ id: caseMasks.id });
    if (done.length === 0) throw new ApiError(409, "mask_lifted", "this mask was lifted already");
    await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "mask.lifted",
        reportId,
        caseNumber: report.caseNumber,
        details: { maskId: input.maskId, reason: input.reason },
      },
      s.now(),
    );
  });
}
