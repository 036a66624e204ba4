// Administration, accounts: every staff account with its role, state, last sign-in and sessions, and the
// actions on it (clear sign-in delays, end sessions, disable, enable). No report content.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listStaff } from "../.server/admin/admin";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { adminPost, AdminPage, sectionTitle, useAdminAction } from "../components/admin-page";
import { UserText } from "../components/user-text";
import { useI18n } from "../i18n/react";
import { TableScroll } from "../components/table-scroll";

export const handle = { title: sectionTitle("accounts") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  return { me: { id: admin.id, ...(await staffBadge(s, admin)) }, staff: await listStaff(s) };
}

export default function AdminAccounts() {
  const { me, staff } = useLoaderData<typeof loader>();
  const { t, tx, locale, when } = useI18n();
  const { message, error, run } = useAdminAction();
  const act = (id: string, op: string) => void run(() => adminPost(`/api/admin/staff/${id}/${op}`));
  return (
    <AdminPage me={me} section="accounts" status={message} error={error}>
      <TableScroll label={t("admin.staff")}>
        <table className="inbox" data-testid="staff-table">
          <caption className="visually-hidden">{t("admin.staff")}</caption>
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
                  {u.role === "affiliate"
                    ? tx("staff.role.affiliate", { affiliate: <UserText text={locale === "ko" ? u.affiliateNameKo : u.affiliateNameEn} fallback="—" /> })
                    : t(`staff.role.${u.role}`)}
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
                    <button type="button" className="link-button" onClick={() => act(u.id, "unlock")}>
                      {t("admin.unlock")}
                    </button>
                  ) : null}{" "}
                  {u.id !== me.id && u.sessions > 0 ? (
                    <button type="button" className="link-button" onClick={() => act(u.id, "revoke-sessions")}>
                      {t("admin.revoke")}
                    </button>
                  ) : null}{" "}
                  {u.id !== me.id ? (
                    <button type="button" className="link-button" onClick={() => act(u.id, u.status === "active" ? "disable" : "enable")}>
                      {u.status === "active" ? t("admin.disable") : t("admin.enable")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </AdminPage>
  );
}
