// Administration, overview: the administrator's notifications and the sections, each a page of its own
// (accounts, invitations, categories, audit log, statistics, archives, settings). Links from before the
// sections (`/admin?action=…&case=…` for the audit log, `/admin?from=…&to=…` for statistics) are sent
// on to their section. No report content is loaded here: an administrator is not a reader of cases.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listStaffNotifications } from "../.server/notifications/list";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { ADMIN_SECTIONS, AdminPage, sectionTitle } from "../components/admin-page";
import { StaffNotifications } from "../components/staff-notifications";
import { useI18n } from "../i18n/react";

export const handle = { title: "admin.title" };

/** The section an old single-page link meant, by its query. */
function formerSection(q: URLSearchParams): string | null {
  if (q.has("action") || q.has("case")) return "audit";
  if (q.has("from") || q.has("to")) return "statistics";
  return null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const q = new URL(request.url).searchParams;
  const section = formerSection(q);
  if (section) throw redirect(`/admin/${section}?${q}`);
  return { me: await staffBadge(s, admin), notifications: await listStaffNotifications(s, admin) };
}

export default function AdminOverview() {
  const { me, notifications } = useLoaderData<typeof loader>();
  const { t, href } = useI18n();
  return (
    <AdminPage me={me} section="overview" title={t("admin.title")}>
      <p>{t("admin.overview.intro")}</p>
      <StaffNotifications view={notifications} />
      <ul className="admin-sections" data-testid="admin-sections">
        {ADMIN_SECTIONS.map((s) => (
          <li key={s}>
            <Link to={href(`/admin/${s}`)}>{t(sectionTitle(s))}</Link>
            <p className="hint">{t(`admin.section.${s}.about`)}</p>
          </li>
        ))}
      </ul>
    </AdminPage>
  );
}
