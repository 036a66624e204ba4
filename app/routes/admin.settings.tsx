// Administration, settings: the portal's configuration that is safe to show, read only (portalSettings),
// and the one editable part, the identity access reasons and approval (ADR 052).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { portalSettings } from "../.server/admin/settings";
import { identitySettings } from "../.server/identity-access/identity-access";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { AdminIdentitySettings } from "../components/admin-identity-settings";
import { AdminPage, sectionTitle } from "../components/admin-page";
import { Fragment } from "react";
import { formatBytes } from "../i18n";
import { useI18n } from "../i18n/react";

export const handle = { title: sectionTitle("settings") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  return { me: await staffBadge(s, admin), settings: portalSettings(s), identity: await identitySettings(s.db) };
}

export default function AdminSettings() {
  const { me, settings: c, identity } = useLoaderData<typeof loader>();
  const { t, locale } = useI18n();
  const group = (id: string, title: string, rows: [string, string][]) => (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <dl className="settings">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
  const days = (n: number) => t("admin.settings.days", { n });
  return (
    <AdminPage me={me} section="settings">
      <p className="hint">{t("admin.settings.readOnly")}</p>
      <div data-testid="settings">
        {group("set-deadlines", t("admin.settings.workflow"), [
          [t("admin.settings.ack"), days(c.ackDays)],
          [t("admin.settings.feedback"), t("admin.settings.months", { n: c.feedbackMonths })],
          [t("admin.settings.privacy"), days(c.privacyAnswerDays)],
        ])}
        {group("set-retention", t("admin.settings.retentionTitle"), [
          [t("admin.settings.retention"), t("admin.settings.years", { n: c.retentionYears })],
          [t("admin.settings.unacknowledged"), t("admin.settings.months", { n: c.unacknowledgedMonths })],
          [t("admin.settings.jobs"), c.retentionIntervalMinutes > 0 ? t("admin.settings.minutes", { n: c.retentionIntervalMinutes }) : t("admin.settings.off")],
        ])}
        {group("set-limits", t("admin.settings.limits"), [
          [t("admin.settings.maxAttachment"), formatBytes(c.maxAttachmentBytes, locale)],
          [t("admin.settings.uploadSpace"), `${formatBytes(c.uploadReserveBytes, locale)} / ${c.uploadReservePercent}%`],
        ])}
        {group("set-email", t("admin.settings.email"), [
          [t("admin.settings.emailState"), c.emailConfigured ? t("admin.settings.emailOn") : t("admin.settings.emailOff")],
          [t("admin.settings.digestHour"), t("admin.settings.hour", { hour: String(c.digestHour).padStart(2, "0") })],
        ])}
        {group("set-storage", t("admin.settings.storage"), [
          [t("admin.settings.database"), t(`admin.settings.database.${c.database}`)],
          [t("admin.settings.blobs"), t(`admin.settings.blobs.${c.blobs}`)],
          [t("admin.settings.timeZone"), c.timeZone],
        ])}
      </div>
      <AdminIdentitySettings settings={identity} />
    </AdminPage>
  );
}
