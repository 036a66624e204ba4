// A content-free e-mail to the reporter after an action, if they asked for
// one. A failure stays on screen with a retry that keeps the notification's
// id, so the reporter gets it once.
import { useState } from "react";
import type { NotifyAddress } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import { newNotification, notifyReporter, type PendingNotification, type ReporterEvent } from "../../staff/notify-reporter";
import type { StaffClient } from "../../staff/staff-client";

/** Tells the reporter about `event` (nothing for null). Never throws: a failure shows with a retry. */
export type TellReporter = (event: ReporterEvent | null) => Promise<void>;

export interface ReporterMail {
  tell: TellReporter;
  retry: () => void;
  notice: string | null;
  unsent: PendingNotification | null;
}

export function useReporterMail(client: StaffClient, reportId: string, address: NotifyAddress | null): ReporterMail {
  const { t } = useI18n();
  const [unsent, setUnsent] = useState<PendingNotification | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const send = async (pending: PendingNotification) => {
    try {
      const r = await notifyReporter(client, reportId, address, pending);
      if (!r) return;
      setUnsent(null);
      setNotice(r.delivered ? t("notify.reporter.sent") : t("notify.reporter.notConfigured"));
    } catch {
      setUnsent(pending);
      setNotice(null);
    }
  };
  return {
    tell: (event) => (event ? send(newNotification(event)) : Promise.resolve()),
    retry: () => {
      if (unsent) void send(unsent);
    },
    notice,
    unsent,
  };
}

export function ReporterMailNotices(props: { mail: ReporterMail; busy: boolean }) {
  const { t } = useI18n();
  const { mail } = props;
  return (
    <>
      {mail.notice ? (
        <p className="notice" role="status" data-testid="reporter-mail">
          {mail.notice}
        </p>
      ) : null}
      {mail.unsent ? (
        <p className="notice notice--error" role="alert" data-testid="reporter-mail-failed">
          {t("notify.reporter.failed")}{" "}
          <button type="button" className="button" disabled={props.busy} onClick={mail.retry}>
            {t("notify.reporter.retry")}
          </button>
        </p>
      ) : null}
    </>
  );
}
