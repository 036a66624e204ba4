// The sections of the investigator's case page, in their order: one list feeds the section navigation, the
// sections' headings and anchors, and each section's own action state (./section-action.tsx). Adding a section is
// one entry here and a component that renders its body; the page gives it the decrypted case (`CasePage`), an
// `act` whose results appear inside the section, and `tell` for the reporter's e-mail.
import type { ReactNode } from "react";
import type { ReportBody, ReporterIdentity, StaffKeyPair } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import type { CaseContext } from "../../staff/case-actions";
import type { StaffCaseView } from "../../staff/wire";
import { CaseRetention, type Hold } from "../case-retention";
import { CaseShares, type CaseProvision, type CaseShare, type SharedCaseContent } from "../case-shares";
import { AccessSection } from "./access-section";
import { AuditSection } from "./audit-section";
import { DialogueSection } from "./dialogue-section";
import { ExportSection } from "./export-section";
import { FilesSection } from "./files-section";
import { IdentitySection } from "./identity-section";
import { NotesSection } from "./notes-section";
import { PrivacySection } from "./privacy-section";
import type { TellReporter } from "./reporter-mail";
import type { MaskedSharing } from "./masks";
import { ReportSection } from "./report-section";
import type { ActProps } from "./section-action";
import { WorkflowSection } from "./workflow-section";

export interface SharingProps {
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionYears: number;
  caseRetentionOn: string | null;
  categoryNames: { ko: string; en: string } | null;
}

/** The case as this browser opened it: the view, its keys, and what was decrypted once for every section. */
export interface CasePage {
  c: StaffCaseView;
  ctx: CaseContext;
  names: Map<string, string>;
  title: string | null;
  body: ReportBody | null;
  /** The reporter's identity once released to this investigator after a recorded reason (ADR 052); null before. */
  identity: ReporterIdentity | null;
  onIdentity: (identity: ReporterIdentity | null) => void;
  labels: string[] | null;
  /** The files whose metadata opened, for the share form. */
  files: SharedCaseContent["files"];
  sharing: SharingProps;
  retention: { holds: Hold[]; retentionOn: string | null };
  /** Today in the portal's time zone, by the server's clock: deadlines count from it. */
  today: string;
  /** This investigator's own key pair (the export's signing key comes from it, ADR 054). */
  staffKeys: StaffKeyPair;
  /** The category's name in the page's language. */
  category: string;
  /** The body as shares get it, masked passages hidden (ADR 053); set once the page has opened the masks. */
  masked: MaskedSharing | null;
}

export interface SectionProps extends ActProps {
  page: CasePage;
  tell: TellReporter;
}

export interface CaseSection {
  /** The heading's id, and the navigation's anchor, is `s-${key}`; the section's element has data-testid `case-section-${key}`. */
  key: string;
  title: MessageKey;
  /** A count shown after the title in the navigation (files, messages, open requests…); none when absent or 0. */
  count?: (page: CasePage) => number;
  Body: (props: SectionProps) => ReactNode;
}

export const CASE_SECTIONS: readonly CaseSection[] = [
  {
    key: "report",
    title: "staff.case.report",
    Body: ({ page, busy }) => <ReportSection c={page.c} title={page.title} body={page.body} busy={busy} />,
  },
  {
    key: "identity",
    title: "identity.title",
    Body: ({ page }) => <IdentitySection c={page.c} ctx={page.ctx} me={page.ctx.client.user?.id ?? ""} names={page.names} onIdentity={page.onIdentity} />,
  },
  {
    key: "files",
    title: "staff.case.files",
    count: ({ c }) => c.attachments.length,
    Body: ({ page, act, busy }) => <FilesSection c={page.c} ctx={page.ctx} act={act} busy={busy} />,
  },
  {
    key: "dialogue",
    title: "staff.case.dialogue",
    count: ({ c }) => c.messages.length,
    Body: ({ page, act, busy, tell }) => <DialogueSection c={page.c} ctx={page.ctx} names={page.names} tell={tell} act={act} busy={busy} />,
  },
  {
    key: "notes",
    title: "staff.case.notes",
    count: ({ c }) => c.notes.length,
    Body: ({ page, act, busy }) => <NotesSection c={page.c} ctx={page.ctx} names={page.names} act={act} busy={busy} />,
  },
  {
    key: "workflow",
    title: "staff.case.workflow",
    Body: ({ page, act, busy, tell }) => <WorkflowSection c={page.c} ctx={page.ctx} labels={page.labels} tell={tell} act={act} busy={busy} />,
  },
  {
    key: "access",
    title: "staff.case.access",
    Body: ({ page, act, busy }) => <AccessSection ctx={page.ctx} act={act} busy={busy} />,
  },
  {
    key: "shares",
    title: "share.section",
    count: ({ sharing }) => sharing.shares.filter((s) => s.state === "active" && !s.expired).length,
    Body: ({ page, act, busy }) => (
      <CaseShares
        c={{
          id: page.c.id,
          caseNumber: page.c.caseNumber,
          consentAffiliateIdentity: page.c.consentAffiliateIdentity,
          category: page.sharing.categoryNames,
          title: page.title,
          body: page.masked?.body ?? page.body,
          maskedFields: page.masked?.maskedFields,
          maskPackage: page.masked?.maskPackage,
          identity: page.identity,
          hasIdentity: page.c.hasIdentity,
          files: page.files,
        }}
        keys={page.ctx.keys}
        client={page.ctx.client}
        shares={page.sharing.shares}
        provisions={page.sharing.provisions}
        retentionYears={page.sharing.retentionYears}
        caseRetentionOn={page.sharing.caseRetentionOn}
        names={page.names}
        act={act}
        busy={busy}
      />
    ),
  },
  {
    key: "privacy",
    title: "staff.case.privacy",
    count: ({ c }) => c.privacyRequests.filter((p) => p.state === "open").length,
    Body: ({ page, act, busy, tell }) => <PrivacySection c={page.c} ctx={page.ctx} tell={tell} today={page.today} act={act} busy={busy} />,
  },
  {
    key: "retention",
    title: "retention.section",
    count: ({ retention }) => retention.holds.filter((h) => h.liftedOn === null).length,
    Body: ({ page, act, busy }) => (
      <CaseRetention
        c={{ ...page.c, provisions: page.sharing.provisions }}
        keys={page.ctx.keys}
        client={page.ctx.client}
        holds={page.retention.holds}
        retentionOn={page.retention.retentionOn}
        retentionYears={page.sharing.retentionYears}
        category={page.sharing.categoryNames}
        names={page.names}
        act={act}
        busy={busy}
      />
    ),
  },
  {
    key: "export",
    title: "export.title",
    Body: ({ page, busy }) => (
      <ExportSection
        c={page.c}
        ctx={page.ctx}
        staffKeys={page.staffKeys}
        title={page.title}
        body={page.body}
        // Only the identity this investigator accessed with a recorded reason (ADR 052) can go into an export (ADR 054).
        exportableIdentity={page.identity}
        names={page.names}
        category={page.category}
        shares={page.sharing.shares}
        provisions={page.sharing.provisions}
        retentionOn={page.retention.retentionOn}
        busy={busy}
      />
    ),
  },
  {
    key: "history",
    title: "staff.case.audit",
    Body: ({ page }) => <AuditSection c={page.c} names={page.names} />,
  },
];
