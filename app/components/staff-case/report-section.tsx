// The report as the reporter wrote it, and who they are if they said so.
import type { ReportBody, ReporterIdentity } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { MaskedText, MaskPassageButton } from "./masks";
import { Section } from "./section";

export function ReportSection(props: { c: StaffCaseView; body: ReportBody | null; identity: ReporterIdentity | null; busy: boolean }) {
  const { c, body, identity } = props;
  const { t, day } = useI18n();
  return (
    <Section id="s-report" title={t("staff.case.report")}>
      {c.serverSealed ? (
        <p className="notice" data-testid="staff-case-server-sealed">
          {t("staff.case.serverSealed")}
        </p>
      ) : null}
      {body ? (
        <>
          <p className="pre" data-testid="staff-case-description">
            <MaskedText target={{ record: "body", field: "description" }} text={body.description} />
          </p>
          <MaskPassageButton target={{ record: "body", field: "description" }} text={body.description} busy={props.busy} />
          {body.details ? (
            <>
              <p className="pre" data-testid="staff-case-details">
                <MaskedText target={{ record: "body", field: "details" }} text={body.details} />
              </p>
              <MaskPassageButton target={{ record: "body", field: "details" }} text={body.details} busy={props.busy} />
            </>
          ) : null}
          {body.periodFrom || body.periodTo ? (
            <p>
              {t("report.period")}: {day(body.periodFrom)} – {day(body.periodTo)}
            </p>
          ) : null}
        </>
      ) : (
        <p className="hint">{t("staff.case.unreadable")}</p>
      )}
      <h3>{t("staff.case.identity")}</h3>
      {identity ? (
        <dl className="dates">
          <dt>{t("report.reporterName")}</dt>
          <dd>
            <UserText text={identity.name} fallback="—" />
          </dd>
          <dt>{t("report.email")}</dt>
          <dd>
            <UserText text={identity.email} kind="identifier" fallback="—" />
          </dd>
          <dt>{t("report.phone")}</dt>
          <dd>
            <UserText text={identity.phone} kind="identifier" fallback="—" />
          </dd>
        </dl>
      ) : (
        <p>{t("staff.case.noIdentity")}</p>
      )}
      <p className="hint">{t("staff.case.consentAffiliate", { value: c.consentAffiliateIdentity ? "✓" : "✗" })}</p>
      {identity?.email ? <p className="hint">{identity.notify?.email ? t("notify.reporter.wanted") : t("notify.reporter.notWanted")}</p> : null}
    </Section>
  );
}
