// Update e-mails to reporters who asked for them. The address lives only in
// the encrypted `notify-address` record (ADR 052; the identity itself stays
// behind a recorded reason): the investigator's browser decrypts it and hands
// it over for one send, and nothing here stores or logs it. The row kept is the
// id the browser chose, the event and whether it went out, so that retrying a
// failed send delivers it once. The text carries no content, no case number
// and no link that identifies the case.
//
// Audited `reporter.notify_sent` / `reporter.notify_failed`, never with the
// address. The answer says `{delivered: true}`, `{delivered: true, repeated:
// true}` for an id already sent, `{delivered: false, reason: "not_configured"}`
// without SMTP, or 502 `mail_failed` (the page offers a retry that reuses the
// id). The report form offers update e-mails only when SMTP is configured.
import { and, eq, isNotNull } from "drizzle-orm";
import { reporterNotifications, reports } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { requireCaseAccess } from "../case-access/case-access";
import { ApiError } from "../platform/http";
import { checkRecord } from "../case-access/records";
import { isMailError, type Mail } from "../platform/mailer";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

export type ReporterEvent = "acknowledged" | "message" | "question" | "privacy_answer" | "closed";

/** The same words whatever happened: even the kind of update stays out of the reporter's mailbox. */
export function reporterMail(s: Services, to: string, language: "ko" | "en"): Mail {
  const page = `${s.config.PUBLIC_ORIGIN ?? ""}/status`;
  if (language === "ko") {
    return {
      to,
      lang: "ko",
      subject: "클린 오케스트로 제보: 새 소식이 있습니다",
      text: [
        "클린 오케스트로 제보 센터에 남기신 제보에 새 소식이 있습니다.",
        "",
        `확인하려면 ${page} 에서 비밀 접수 코드를 입력해 주세요.`,
        "제보자 보호를 위해 이 메일에는 제보 내용이나 사건 번호를 담지 않습니다.",
        "같은 화면에서 이메일 알림을 끌 수 있습니다.",
      ].join("\n"),
    };
  }
  return {
    to,
    lang: "en",
    subject: "Clean OKESTRO Report: there is news about your report",
    text: [
      "There is news about the report you made through Clean OKESTRO Report.",
      "",
      `To read it, open ${page} and enter your secret receipt code.`,
      "For your protection this e-mail contains no details of your report and no case number.",
      "You can turn these e-mails off on the same page.",
    ].join("\n"),
  };
}

export async function notifyReporter(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: { id: string; event: ReporterEvent; email: string; language: "ko" | "en" },
): Promise<{ delivered: boolean; reason?: "not_configured"; repeated?: boolean }> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  if (!s.mailer.configured) return { delivered: false, reason: "not_configured" };
  const [earlier] = await s.db.select().from(reporterNotifications).where(eq(reporterNotifications.id, input.id));
  if (earlier && earlier.reportId !== reportId) throw new ApiError(409, "id_taken", "this notification id belongs to another case");
  if (earlier?.state === "sent") return { delivered: true, repeated: true };
  const record = async (state: "sent" | "failed") => {
    const values = { id: input.id, reportId, event: input.event, state, staffUserId: staff.id, updatedAt: s.now() };
    await s.db.transaction(async (tx) => {
      await tx
        .insert(reporterNotifications)
        .values(values)
        .onConflictDoUpdate({
          target: reporterNotifications.id,
          set: { state, updatedAt: values.updatedAt },
          where: and(eq(reporterNotifications.reportId, reportId)),
        });
      await appendAudit(
        tx,
        s,
        {
          actorType: "staff",
          actorId: staff.id,
          action: `reporter.notify_${state}`,
          reportId,
          caseNumber: report.caseNumber,
          details: { notificationId: input.id, event: input.event },
        },
        s.now(),
      );
    });
  };
  try {
    await s.mailer.send(reporterMail(s, input.email, input.language));
  } catch (error) {
    if (!isMailError(error)) throw error;
    await record("failed");
    s.log.warn("reporter notification failed", { event: input.event, temporary: error.temporary, reason: error.message });
    throw new ApiError(502, "mail_failed", "the notification e-mail could not be sent; try again later");
  }
  await record("sent");
  return { delivered: true };
}

/**
 * The reporter replaces their own identity record (only one they gave at
 * intake): their browser re-encrypted it under its identity key, with update
 * e-mails switched on or off, and sends the key's wrap and the address record
 * (null when they want no e-mails) with it (ADR 052). The server cannot read
 * any of them.
 */
export async function replaceIdentity(
  s: Services,
  reportId: string,
  input: { identity: Uint8Array; identityKey: Uint8Array; notifyAddress: Uint8Array | null },
): Promise<void> {
  checkRecord("identity", input.identity, "identity");
  checkRecord("identityKey", input.identityKey, "identity-key");
  if (input.notifyAddress) checkRecord("notifyAddress", input.notifyAddress, "notify-address");
  const done = await s.db
    .update(reports)
    .set({ identityCt: input.identity, identityKeyWrapped: input.identityKey, notifyAddressCt: input.notifyAddress })
    .where(and(eq(reports.id, reportId), isNotNull(reports.identityCt)))
    .returning({ id: reports.id });
  if (done.length === 0) throw new ApiError(409, "no_identity", "this report has no contact details to change");
}
