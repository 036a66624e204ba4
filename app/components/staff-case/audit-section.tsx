// The case's audit trail, newest first: who did what, never what they wrote.
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { Section } from "./section";

export function AuditSection(props: { c: StaffCaseView; names: Map<string, string> }) {
  const { t, locale } = useI18n();
  return (
    <Section id="s-audit" title={t("staff.case.audit")}>
      <ol className="audit-trail">
        {props.c.auditTrail.map((e) => (
          <li key={e.seq}>
            {new Date(e.at).toLocaleString(locale)} · <UserText text={props.names.get(e.actorId ?? "")} fallback="system" /> · <code>{e.action}</code>
          </li>
        ))}
      </ol>
    </Section>
  );
}
