// A content-free e-mail to the reporter after an action, if they asked for
// one. A failure stays on screen with a retry that keeps the notification's
// id, so the reporter gets it once. The outcome is shown where the action was
// taken (the section and control it came from, ./section-action.tsx).
import { useState } from "react";
import type { NotifyAddress } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import { newNotification, notifyReporter, type PendingNotification, type ReporterEvent } from "../../staff/notify-reporter";
import type { StaffClient } from "../../staff/staff-client";

/** Tells the reporter about `event` (nothing for null). Never throws: a failure shows with a retry. */
export type TellReporter = (event: ReporterEvent | null) => Promise<void>;

/** The section and control whose action the e-mail followed. */
export interface MailOrigin {
  section: string;
  slot: string;
}

export interface ReporterMail {
  tell: (event: ReporterEvent | null, from: MailOrigin) => Promise<void>;
  retry: () => void;
  notice: string | null;
  unsent: PendingNotification | null;
  from: MailOrigin | null;
}

export function useReporterMail(client: StaffClient, reportId: string, address: NotifyAddress | null): ReporterMail {
  const { t } = useI18n();
  const [unsent, setUnsent] = useState<PendingNotification | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [from, setFrom] = useState<MailOrigin | null>(null);
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
    tell: (event, origin) => {
      if (!event) return Promise.resolve();
      setFrom(origin);
      setNotice(null);
      return send(newNotification(event));
    },
    retry: () => {
      if (unsent) void send(unsent);
    },
    notice,
    unsent,
    from,
  };
}
