// Masking passages on the case page (ADR 053): each action encrypts what it must here and posts it to the case's
// mask ops. A reveal is recorded before the passage is shown; a lift removes the mask for every staff view.
import { encryptMask, newRecordId, toBase64Url, type MaskRecord } from "../../crypto";
import type { CaseContext } from "./case-actions";
import type { MaskReasonCode } from "./mask-reasons";

/** Masks passages of one text; the record (target, ranges, reason) is encrypted under the case key. */
export async function addMask(ctx: CaseContext, record: MaskRecord): Promise<string> {
  const id = newRecordId();
  await ctx.client.caseOp(ctx.reportId, "masks", { id, body: toBase64Url(encryptMask(ctx.keys.caseKey, ctx.reportId, id, record)) });
  return id;
}

/** Records, with a reason, that the caller is shown the passage; resolve first, show after. */
export function revealMask(ctx: CaseContext, maskId: string, reason: MaskReasonCode): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "mask-reveal", { maskId, reason });
}

/** Removes the mask for everyone, with a reason; the case history and the audit log keep who, when and why. */
export function liftMask(ctx: CaseContext, maskId: string, reason: MaskReasonCode): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "mask-lift", { maskId, reason });
}
