// Administration: staff accounts, invitations, statistics and the audit log.
// No report content is loaded here: an administrator is not a reader of cases.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useMemo, useState, type FormEvent } from "react";
import { listAudit, listCategories, listStaff } from "../.server/admin/admin";
import { services } from "../.server/platform/services";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { listStaffNotifications } from "../.server/notifications/list";
import { caseStatistics, parseStatisticsRange } from "../.server/admin/statistics";
import { listAffiliates } from "../.server/org/org";
import { AdminStatistics } from "../components/admin-statistics";
import { Notices } from "../components/notices";
import { StaffHeader } from "../components/staff-header";
import { StaffNotifications } from "../components/staff-notifications";
import { UserText } from "../components/user-text";
import { formatInstant, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const q = new URL(request.url).searchParams;
  const caseNumber = q.get("case") ?? "";
  const range = parseStatisticsRange(q);
  const [staff, cats, affs, audit, statistics, notifications] = await Promise.all([
    listStaff(s),
    listCategories(s),
    listAffiliates(s.db),
    listAudit(s, {
      action: q.get("action")?.slice(0, 40) || undefined,
      caseNumber: /^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i.test(caseNumber) ? caseNumber : undefined,
    }),
    caseStatistics(s, range ?? undefined),
    listStaffNotifications(s, admin),
  ]);
  const settings = {
    ackDays: s.config.ACK_DEADLINE_DAYS,
    feedbackMonths: s.config.FEEDBACK_DEADLINE_MONTHS,
    maxAttachmentBytes: s.config.MAX_ATTACHMENT_BYTES,
    timeZone: s.config.TIME_ZONE,
  };
  return {
    me: { id: admin.id, displayName: admin.displayName },
    staff,
    categories: cats.map((c) => ({ id: c.id, nameKo: c.nameKo, nameEn: c.nameEn, active: c.active })),
    affiliates: affs.map((a) => ({ slug: a.slug, nameKo: a.nameKo, nameEn: a.nameEn })),
    settings,
    audit,
    filter: { action: q.get("action") ?? "", case: caseNumber },
    statistics,
    statsFilter: { from: range?.from ?? "", to: range?.to ?? "", invalid: range === null },
    notifications,
  };
}

