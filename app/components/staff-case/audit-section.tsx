// The case's audit trail, newest first: who did what, in words, never what they wrote.
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { AuditSentence } from "../audit-event";

export function AuditSection(props: { c: StaffCaseView; names: Map<string, string> }) {
  const { t, when } = useI18n();
  if (props.c.auditTrail.length === 0) return <p>{t("casePage.empty.history")}</p>;
  return (
    <ol className="audit-trail" data-testid="case-audit">
      {props.c.auditTrail.map((e) => (
        <li key={e.seq}>
          <time dateTime={e.at}>{when(e.at)}</time> ·{" "}
          <AuditSentence
            entry={{ actorType: e.actorId ? "staff" : "system", actorId: e.actorId, action: e.action, caseNumber: props.c.caseNumber, details: e.details }}
            names={props.names}
          />
        </li>
      ))}
    </ol>
  );
}
