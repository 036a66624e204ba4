// An affiliate reviewer's list of shares: those addressed to their own
// affiliate, active and within retention. Opening one needs the key an
// investigator sealed to this reviewer; without it the share shows as waiting.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { affiliateSlugOf } from "../.server/org/org";
import { listAffiliateShares } from "../.server/sharing/affiliate-shares";
import { services } from "../.server/platform/services";
import { AFFILIATE, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { listStaffNotifications } from "../.server/notifications/list";
import { StaffHeader } from "../components/staff-header";
import { StaffNotifications } from "../components/staff-notifications";
import { type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { TitledHandle } from "../root";
import { TableScroll } from "../components/table-scroll";

export const handle: TitledHandle = { title: "staffPages.title.affiliateInbox" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const reviewer = await requireStaffPage(s, request, AFFILIATE);
  return {
    me: await staffBadge(s, reviewer),
    affiliate: await affiliateSlugOf(s.db, reviewer.affiliateId),
    retentionYears: s.config.RETENTION_YEARS,
    shares: await listAffiliateShares(s, reviewer),
    notifications: await listStaffNotifications(s, reviewer),
  };
}

export default function AffiliateShares() {
  const { me, affiliate, shares, retentionYears, notifications } = useLoaderData<typeof loader>();
  const { t, href, day, locale } = useI18n();
  return (
    <div className="page wide">
      <StaffHeader me={me} />
      <h1>
        {t("affiliate.title", {
          // The affiliate's name as stored; the catalog's name only if the row were missing.
          affiliate: me.affiliate ? (locale === "ko" ? me.affiliate.nameKo : me.affiliate.nameEn) : t(`affiliate.name.${affiliate}` as MessageKey),
        })}
      </h1>
      <p>{t("affiliate.intro")}</p>
      <StaffNotifications view={notifications} />
      {shares.length === 0 ? (
        <p data-testid="affiliate-empty">{t("affiliate.list.empty")}</p>
      ) : (
        <TableScroll label={t("staffPages.title.affiliateInbox")}>
          <table data-testid="affiliate-shares">
            <thead>
              <tr>
                <th scope="col">{t("affiliate.list.case")}</th>
                <th scope="col">{t("affiliate.list.shared")}</th>
                <th scope="col">{t("affiliate.list.purpose")}</th>
                <th scope="col">{t("affiliate.list.retention")}</th>
              </tr>
            </thead>
            <tbody>
              {shares.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.hasKey ? (
                      <Link to={href(`/affiliate/shares/${s.id}`)} aria-label={t("affiliate.list.open", { caseNumber: s.caseNumber })}>
                        {s.caseNumber}
                      </Link>
                    ) : (
                      <>
                        {s.caseNumber} <span className="hint">({t("affiliate.list.awaiting")})</span>
                      </>
                    )}
                  </td>
                  <td>{day(s.sharedOn)}</td>
                  <td>{t(`share.purpose.${s.purpose}`)}</td>
                  <td>{s.retentionOn ? day(s.retentionOn) : t("share.retention.default", { years: retentionYears })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
