// After an investigator acts on a case, their browser (the only place the
// reporter's address can be decrypted) asks the server to send one
// content-free update e-mail, if the reporter asked for them. The address is
// the `notify-address` record, which exists only while the reporter wants the
// e-mails; it is not the identity, which stays behind a reason (ADR 052). The
// id makes a retry after a failure deliver once.
import { newRecordId, type NotifyAddress } from "../../crypto";
import type { StaffClient } from "./staff-client";

export type ReporterEvent = "acknowledged" | "message" | "question" | "privacy_answer" | "closed";

export interface PendingNotification {
  id: string;
  event: ReporterEvent;
}

export interface NotifyResult {
  delivered: boolean;
  reason?: "not_configured";
  repeated?: boolean;
}

/** Sends (or retries, with the same `pending.id`) one notification; null when the reporter wants none. */
export function notifyReporter(client: StaffClient, reportId: string, wish: NotifyAddress | null, pending: PendingNotification): Promise<NotifyResult> | null {
  if (!wish) return null;
  return client.caseOp<NotifyResult>(reportId, "notify-reporter", { id: pending.id, event: pending.event, ...wish });
}

export function newNotification(event: ReporterEvent): PendingNotification {
  return { id: newRecordId(), event };
}
