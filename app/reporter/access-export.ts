// The reporter's own copy of their case, their right of access (the "access" privacy request and
// the download button on /status), built by the same builder as an investigator's export (ADR 054):
// a PDF of their report (their own words, never masked), the dialogue, their privacy requests and
// what was provided to affiliates; their files decrypted; the machine-readable data as JSON; and a
// manifest of SHA-256 digests. It is not signed: the reporter has no key the portal could vouch for.
// Loaded only when the reporter asks for the copy.
import { newRecordId } from "../../crypto";
import type { MessageKey, Translate } from "../i18n";
import type { ExportBlock, ExportDocument, ExportFile, ExportSection } from "../shared/export/document";
import { loadExportFont } from "../shared/export/font";
import { buildExportZip, type BuiltExport } from "../shared/export/zip";
import { exportCase, type DecryptedCase } from "./followup-client";

export interface AccessWords {
  t: Translate;
  locale: "ko" | "en";
  day(d: string | null | undefined, none?: string): string;
}

export function accessExportSections(c: DecryptedCase, w: AccessWords): ExportSection[] {
  const { t, day } = w;
  const unreadable = t("export.pdf.unreadable");
  const none = t("export.pdf.none");
  const report: ExportBlock[] = [
    { label: t("export.pdf.reportTitle"), text: c.title },
    { label: t("export.pdf.received"), text: day(c.receivedOn) },
    { label: t("export.pdf.status"), text: t(`staff.status.${c.status}` as MessageKey) },
    { label: t("export.pdf.description"), text: c.body.description },
  ];
  if (c.body.details) report.push({ label: t("export.pdf.details"), text: c.body.details });
  if (c.body.periodFrom || c.body.periodTo)
    report.push({ label: t("export.pdf.period"), text: `${day(c.body.periodFrom, "…")} – ${day(c.body.periodTo, "…")}` });
  const sections: ExportSection[] = [{ part: "report", heading: t("export.part.report"), blocks: report }];
  if (c.identity) {
    sections.push({
      part: "identity",
      heading: t("export.part.identity"),
      blocks: [
        { label: t("export.pdf.name"), text: c.identity.name ?? "—" },
        { label: t("export.pdf.email"), text: c.identity.email ?? "—" },
        { label: t("export.pdf.phone"), text: c.identity.phone ?? "—" },
      ],
    });
  }
  sections.push({
    part: "dialogue",
    heading: t("export.part.dialogue"),
    empty: none,
    blocks: c.messages.map((m) => ({
      label: `${m.author === "reporter" ? t("export.pdf.reporter") : t("export.pdf.investigator", { name: "" }).trim()} · ${day(m.sentOn)}${m.kind === "question" ? ` · ${t("export.pdf.question")}` : ""}`,
      text: m.text ?? unreadable,
    })),
  });
  sections.push({
    part: "deadlines",
    heading: t("export.part.deadlines"),
    blocks: [
      { label: t("export.pdf.ackDue"), text: day(c.ackDueOn) },
      { label: t("export.pdf.acknowledged"), text: day(c.acknowledgedOn) },
      { label: t("export.pdf.feedbackDue"), text: day(c.feedbackDueOn) },
      { label: t("export.pdf.closed"), text: day(c.closedOn) },
    ],
  });
  sections.push({
    part: "sharing",
    heading: t("export.part.sharing"),
    empty: none,
    blocks: c.provisions.map((p) => ({
      label: `${t(`affiliate.name.${p.affiliate}` as MessageKey) ?? p.affiliate} · ${day(p.providedOn)} – ${day(p.endedOn, "…")}`,
      text: [
        `${t("export.pdf.items")}: ${p.items.map((i) => (t(`share.item.${i}` as MessageKey) as string | undefined) ?? i).join(", ")}`,
        `${t("export.pdf.purpose")}: ${(t(`share.purpose.${p.purpose}` as MessageKey) as string | undefined) ?? p.purpose}`,
        `${t("export.pdf.basis")}: ${(t(`share.basis.${p.legalBasis}` as MessageKey) as string | undefined) ?? p.legalBasis}`,
      ].join("\n"),
    })),
  });
  sections.push({
    part: "privacy",
    heading: t("export.part.privacy"),
    empty: none,
    blocks: c.privacyRequests.map((p) => {
      const lines = [p.detail ?? "—"];
      if (p.answeredOn) lines.push(`${t("export.pdf.answer", { day: day(p.answeredOn) })}: ${p.answer ?? "—"}`);
      return { label: `${t(`status.privacy.kind.${p.kind}` as MessageKey)} · ${day(p.requestedOn)}`, text: lines.join("\n") };
    }),
  });
  sections.push({
    part: "files",
    heading: t("export.part.files"),
    empty: none,
    blocks: c.attachments.map((a) => ({ text: a.name })),
  });
  return sections;
}

/** The reporter's copy: `download` fetches and decrypts one of their files (FollowupSession.downloadAttachment). */
export async function buildAccessExport(input: {
  c: DecryptedCase;
  download: (attachmentId: string) => Promise<Blob>;
  words: AccessWords;
  now: Date;
  font?: Uint8Array;
}): Promise<BuiltExport> {
  const { c, words } = input;
  const t = words.t;
  const font = input.font ?? (await loadExportFont());
  const files: ExportFile[] = [{ name: `${c.caseNumber}.json`, bytes: new TextEncoder().encode(exportCase(c)) }];
  for (const a of c.attachments) files.push({ name: a.name, bytes: new Uint8Array(await (await input.download(a.id)).arrayBuffer()) });
  const createdAt = new Date(Math.floor(input.now.getTime())).toISOString();
  const document: ExportDocument = {
    kind: "reporter-access",
    caseNumber: c.caseNumber,
    language: words.locale,
    createdAt,
    title: t("export.pdf.reporterTitle", { case: c.caseNumber }),
    subtitle: [t("export.pdf.reporterBy", { day: words.day(createdAt.slice(0, 10)) }), t("export.pdf.reporterCheck")],
    footer: t("export.pdf.footer", { case: c.caseNumber, id: "" }).replace(/ · $/, ""),
    sections: accessExportSections(c, words),
  };
  const exportId = newRecordId();
  return buildExportZip({ document, exportId, files, font, certificate: null });
}
