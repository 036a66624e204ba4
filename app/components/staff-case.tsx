// One case for an investigator, decrypted in this browser: the report and
// files, the dialogue with the reporter, internal notes, the workflow, and
// privacy requests (one component each in ./staff-case/). Every change is
// encrypted here before it is sent, by the functions in app/staff/case-actions.ts.
import { useRevalidator } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import {
  decryptBody,
  decryptFileMeta,
  decryptLabels,
  decryptNotifyAddress,
  decryptTitle,
  fromBase64Url,
  type ReporterIdentity,
  type ReportKeys,
  type StaffKeyPair,
} from "../../crypto";
import { isUploadRefusal, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { recordDecrypted, type CaseContext } from "../staff/case-actions";
import { attempt, openCaseKeys } from "../staff/decrypt";
import type { StaffClient } from "../staff/staff-client";
import type { StaffCaseView as StaffCase } from "../staff/wire";
import { CaseRetention, type Hold } from "./case-retention";
import { CaseShares, type CaseProvision, type CaseShare } from "./case-shares";
import { Notices } from "./notices";
import { AccessSection } from "./staff-case/access-section";
import { AuditSection } from "./staff-case/audit-section";
import { DialogueSection } from "./staff-case/dialogue-section";
import { FilesSection } from "./staff-case/files-section";
import { IdentitySection } from "./staff-case/identity-section";
import { NotesSection } from "./staff-case/notes-section";
import { PrivacySection } from "./staff-case/privacy-section";
import { ReportSection } from "./staff-case/report-section";
import { ReporterMailNotices, useReporterMail } from "./staff-case/reporter-mail";
import { type ActProps } from "./staff-case/section";
import { WorkflowSection } from "./staff-case/workflow-section";
import { useAction, errorCode } from "./use-action";
import { UserText } from "./user-text";

/** Errors with a message of their own; anything else shows its code. */
const SHARE_ERRORS = new Set(["no_reviewers", "no_identity_consent", "bad_retention", "legal_hold", "no_admins", "not_closed"]);

export interface SharingProps {
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionYears: number;
  caseRetentionOn: string | null;
  categoryNames: { ko: string; en: string } | null;
}

interface Props {
  c: StaffCase;
  client: StaffClient;
  keys: StaffKeyPair;
  names: Map<string, string>;
  category: string;
  sharing: SharingProps;
  retention: { holds: Hold[]; retentionOn: string | null };
}

export function StaffCaseView(props: Props) {
  const { c, client } = props;
  const { t } = useI18n();
  const keys = useMemo(() => openCaseKeys(c.envelope, c.id, props.keys), [c.envelope, c.id, props.keys]);

  useEffect(() => {
    if (keys) void recordDecrypted({ client, reportId: c.id, keys }).catch(() => {});
  }, [keys, client, c.id]);

  if (!keys) return <p className="notice notice--error">{t("staff.case.unreadable")}</p>;
  return <OpenedCase {...props} caseKeys={keys} />;
}

/** The case once this investigator's envelope opened: its keys are in `caseKeys`. */
function OpenedCase(props: Props & { caseKeys: ReportKeys }) {
  const { c, client, caseKeys: keys } = props;
  const { t, day } = useI18n();
  const revalidator = useRevalidator();
  const action = useAction((e) => {
    const code = errorCode(e);
    if (isUploadRefusal(code)) return t("staff.errors.upload", { reason: t(`upload.errors.${code}`) });
    return SHARE_ERRORS.has(code) ? t(`share.errors.${code}` as MessageKey) : t("staff.errors.generic", { code });
  });
  const ctx: CaseContext = { client, reportId: c.id, keys };
  const rk = keys.reportKey;
  const title = attempt(() => decryptTitle(rk, c.id, fromBase64Url(c.title)));
  const body = attempt(() => decryptBody(rk, c.id, fromBase64Url(c.body)));
  // The identity arrives only after a recorded reason (IdentitySection, ADR 052); update e-mails use their own address record.
  const [identity, setIdentity] = useState<ReporterIdentity | null>(null);
  const notifyAddress = c.notifyAddress ? attempt(() => decryptNotifyAddress(rk, c.id, fromBase64Url(c.notifyAddress!))) : null;
  const labels = c.labels ? attempt(() => decryptLabels(keys.caseKey, c.id, fromBase64Url(c.labels!))) : [];
  const mail = useReporterMail(client, c.id, notifyAddress);

  const act: ActProps["act"] = async (fn, form) => {
    await action.run(async () => {
      await fn();
      form?.reset();
      revalidator.revalidate();
      return t("staff.case.saved");
    });
  };
  const busy = action.busy;

  return (
    <div className="staff-case">
      <h1>
        {c.caseNumber}:{" "}
        <span data-testid="staff-case-title">
          <UserText text={title} fallback={t("staff.case.unreadable")} />
        </span>
      </h1>
      <p>
        <UserText text={props.category} /> ·{" "}
        <span data-testid="staff-case-status">
          {t(`staff.status.${c.status}` as MessageKey)}
          {c.outcome ? ` (${t(`staff.case.outcome.${c.outcome}` as MessageKey)})` : ""}
        </span>{" "}
        · {t("staff.case.deadlines", { ack: day(c.ackDueOn), feedback: day(c.feedbackDueOn) })}
        {c.overdue ? <strong className="overdue-mark"> {t("staff.inbox.overdueMark")}</strong> : null}
      </p>
      <Notices status={action.notice} error={action.error} />
      <ReporterMailNotices mail={mail} busy={busy} />

      <ReportSection c={c} body={body} />
      <IdentitySection c={c} ctx={ctx} me={client.user?.id ?? ""} names={props.names} onIdentity={setIdentity} />
      <FilesSection c={c} ctx={ctx} act={act} busy={busy} />
      <DialogueSection c={c} ctx={ctx} names={props.names} tell={mail.tell} act={act} busy={busy} />
      <NotesSection c={c} ctx={ctx} names={props.names} act={act} busy={busy} />
      <WorkflowSection c={c} ctx={ctx} labels={labels} tell={mail.tell} act={act} busy={busy} />
      <PrivacySection c={c} ctx={ctx} tell={mail.tell} act={act} busy={busy} />
      <AccessSection ctx={ctx} act={act} busy={busy} />

      <CaseShares
        c={{
          id: c.id,
          caseNumber: c.caseNumber,
          consentAffiliateIdentity: c.consentAffiliateIdentity,
          category: props.sharing.categoryNames,
          title,
          body,
          identity,
          hasIdentity: c.hasIdentity,
          files: c.attachments.flatMap((a) => {
            const meta = attempt(() => decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta)));
            return meta ? [{ id: a.id, ...meta, fileKeyWrapped: a.fileKey }] : [];
          }),
        }}
        keys={keys}
        client={client}
        shares={props.sharing.shares}
        provisions={props.sharing.provisions}
        retentionYears={props.sharing.retentionYears}
        caseRetentionOn={props.sharing.caseRetentionOn}
        names={props.names}
        act={act}
        busy={busy}
      />

      <CaseRetention
        c={{ ...c, provisions: props.sharing.provisions }}
        keys={keys}
        client={client}
        holds={props.retention.holds}
        retentionOn={props.retention.retentionOn}
        retentionYears={props.sharing.retentionYears}
        category={props.sharing.categoryNames}
        names={props.names}
        act={act}
        busy={busy}
      />

      <AuditSection c={c} names={props.names} />
    </div>
  );
}
