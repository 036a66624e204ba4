// Administration, audit log: the latest entries, each as a sentence in the reader's language
// (app/components/audit-event.tsx), filtered by the start of the action or by case; the chain verified
// on request.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { listAudit, listCategories, listStaff } from "../.server/admin/admin";
import { listAffiliates } from "../.server/org/org";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { AdminPage, sectionTitle, useAdminAction } from "../components/admin-page";
import { AuditSentence } from "../components/audit-event";
import { useI18n } from "../i18n/react";
import { TableScroll } from "../components/table-scroll";

export const handle = { title: sectionTitle("audit") };

const CASE_NUMBER = /^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const q = new URL(request.url).searchParams;
  // The boxes show what was typed; the query takes at most 40 characters of the action.
  const action = q.get("action") ?? "";
  const caseNumber = q.get("case") ?? "";
  const [staff, cats, affs, audit] = await Promise.all([
    listStaff(s),
    listCategories(s),
    listAffiliates(s.db),
    listAudit(s, { action: action.slice(0, 40) || undefined, caseNumber: CASE_NUMBER.test(caseNumber) ? caseNumber : undefined }),
  ]);
  return {
    me: await staffBadge(s, admin),
    names: staff.map((u) => [u.id, u.displayName] as const),
    categories: cats.map((c) => ({ id: c.id, nameKo: c.nameKo, nameEn: c.nameEn })),
    affiliates: affs.map((a) => ({ slug: a.slug, nameKo: a.nameKo, nameEn: a.nameEn })),
    audit,
    filter: { action, case: caseNumber },
  };
}

export default function AdminAudit() {
  const { me, names: nameList, categories, affiliates, audit, filter } = useLoaderData<typeof loader>();
  const { t, locale, when } = useI18n();
  const { message, error, setMessage, setError } = useAdminAction();
  const names = useMemo(() => new Map(nameList), [nameList]);
  const cats = useMemo(() => new Map(categories.map((c) => [c.id, locale === "ko" ? c.nameKo : c.nameEn])), [categories, locale]);
  const affs = useMemo(() => new Map(affiliates.map((a) => [a.slug, locale === "ko" ? a.nameKo : a.nameEn])), [affiliates, locale]);
  const verify = () =>
    void (async () => {
      setMessage(null);
      setError(null);
      const r = (await (await fetch("/api/admin/audit?verify=1", { credentials: "same-origin" })).json()) as {
        ok: boolean;
        entries: number;
        brokenAt?: number;
        reason?: string;
        head?: string | null;
      };
      if (r.ok) setMessage(`${t("admin.audit.ok", { entries: r.entries })}${r.head ? ` ${t("admin.audit.head", { head: r.head })}` : ""}`);
      else setError(t("admin.audit.broken", { seq: r.brokenAt ?? 0, reason: r.reason ?? "" }));
    })();

  return (
    <AdminPage me={me} section="audit" status={message} error={error}>
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
      <TableScroll label={t("admin.section.audit")}>
        <table className="inbox audit-log" data-testid="audit-table">
          <caption className="visually-hidden">{t("admin.section.audit")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.col.seq")}</th>
              <th scope="col">{t("admin.audit.col.at")}</th>
              <th scope="col">{t("admin.audit.col.event")}</th>
              <th scope="col">{t("admin.audit.col.action")}</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>
                  <time dateTime={e.at}>{when(e.at)}</time>
                </td>
                <td>
                  <AuditSentence entry={e} names={names} categories={cats} affiliates={affs} />
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </AdminPage>
  );
}
