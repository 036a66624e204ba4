// The "Notifications" section of the staff pages (inbox, affiliate list,
// administration): the latest events as plain sentences with their time, a
// link to the case or share where the reader can still open it (for a flood
// of reports its count and the inbox filter that shows it), the e-mail
// state, and "mark all read". Says so when the portal sends no e-mail.
//
// A panel that opens and closes (issue 20): its heading is a button (aria-expanded) whose name carries the
// unread count, so ten new reports take one line above the case list instead of ten. It starts open
// when there are few unread (OPEN_AT_MOST) and closed when there are more; "mark all read" stays
// outside it, usable either way.
import { Link, useRevalidator } from "@remix-run/react";
import { useId, useState } from "react";
import type { StaffNotificationsView } from "../shared/wire";
import { formatDay, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { Notices } from "./notices";
import { useAction } from "./use-action";

/** The panel starts open with this many unread notifications or fewer. */
export const OPEN_AT_MOST = 3;

export function StaffNotifications(props: { view: StaffNotificationsView }) {
  const { view } = props;
  const { t, locale, href } = useI18n();
  const panelId = useId();
  const [open, setOpen] = useState(view.unread <= OPEN_AT_MOST);
  const revalidator = useRevalidator();
  const { busy, notice: status, error, run } = useAction((e) => t("staff.errors.generic", { code: (e as Error).message }));

  const markAll = () =>
    run(async () => {
      const r = await fetch("/api/staff/notifications/read", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        credentials: "same-origin",
      });
      if (!r.ok) {
        const body = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
        throw new Error(body?.error?.code ?? String(r.status));
      }
      revalidator.revalidate();
      return t("notify.staff.marked");
    });

  const emailNote = (item: StaffNotificationsView["items"][number]) => {
    switch (item.email) {
      case "sent":
        return t("notify.staff.email.sent");
      case "pending":
        return t("notify.staff.email.pending");
      case "retrying":
        return t("notify.staff.email.retrying", { attempts: item.attempts });
      case "failed":
        return t("notify.staff.email.failed");
      default:
        return null;
    }
  };

  return (
    <section aria-labelledby="notifications-title" className="card notifications-panel" data-testid="staff-notifications">
      <div className="notifications-panel__bar">
        <h2 id="notifications-title">
          <button type="button" className="disclosure" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
            {t("notify.staff.title")}{" "}
            <span className={view.unread > 0 ? "tag tag--new" : "tag"}>
              {view.unread > 0 ? t("notify.staff.unread", { count: view.unread }) : t("inbox.notify.allRead")}
            </span>
          </button>
        </h2>
        {view.unread > 0 ? (
          <button type="button" className="button" disabled={busy} onClick={() => void markAll()}>
            {t("notify.staff.markRead")}
          </button>
        ) : null}
      </div>
      <Notices status={status} error={error} />
      <div id={panelId} hidden={!open}>
        {view.smtp ? null : (
          <p className="hint" data-testid="notifications-no-smtp">
            {t("notify.staff.noSmtp")}
          </p>
        )}
        {view.items.length === 0 ? (
          <p>{t("notify.staff.none")}</p>
        ) : (
          <ul className="notifications">
            {view.items.map((item) => {
              const note = emailNote(item);
              return (
                <li key={item.id} className={item.read ? undefined : "unread"}>
                  <time dateTime={item.day}>{formatDay(item.day, locale)}</time> ·{" "}
                  {item.read ? null : <span className="tag tag--new">{t("notify.staff.new")}</span>} {t(`notify.staff.event.${item.event}` as MessageKey)}
                  {/* The case number stays outside the link text: the link's purpose comes from its list item. */}
                  {item.link ? (
                    <>
                      {" "}
                      ({t("notify.staff.caseRef", { caseNumber: item.link.caseNumber })}:{" "}
                      {item.link.kind === "case" ? (
                        <Link to={href(`/staff/cases/${item.link.caseNumber}`)}>{t("notify.staff.openCase")}</Link>
                      ) : (
                        <Link to={href(`/affiliate/shares/${item.link.shareId}`)}>{t("notify.staff.openShare")}</Link>
                      )}
                      )
                    </>
                  ) : null}
                  {item.flood ? (
                    <span data-testid="flood-count">
                      {" "}
                      (
                      {t(item.flood.over ? "notify.staff.flood.total" : "notify.staff.flood.soFar", {
                        count: item.flood.reports,
                        minutes: item.flood.minutes,
                      })}
                      : <Link to={href("/staff?flood=only")}>{t("notify.staff.flood.show")}</Link>)
                    </span>
                  ) : null}
                  {note ? <span className="hint"> ({note})</span> : null}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