async function post(path: string, body?: unknown) {
  const r = await fetch(path, {
    method: "POST",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  const json = (await r.json().catch(() => null)) as ({ error?: { code: string } } & Record<string, unknown>) | null;
  if (!r.ok) throw new Error(json?.error?.code ?? String(r.status));
  return json;
}

export default function Admin() {
  const { me, staff, categories, affiliates: affs, settings, audit, filter, statistics, statsFilter, notifications } = useLoaderData<typeof loader>();
  const { t, locale, href } = useI18n();
  const revalidator = useRevalidator();
  const [message, setMessage] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; until: string } | null>(null);
  const names = useMemo(() => new Map(staff.map((u) => [u.id, u.displayName])), [staff]);
  const when = (iso: string | null) => (iso ? formatInstant(iso) : "—");

  const run = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
      setMessage(t("admin.done"));
      revalidator.revalidate();
    } catch (e) {
      setMessage(t("staff.errors.generic", { code: (e as Error).message }));
    }
  };
  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const d = new FormData(event.currentTarget);
    void run(async () => {
      const r = (await post("/api/staff/invitations", {
        email: String(d.get("email") ?? ""),
        role: String(d.get("role") ?? "investigator"),
        affiliate: String(d.get("affiliate") ?? "") || undefined,
        displayName: String(d.get("displayName") ?? "") || undefined,
      })) as { path: string; expiresAt: string };
      setLink({ url: `${window.location.origin}${r.path}`, until: when(r.expiresAt) });
    });
  };
  const verify = () =>
    void (async () => {
      const r = (await (await fetch("/api/admin/audit?verify=1", { credentials: "same-origin" })).json()) as {
        ok: boolean;
        entries: number;
        brokenAt?: number;
        reason?: string;
        head?: string | null;
      };
      setMessage(
        r.ok
          ? `${t("admin.audit.ok", { entries: r.entries })}${r.head ? ` ${t("admin.audit.head", { head: r.head })}` : ""}`
          : t("admin.audit.broken", { seq: r.brokenAt ?? 0, reason: r.reason ?? "" }),
      );
    })();

  return (
    <div className="page wide">
      <StaffHeader name={me.displayName} />
      <h1>{t("admin.title")}</h1>
      <p>
        <Link to={href("/admin/archives")}>{t("archive.link")}</Link>
      </p>
      <Notices status={message} error={null} />

      <StaffNotifications view={notifications} />

      <section aria-labelledby="a-staff">
        <h2 id="a-staff">{t("admin.staff")}</h2>
        <table className="inbox" data-testid="staff-table">
          <thead>
            <tr>
              {(["email", "name", "role", "state", "lastLogin", "sessions", "actions"] as const).map((c) => (
                <th key={c} scope="col">
                  {t(`admin.col.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {staff.map((u) => (
              <tr key={u.id}>
                <td>
                  <UserText text={u.email} kind="identifier" />
                </td>
                <td>
                  <UserText text={u.displayName} />
                </td>
                <td>
                  {t(`role.${u.role}` as MessageKey)}
                  {u.affiliate ? ` (${u.affiliate})` : ""}
                </td>
                <td>
                  {t(`admin.state.${u.status}`)}
                  {u.failedAttempts > 0 ? (
                    <>
                      {" "}
                      <strong className="overdue-mark">{t("admin.state.failures", { failed: u.failedAttempts })}</strong>
                    </>
                  ) : null}
                </td>
                <td>{when(u.lastLoginAt)}</td>
                <td>{u.sessions}</td>
                <td>
                  {u.failedAttempts > 0 ? (
                    <button type="button" className="link-button" onClick={() => void run(() => post(`/api/admin/staff/${u.id}/unlock`))}>
                      {t("admin.unlock")}
                    </button>
                  ) : null}{" "}
                  {u.id !== me.id && u.sessions > 0 ? (
                    <button type="button" className="link-button" onClick={() => void run(() => post(`/api/admin/staff/${u.id}/revoke-sessions`))}>
                      {t("admin.revoke")}
                    </button>
                  ) : null}{" "}
                  {u.id !== me.id ? (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => void run(() => post(`/api/admin/staff/${u.id}/${u.status === "active" ? "disable" : "enable"}`))}
                    >
                      {u.status === "active" ? t("admin.disable") : t("admin.enable")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="a-invite">
        <h2 id="a-invite">{t("admin.invite")}</h2>
        <form method="post" onSubmit={invite} className="filters">
          <label>
            {t("staff.email")} <input type="email" name="email" required />
          </label>
          <label>
            {t("admin.invite.role")}{" "}
            <select name="role" defaultValue="investigator">
              {(["investigator", "affiliate", "admin"] as const).map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("admin.invite.affiliate")}{" "}
            <select name="affiliate" defaultValue="">
              <option value="">—</option>
              <option value="cloud">OKESTRO Cloud</option>
              <option value="agi">OKESTRO AGI</option>
            </select>
          </label>
          <label>
            {t("admin.invite.name")} <input type="text" name="displayName" maxLength={100} />
          </label>
          <button type="submit" className="button">
            {t("admin.invite.submit")}
          </button>
        </form>
        {link ? (
          <p>
            {t("admin.invite.link", { until: link.until })} <code data-testid="invite-link">{link.url}</code>
          </p>
        ) : null}
      </section>

      <section aria-labelledby="a-categories">
        <h2 id="a-categories">{t("admin.categories")}</h2>
        <ul>
          {categories.map((c) => (
            <li key={c.id}>
              <UserText text={locale === "ko" ? c.nameKo : c.nameEn} /> {c.active ? "" : `(${t("admin.state.disabled")})`}{" "}
              <button type="button" className="link-button" onClick={() => void run(() => post("/api/admin/categories", { id: c.id, active: !c.active }))}>
                {c.active ? t("admin.disable") : t("admin.enable")}
              </button>
            </li>
          ))}
        </ul>
        <form
          method="post"
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            const d = new FormData(e.currentTarget);
            const form = e.currentTarget;
            void run(async () => {
              await post("/api/admin/categories", { nameKo: String(d.get("nameKo") ?? ""), nameEn: String(d.get("nameEn") ?? "") });
              form.reset();
            });
          }}
        >
          <label>
            {t("admin.categories.ko")} <input type="text" name="nameKo" required maxLength={100} />
          </label>
          <label>
            {t("admin.categories.en")} <input type="text" name="nameEn" required maxLength={100} />
          </label>
          <button type="submit" className="button">
            {t("admin.categories.add")}
          </button>
        </form>
        <h3>{t("admin.affiliates")}</h3>
        <ul>
          {affs.map((a) => (
            <li key={a.slug}>{locale === "ko" ? a.nameKo : a.nameEn}</li>
          ))}
        </ul>
        <h3>{t("admin.settings")}</h3>
        <p className="hint">{t("admin.settings.intro")}</p>
        <dl className="dates">
          <dt>ACK_DEADLINE_DAYS</dt>
          <dd>{settings.ackDays}</dd>
          <dt>FEEDBACK_DEADLINE_MONTHS</dt>
          <dd>{settings.feedbackMonths}</dd>
          <dt>MAX_ATTACHMENT_BYTES</dt>
          <dd>{settings.maxAttachmentBytes}</dd>
          <dt>TIME_ZONE</dt>
          <dd>{settings.timeZone}</dd>
        </dl>
      </section>

      <AdminStatistics stats={statistics} filter={statsFilter} />

      <section aria-labelledby="a-audit">
        <h2 id="a-audit">{t("admin.audit")}</h2>
        <Form method="get" className="filters">
          <input type="hidden" name="lang" value={locale} />
          <label>
            {t("admin.audit.action")} <input type="text" name="action" defaultValue={filter.action} size={16} />
          </label>
          <label>
            {t("admin.audit.case")} <input type="text" name="case" defaultValue={filter.case} size={14} />
          </label>
          <button type="submit" className="button">
            {t("admin.audit.filter")}
          </button>{" "}
          <button type="button" className="button" onClick={verify}>
            {t("admin.audit.verify")}
          </button>
        </Form>
        <table className="inbox" data-testid="audit-table">
          <thead>
            <tr>
              {(["seq", "at", "actor", "action", "case", "details"] as const).map((c) => (
                <th key={c} scope="col">
                  {t(`admin.audit.col.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {audit.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{when(e.at)}</td>
                <td>{e.actorId ? <UserText text={names.get(e.actorId) ?? e.actorId} /> : e.actorType}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.caseNumber ?? ""}</td>
                <td>
                  <code>{JSON.stringify(e.details)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
