// One case for an investigator, decrypted in this browser: a header that stays in view (case, status, handling,
// deadlines in words) with the navigation to the sections, then the sections of ./staff-case/sections.tsx, each
// with its heading and its own action results. Every change is encrypted here before it is sent, by the functions
// in app/staff/case-actions.ts.
import { useEffect, useMemo, useState } from "react";
import {
  decryptBody,
  decryptFileMeta,
  decryptLabels,
  decryptTitle,
  fromBase64Url,
  type ReporterIdentity,
  type ReportKeys,
  type StaffKeyPair,
} from "../../crypto";
import { useI18n } from "../i18n/react";
import { recordDecrypted } from "../staff/case-actions";
import { updateEmailAddress } from "../staff/identity-access";
import { attempt, openCaseKeys } from "../staff/decrypt";
import type { StaffClient } from "../staff/staff-client";
import type { StaffCaseView as StaffCase } from "../staff/wire";
import type { Hold } from "./case-retention";
import { CaseHeader } from "./staff-case/case-header";
import { MaskProvider, useMaskedSharing } from "./staff-case/masks";
import { useReporterMail, type ReporterMail } from "./staff-case/reporter-mail";
import { SectionActions } from "./staff-case/section-action";
import { sectionAnchor, SectionNav } from "./staff-case/section-nav";
import { CASE_SECTIONS, type CasePage, type CaseSection, type SharingProps } from "./staff-case/sections";

export type { SharingProps };

interface Props {
  c: StaffCase;
  client: StaffClient;
  keys: StaffKeyPair;
  names: Map<string, string>;
  category: string;
  /** Today in the portal's time zone, by the server's clock: the deadlines count from it. */
  today: string;
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
  const rk = keys.reportKey;
  // The identity arrives only after a recorded reason (the identity section, ADR 052); update e-mails use their own
  // address record, or for reports older than that record the wish in the identity once it was released here.
  const [identity, setIdentity] = useState<ReporterIdentity | null>(null);
  const notifyAddress = updateEmailAddress(rk, c.id, c.notifyAddress, identity);
  const page: CasePage = {
    c,
    ctx: { client, reportId: c.id, keys },
    names: props.names,
    title: attempt(() => decryptTitle(rk, c.id, fromBase64Url(c.title))),
    body: attempt(() => decryptBody(rk, c.id, fromBase64Url(c.body))),
    identity,
    onIdentity: setIdentity,
    labels: c.labels ? attempt(() => decryptLabels(keys.caseKey, c.id, fromBase64Url(c.labels!))) : [],
    files: c.attachments.flatMap((a) => {
      const meta = attempt(() => decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta)));
      return meta ? [{ id: a.id, ...meta, fileKeyWrapped: a.fileKey }] : [];
    }),
    sharing: props.sharing,
    retention: props.retention,
    today: props.today,
    staffKeys: props.keys,
    category: props.category,
    masked: null,
  };
  page.masked = useMaskedSharing(c, keys.caseKey, page.body);
  const mail = useReporterMail(client, c.id, notifyAddress);

  return (
    <div className="staff-case">
      <CaseHeader
        c={c}
        title={page.title}
        category={props.category}
        names={props.names}
        today={props.today}
        nav={<SectionNav sections={CASE_SECTIONS} page={page} />}
      />
      {/* Masked passages (ADR 053) are shown in the report, dialogue and notes; a mask's result appears in the section it was made from. */}
      <MaskProvider c={c} ctx={page.ctx} names={props.names}>
        <div className="case-sections">
          {CASE_SECTIONS.map((s) => (
            <CaseSectionView key={s.key} section={s} page={page} mail={mail} />
          ))}
        </div>
      </MaskProvider>
    </div>
  );
}

function CaseSectionView(props: { section: CaseSection; page: CasePage; mail: ReporterMail }) {
  const { section, page } = props;
  const { t } = useI18n();
  const anchor = sectionAnchor(section.key);
  const { Body } = section;
  return (
    // The heading carries the anchor the navigation links to, and names the section (as `s-report` always has).
    <section className={`case-section case-section--${section.key}`} aria-labelledby={anchor} data-testid={`case-section-${section.key}`}>
      <h2 id={anchor}>{t(section.title)}</h2>
      <SectionActions sectionKey={section.key} mail={props.mail}>
        {(actions) => <Body page={page} {...actions} />}
      </SectionActions>
    </section>
  );
}
