// The report as the reporter wrote it. Who they are is behind a recorded reason (identity-section.tsx).
import type { ReportBody } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { MaskedText, MaskPassageButton } from "./masks";
import { ActionResult } from "./section-action";

export function ReportSection(props: { c: StaffCaseView; title: string | null; body: ReportBody | null; busy: boolean }) {
  const { c, body } = props;
  const { t, day } = useI18n();
  return (
    <>
      {c.serverSealed ? (
        <p className="notice" data-testid="staff-case-server-sealed">
          {t("staff.case.serverSealed")}
        </p>
      ) : null}
      {/* The whole title: the sticky header may cut it to two lines. */}
      <p className="case-report-title">
        <strong>{t("share.item.title")}</strong>: <UserText text={props.title} fallback={t("staff.case.unreadable")} />
      </p>
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
      <ActionResult slot="mask" />
    </>
  );
}
