// Administration, invitations: a one-time link for a new investigator, affiliate reviewer or administrator.
// The affiliates offered are the ones stored, not a fixed list.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { listAffiliates } from "../.server/org/org";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { adminPost, AdminPage, sectionTitle, useAdminAction } from "../components/admin-page";
import { useI18n } from "../i18n/react";

export const handle = { title: sectionTitle("invitations") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const affs = await listAffiliates(s.db);
  return { me: await staffBadge(s, admin), affiliates: affs.map((a) => ({ slug: a.slug, nameKo: a.nameKo, nameEn: a.nameEn })) };
}

export default function AdminInvitations() {
  const { me, affiliates } = useLoaderData<typeof loader>();
  const { t, locale, when } = useI18n();
  const { message, error, run } = useAdminAction();
  const [link, setLink] = useState<{ url: string; until: string } | null>(null);
  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const d = new FormData(event.currentTarget);
    void run(async () => {
      const r = (await adminPost("/api/staff/invitations", {
        email: String(d.get("email") ?? ""),
        role: String(d.get("role") ?? "investigator"),
        affiliate: String(d.get("affiliate") ?? "") || undefined,
        displayName: String(d.get("displayName") ?? "") || undefined,
      })) as { path: string; expiresAt: string };
      setLink({ url: `${window.location.origin}${r.path}`, until: when(r.expiresAt) });
    });
  };
  return (
    <AdminPage me={me} section="invitations" status={message} error={error}>
      <p>{t("admin.section.invitations.about")}</p>
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
            {affiliates.map((a) => (
              <option key={a.slug} value={a.slug}>
                {locale === "ko" ? a.nameKo : a.nameEn}
              </option>
            ))}
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
    </AdminPage>
  );
}
