// The report as the reporter wrote it. Who they are is behind a recorded reason (identity-section.tsx).
import type { ReportBody } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { Section } from "./section";

export function ReportSection(props: { c: StaffCaseView; body: ReportBody | null }) {
  const { c, body } = props;
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
            <UserText text={body.description} kind="prose" />
          </p>
          {body.details ? (
            <p className="pre">
              <UserText text={body.details} kind="prose" />
            </p>
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
    </Section>
  );
}
