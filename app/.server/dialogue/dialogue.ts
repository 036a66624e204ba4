// The dialogue between the reporter and the investigators: one ordered list
// of encrypted messages per case, appended to by either side (the reporter
// through the follow-up session, an investigator from the workspace).
//
// Messages are aead-v1 `message` records (the author inside is checked against
// the row's by the reader's browser, CRYPTO.md §3.3). Order is `seq` within the
// case, dates are days. The same message id sent twice (a retry, or two at
// once) is stored once and answered as the first; two messages racing for the
// same position take the next. A reporter's message bumps `activity_seq`
// (unread for investigators) and records `reporter_message` for the holders in
// the same transaction; an investigator's sets `updated_on`. Reading the case
// from the follow-up marks investigators' messages read
// (`read_by_reporter_on`).
import { eq, sql } from "drizzle-orm";
import { messages, reports } from "../../../db/schema";
import { appendAudit, type AuditEntry } from "../audit/audit";
import { markReporterActivity } from "../case-access/case-access";
import { checkRecord } from "../case-access/records";
import { today } from "../platform/dates";
import { isUniqueViolation } from "../platform/db-errors";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { kickStaffNotifications } from "../notifications/outbox";
import { notifyCaseHolders } from "../notifications/record";

/** Appends a message to a case's dialogue (either side); ids come from the sender, who bound them into the ciphertext. */
export async function appendMessage(
  s: Services,
  reportId: string,
  input: { id: string; body: Uint8Array },
  from: { author: "reporter" } | { author: "investigator"; staffUserId: string },
  auditEntry?: AuditEntry,
): Promise<{ id: string; seq: number }> {
  checkRecord("body", input.body, "message");
  for (let attempt = 0; ; attempt++) {
    try {
      const sent = await s.db.transaction(async (tx) => {
        const [existing] = await tx.select({ reportId: messages.reportId, seq: messages.seq }).from(messages).where(eq(messages.id, input.id));
        if (existing) {
          if (existing.reportId !== reportId) throw new ApiError(409, "id_taken", "this message id is taken");
          return { id: input.id, seq: existing.seq }; // a retried send
        }
        const [{ next }] = (await tx
          .select({ next: sql<number>`coalesce(max(${messages.seq}), -1)::int + 1` })
          .from(messages)
          .where(eq(messages.reportId, reportId))) as [{ next: number }];
        await tx.insert(messages).values({
          id: input.id,
          reportId,
          seq: next,
          author: from.author,
          staffUserId: from.author === "investigator" ? from.staffUserId : null,
          bodyCt: input.body,
          sentOn: today(s),
        });
        if (from.author === "investigator")
          await tx
            .update(reports)
            .set({ updatedOn: today(s) })
            .where(eq(reports.id, reportId));
        else {
          await markReporterActivity(tx, reportId);
          await notifyCaseHolders(tx, s, { event: "reporter_message", reportId, dedupeKey: `reporter_message:${input.id}` });
        }
        if (auditEntry) await appendAudit(tx, s, auditEntry, s.now());
        return { id: input.id, seq: next };
      });
      if (from.author === "reporter") kickStaffNotifications(s);
      return sent;
    } catch (error) {
      // Two messages raced for the same position: take the next one.
      if (attempt < 5 && isUniqueViolation(error, "messages_report_seq_idx")) continue;
      // The same message sent twice at once: the other copy won; answer as for a retry.
      if (attempt < 5 && isUniqueViolation(error, "messages_pkey")) continue;
      throw error;
    }
  }
}
