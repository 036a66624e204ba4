// The investigator's inbox: filters, sort and paging on the server, kept in
// the address (a view can be bookmarked, reloaded, and gone back to); titles
// decrypted here with the investigator's key; deadlines as chips; the title
// search across every case in the browser (ADR 050).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { useMemo } from "react";
import { categoryNames } from "../.server/org/org";
import { today } from "../.server/platform/dates";
import { privacyTasksFor } from "../.server/privacy-requests/privacy-requests";
import { auditInboxListing, listInbox } from "../.server/casework/inbox";
import { services } from "../.server/platform/services";
import { staffNames } from "../.server/staff/accounts";
import { INVESTIGATOR, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { listStaffNotifications } from "../.server/notifications/list";
import { DeadlineChip } from "../components/deadline-chip";
import { InboxTitleSearch } from "../components/inbox-title-search";
import { StaffKeyGate } from "../components/staff-key-gate";
import { StaffHeader } from "../components/staff-header";
import { StaffNotifications } from "../components/staff-notifications";
import { showControls, UserText } from "../components/user-text";
import { formatDay, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { inboxTitle } from "../staff/decrypt";
import { inboxQuery } from "../staff/inbox-query";
import type { TitledHandle } from "../root";

export const handle: TitledHandle = { title: "staff.inbox" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const staff = await requireStaffPage(s, request, INVESTIGATOR);
  const filter = inboxQuery(new URL(request.url).searchParams);
  const [inbox, cats, team, tasks, notifications] = await Promise.all([
    listInbox(s, staff.id, filter),
    categoryNames(s.db),
    staffNames(s.db, { role: "investigator" }),
    privacyTasksFor(s, staff.id),
    listStaffNotifications(s, staff),
  ]);
  await auditInboxListing(s, staff.id, inbox.page, inbox.rows.length);
  const day = today(s);
  return {
    me: { id: staff.id, ...(await staffBadge(s, staff)) },
    // The portal's day (TIME_ZONE), against which the deadline chips count: not the browser's clock.
    today: day,
    filter,
    inbox,
    categories: cats,
    team,
    tasks: tasks.map((t) => ({ ...t, overdue: t.dueOn < day })),
    notifications,
  };
}

export default function Inbox() {
  const { me, today, filter, inbox, categories: cats, team, tasks, notifications } = useLoaderData<typeof loader>();
  const { t, locale, href } = useI18n();
  // The form's fields take their values from the address when it is built: keyed by the address, it is rebuilt
  // when the back and forward buttons change the address without a reload, instead of showing the later choice.
  const { search: address } = useLocation();
  const catName = useMemo(() => new Map(cats.map((c) => [c.id, locale === "ko" ? c.nameKo : c.nameEn])), [cats, locale]);
  const teamName = useMemo(() => new Map(team.map((m) => [m.id, m.displayName])), [team]);
  const pages = Math.max(1, Math.ceil(inbox.total / inbox.pageSize));
  const filterQuery = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({
      status: filter.status,
      category: filter.categoryId,
      assignee: filter.assignee,
      sort: filter.sort,
      case: filter.caseNumber,
      flood: filter.flood,
    }))
      if (v) q.set(k, String(v));
    if (filter.overdue) q.set("overdue", "1");
    return q;
  };
  const pageLink = (page: number) => {
    const q = filterQuery();
    q.set("page", String(page));
    return href(`/staff?${q}`);
  };
  return (
    <div className="page wide">
      <StaffHeader me={me} />
      <h1>{t("staff.inbox")}</h1>
      {tasks.length > 0 ? (
        <section aria-labelledby="tasks" className="card card--warn">
          <h2 id="tasks">{t("staff.tasks")}</h2>
          <ul data-testid="privacy-tasks">
            {tasks.map((task) => (
              <li key={task.requestId}>
                <Link to={href(`/staff/cases/${task.caseNumber}`)}>{task.caseNumber}</Link> · {t(`status.privacy.kind.${task.kind}` as MessageKey)} ·{" "}
                {t("staff.tasks.due", { date: formatDay(task.dueOn, locale) })}
                {task.overdue ? <strong className="overdue-mark"> {t("staff.inbox.overdueMark")}</strong> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <StaffNotifications view={notifications} />
      <Form method="get" className="filters" aria-label={t("staff.inbox.filter")} key={address}>
        <input type="hidden" name="lang" value={locale} />
        <label>
          {t("staff.inbox.status")}{" "}
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">{t("staff.inbox.status.any")}</option>
            <option value="open">{t("staff.inbox.status.open")}</option>
            {(["received", "acknowledged", "in_review", "investigating", "closed"] as const).map((st) => (
              <option key={st} value={st}>
                {t(`staff.status.${st}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("staff.inbox.category")}{" "}
          <select name="category" defaultValue={filter.categoryId ?? ""}>
            <option value="">{t("staff.inbox.category.any")}</option>
            {cats.map((c) => (
              <option key={c.id} value={c.id}>
                {showControls(catName.get(c.id) ?? "")}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("staff.inbox.assignee")}{" "}
          <select name="assignee" defaultValue={filter.assignee ?? ""}>
            <option value="">{t("staff.inbox.assignee.any")}</option>
            <option value="me">{t("staff.inbox.assignee.me")}</option>
            <option value="none">{t("staff.inbox.assignee.none")}</option>
            {team.map((m) => (
              <option key={m.id} value={m.id}>
                {showControls(m.displayName)}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" name="overdue" value="1" defaultChecked={filter.overdue} /> {t("staff.inbox.overdue")}
        </label>
        <label>
          {t("staff.inbox.flood")}{" "}
          <select name="flood" defaultValue={filter.flood ?? ""}>
            <option value="">{t("staff.inbox.flood.show")}</option>
            <option value="hide">{t("staff.inbox.flood.hide")}</option>
            <option value="only">{t("staff.inbox.flood.only")}</option>
          </select>
        </label>
        <label>
          {t("staff.inbox.sort")}{" "}
          <select name="sort" defaultValue={filter.sort ?? "deadline"}>
            <option value="deadline">{t("staff.inbox.sort.deadline")}</option>
            <option value="received">{t("staff.inbox.sort.received")}</option>
          </select>
        </label>
        <label>
          {t("staff.inbox.case")} <input type="text" name="case" defaultValue={filter.caseNumber ?? ""} size={14} placeholder="COR-XXXX-XXXX" />
        </label>
        <button type="submit" className="button">
          {t("staff.inbox.apply")}
        </button>
      </Form>

      <StaffKeyGate>
        {(client, keys) => {
          // Measured by the benchmark (bench/inbox.ts): opening 50 envelopes and titles in the browser.
          performance.mark("inbox-decrypt-start");
          const rows = inbox.rows.map((r) => ({ ...r, plainTitle: inboxTitle(r, keys) }));
          performance.measure("inbox-decrypt", "inbox-decrypt-start");
          return (
            <>
              <InboxTitleSearch client={client} keys={keys} />
              <p role="status" data-testid="inbox-count">
                {inbox.totalCapped ? t("staff.inbox.countMore", { total: inbox.total }) : t("staff.inbox.count", { total: inbox.total })}
              </p>
              {rows.length === 0 ? <p>{t("staff.inbox.none")}</p> : null}
              <table className="inbox" data-testid="inbox">
                <thead>
                  <tr>
                    <th scope="col">{t("staff.inbox.col.case")}</th>
                    <th scope="col">{t("staff.inbox.col.title")}</th>
                    <th scope="col">{t("staff.inbox.col.category")}</th>
                    <th scope="col">{t("staff.inbox.col.status")}</th>
                    <th scope="col">{t("staff.inbox.col.assignee")}</th>
                    <th scope="col">{t("staff.inbox.col.received")}</th>
                    <th scope="col">{t("staff.inbox.col.ack")}</th>
                    <th scope="col">{t("staff.inbox.col.feedback")}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id} className={`${r.overdue ? "overdue" : ""} ${r.unread ? "unread" : ""}`}>
                      <td>
                        {/* The marks are words of their own beside the number, not glued to it (nor to its link). */}
                        <span className="case-marks">
                          <Link to={href(`/staff/cases/${r.caseNumber}`)}>{r.caseNumber}</Link>
                          {r.unread ? (
                            <span className="tag tag--new" data-testid="inbox-new">
                              <span className="visually-hidden">(</span>
                              {t("inbox.row.new")}
                              <span className="visually-hidden">: {t("inbox.row.newMeaning")})</span>
                            </span>
                          ) : null}
                          {r.flood ? <span className="tag">{t("staff.inbox.floodMark")}</span> : null}
                          {r.serverSealed ? (
                            <span className="tag" data-testid="inbox-server-sealed">
                              {t("staff.inbox.serverSealedMark")}
                            </span>
                          ) : null}
                        </span>
                      </td>
                      <td>
                        <UserText text={r.plainTitle} fallback={<span className="hint">{t("staff.case.unreadable")}</span>} />
                      </td>
                      <td>
                        <UserText text={catName.get(r.categoryId)} />
                      </td>
                      <td>{t(`staff.status.${r.status}` as MessageKey)}</td>
                      <td>{r.assigneeId ? <UserText text={teamName.get(r.assigneeId)} /> : "—"}</td>
                      <td>{formatDay(r.receivedOn, locale)}</td>
                      {/* The deadline still open (nextDueOn) gets its chip; one met or of a closed case is a date. */}
                      <td>
                        <span className="deadline-cell">
                          {formatDay(r.ackDueOn, locale)}
                          {r.nextDueOn && r.status === "received" ? <DeadlineChip dueOn={r.nextDueOn} today={today} testId="deadline-chip" /> : null}
                        </span>
                      </td>
                      <td>
                        <span className="deadline-cell">
                          {r.feedbackDueOn ? formatDay(r.feedbackDueOn, locale) : "—"}
                          {r.nextDueOn && r.status !== "received" ? <DeadlineChip dueOn={r.nextDueOn} today={today} testId="deadline-chip" /> : null}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <nav className="pager" aria-label={t("staff.inbox.page", { page: inbox.page, pages })}>
                {inbox.page > 1 ? <Link to={pageLink(inbox.page - 1)}>{t("staff.inbox.prev")}</Link> : null}{" "}
                <span>{t("staff.inbox.page", { page: inbox.page, pages })}</span>{" "}
                {inbox.page < pages || (inbox.totalCapped && inbox.rows.length === inbox.pageSize) ? (
                  <Link to={pageLink(inbox.page + 1)}>{t("staff.inbox.next")}</Link>
                ) : null}
              </nav>
            </>
          );
        }}
      </StaffKeyGate>
    </div>
  );
}
