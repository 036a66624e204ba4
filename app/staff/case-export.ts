// An investigator's export of a case (ADR 054), in their browser: the chosen parts as a PDF, the
// decrypted files, and a manifest signed with their export signing key, which the portal certifies
// (with the export's place in the audit chain) when it records the export. Loaded only when an
// export starts: pdf-lib, fontkit, fflate and the font come with this module.
//
// The texts come in as `ShownCase`: what the case page shows. Masking (app/staff/masks.ts, built in
// parallel) is applied where `ShownCase` is made, so an export never holds more than the page.
import {
  decryptFileMeta,
  decryptMessage,
  decryptNote,
  decryptPrivacyText,
  exportSigningKeyPair,
  fromBase64Url,
  toBase64Url,
  signManifest,
  unwrapFileKey,
  AttachmentDecryptor,
  concatBytes,
  type ExportCertificate,
  type ExportPart,
  type MaskTarget,
  type ReportBody,
  type ReportKeys,
  type ReporterIdentity,
  type StaffSecretKey,
} from "../../crypto";
import type { MessageKey, Translate } from "../i18n";
import { maskedText, type OpenMask } from "./masks";
import type { ExportBlock, ExportDocument, ExportFile, ExportSection } from "../shared/export/document";
import { loadExportFont } from "../shared/export/font";
import { buildExportZip, type BuiltExport } from "../shared/export/zip";
import { attempt } from "./decrypt";
import type { StaffClient } from "./staff-client";
import type { CaseProvision, CaseShare, StaffCaseView } from "./wire";

/** Files are read whole into the page to be zipped; past this the export leaves them out (they download one by one). */
export const EXPORT_MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** The case's texts as the page shows them (after masking, once it is wired), and the identity only when it may be exported. */
export interface ShownCase {
  title: string | null;
  body: ReportBody | null;
  /** Only an identity the case page hands over as accessed with a recorded reason; null otherwise. */
  identity: ReporterIdentity | null;
  messages: Map<string, { kind: string; text: string } | null>;
  notes: Map<string, string | null>;
  privacy: Map<string, { detail: string | null; answer: string | null }>;
}

/** Decrypts what the page shows, in one place: the place the masks apply to. */
export function shownCase(
  c: StaffCaseView,
  keys: ReportKeys,
  title: string | null,
  body: ReportBody | null,
  identity: ReporterIdentity | null,
  masking: { masks: readonly OpenMask[]; marker: string } = { masks: [], marker: "" },
): ShownCase {
  const rk = keys.reportKey;
  const ct = fromBase64Url;
  const { masks, marker } = masking;
  const masked = (text: string, target: MaskTarget) => maskedText(text, masks, target, marker);
  return {
    title,
    body: body && {
      ...body,
      description: masked(body.description, { record: "body", field: "description" }),
      details: masked(body.details, { record: "body", field: "details" }),
    },
    identity,
    messages: new Map(
      c.messages.map((m) => {
        const plain = attempt(() => decryptMessage(rk, c.id, m.id, ct(m.body), m.author));
        return [m.id, plain && { ...plain, text: masked(plain.text, { record: "message", id: m.id }) }];
      }),
    ),
    notes: new Map(
      c.notes.map((n) => {
        const text = attempt(() => decryptNote(keys.caseKey, c.id, n.id, ct(n.body)));
        return [n.id, text === null ? null : masked(text, { record: "note", id: n.id })];
      }),
    ),
    privacy: new Map(
      c.privacyRequests.map((p) => [
        p.id,
        {
          detail: p.detail ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "request", ct(p.detail!))) : null,
          answer: p.answer ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "answer", ct(p.answer!))) : null,
        },
      ]),
    ),
  };
}

export interface ExportWords {
  t: Translate;
  locale: "ko" | "en";
  day(d: string | null | undefined, none?: string): string;
  when(iso: string | null | undefined, none?: string): string;
  names: Map<string, string>;
  category: string;
}

export interface ExportExtras {
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionOn: string | null;
}

const bytesText = (n: number, locale: "ko" | "en") => (locale === "ko" ? `${n.toLocaleString("ko-KR")}바이트` : `${n.toLocaleString("en-US")} bytes`);

/** The sections of the chosen parts, in the order of EXPORT_PARTS. */
export function staffExportSections(
  c: StaffCaseView,
  shown: ShownCase,
  parts: Set<ExportPart>,
  w: ExportWords,
  extras: ExportExtras,
  files: { name: string; size: number }[],
): ExportSection[] {
  const { t, day, when } = w;
  const unreadable = t("export.pdf.unreadable");
  const name = (id: string | null) => (id ? (w.names.get(id) ?? t("audit.account.unknown")) : t("export.pdf.system"));
  const sections: ExportSection[] = [];
  const none = t("export.pdf.none");
  if (parts.has("report")) {
    const b = shown.body;
    const blocks: ExportBlock[] = [
      { label: t("export.pdf.reportTitle"), text: shown.title ?? unreadable },
      { label: t("export.pdf.category"), text: w.category || "—" },
      { label: t("export.pdf.received"), text: day(c.receivedOn) },
      {
        label: t("export.pdf.status"),
        text: `${t(`staff.status.${c.status}` as MessageKey)}${c.outcome ? ` (${t(`staff.case.outcome.${c.outcome}` as MessageKey)})` : ""}`,
      },
      { label: t("export.pdf.description"), text: b ? b.description : unreadable },
    ];
    if (b?.details) blocks.push({ label: t("export.pdf.details"), text: b.details });
    if (b && (b.periodFrom || b.periodTo)) blocks.push({ label: t("export.pdf.period"), text: `${day(b.periodFrom, "…")} – ${day(b.periodTo, "…")}` });
    sections.push({ part: "report", heading: t("export.part.report"), blocks });
  }
  if (parts.has("identity") && shown.identity) {
    const i = shown.identity;
    sections.push({
      part: "identity",
      heading: t("export.part.identity"),
      blocks: [
        { label: t("export.pdf.name"), text: i.name ?? "—" },
        { label: t("export.pdf.email"), text: i.email ?? "—" },
        { label: t("export.pdf.phone"), text: i.phone ?? "—" },
      ],
    });
  }
  if (parts.has("dialogue")) {
    sections.push({
      part: "dialogue",
      heading: t("export.part.dialogue"),
      empty: none,
      blocks: c.messages.map((m) => {
        const plain = shown.messages.get(m.id);
        const who = m.author === "reporter" ? t("export.pdf.reporter") : t("export.pdf.investigator", { name: name(m.staffUserId) });
        const kind = plain?.kind === "question" ? ` · ${t("export.pdf.question")}` : "";
        return { label: `${who} · ${day(m.sentOn)}${kind}`, text: plain?.text ?? unreadable };
      }),
    });
  }
  if (parts.has("notes")) {
    sections.push({
      part: "notes",
      heading: t("export.part.notes"),
      empty: none,
      blocks: c.notes.map((n) => ({ label: `${name(n.staffUserId)} · ${when(n.createdAt)}`, text: shown.notes.get(n.id) ?? unreadable })),
    });
  }
  if (parts.has("history")) {
    // The status changes from the case's audit trail (newest first there), oldest first here.
    const changes = c.auditTrail.filter((e) => e.action === "case.status").reverse();
    const blocks: ExportBlock[] = [{ label: when(null, day(c.receivedOn)), text: t("export.pdf.history.received") }];
    for (const e of changes) {
      const from = typeof e.details.from === "string" ? t(`staff.status.${e.details.from}` as MessageKey) : "—";
      const to = typeof e.details.to === "string" ? t(`staff.status.${e.details.to}` as MessageKey) : "—";
      blocks.push({ label: `${when(e.at)} · ${name(e.actorId)}`, text: `${from} → ${to}` });
    }
    sections.push({ part: "history", heading: t("export.part.history"), blocks });
  }
  if (parts.has("deadlines")) {
    sections.push({
      part: "deadlines",
      heading: t("export.part.deadlines"),
      blocks: [
        { label: t("export.pdf.ackDue"), text: day(c.ackDueOn) },
        { label: t("export.pdf.acknowledged"), text: day(c.acknowledgedOn) },
        { label: t("export.pdf.feedbackDue"), text: day(c.feedbackDueOn) },
        { label: t("export.pdf.closed"), text: day(c.closedOn) },
        { label: t("export.pdf.keptUntil"), text: day(extras.retentionOn) },
      ],
    });
  }
  if (parts.has("sharing")) {
    const blocks: ExportBlock[] = extras.provisions.map((p) => ({
      label: `${t(`affiliate.name.${p.affiliate}` as MessageKey)} · v${p.version} · ${day(p.providedOn)} – ${day(p.endedOn, "…")}`,
      text: [
        `${t("export.pdf.items")}: ${p.items.map((i) => (t(`share.item.${i}` as MessageKey) as string | undefined) ?? i).join(", ")}`,
        `${t("export.pdf.purpose")}: ${t(`share.purpose.${p.purpose}` as MessageKey) ?? p.purpose}`,
        `${t("export.pdf.basis")}: ${t(`share.basis.${p.legalBasis}` as MessageKey) ?? p.legalBasis}`,
        `${t("export.pdf.providedBy")}: ${name(p.providedBy)}`,
      ].join("\n"),
    }));
    sections.push({ part: "sharing", heading: t("export.part.sharing"), empty: none, blocks });
  }
  if (parts.has("privacy")) {
    sections.push({
      part: "privacy",
      heading: t("export.part.privacy"),
      empty: none,
      blocks: c.privacyRequests.map((p) => {
        const texts = shown.privacy.get(p.id);
        const lines = [texts?.detail ?? (p.detail ? unreadable : "—")];
        if (p.answeredOn) lines.push(`${t("export.pdf.answer", { day: day(p.answeredOn) })}: ${texts?.answer ?? (p.answer ? unreadable : "—")}`);
        return { label: `${t(`status.privacy.kind.${p.kind}` as MessageKey)} · ${day(p.requestedOn)}`, text: lines.join("\n") };
      }),
    });
  }
  if (parts.has("files")) {
    sections.push({
      part: "files",
      heading: t("export.part.files"),
      empty: none,
      blocks: files.map((f) => ({ text: `${f.name} (${bytesText(f.size, w.locale)})` })),
    });
  }
  return sections;
}

async function decryptedFiles(client: StaffClient, c: StaffCaseView, keys: ReportKeys): Promise<ExportFile[]> {
  const total = c.attachments.reduce((n, a) => n + a.ciphertextBytes, 0);
  if (total > EXPORT_MAX_FILE_BYTES) throw Object.assign(new Error("the files are too large to export together"), { code: "files_too_large" });
  const out: ExportFile[] = [];
  for (const a of c.attachments) {
    const meta = decryptFileMeta(keys.reportKey, c.id, a.id, fromBase64Url(a.meta));
    const fileKey = unwrapFileKey(keys.reportKey, c.id, a.id, fromBase64Url(a.fileKey));
    const response = await client.raw(`/api/staff/cases/${c.id}/attachments/${a.id}`);
    const decryptor = new AttachmentDecryptor(fileKey, { reportId: c.id, attachmentId: a.id });
    // Decrypted as it streams in; the plaintext is needed whole anyway, for its digest and the ZIP.
    const chunks: Uint8Array[] = [];
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(...decryptor.push(value.slice()));
    }
    chunks.push(...decryptor.finish());
    out.push({ name: meta.name, bytes: concatBytes(...chunks) });
  }
  return out;
}

/**
 * Exports the case: decrypts the chosen files, asks the portal to record the export and certify this
 * investigator's signing key, then builds and signs the ZIP. Nothing of the content leaves the browser.
 */
export async function exportStaffCase(input: {
  client: StaffClient;
  c: StaffCaseView;
  keys: ReportKeys;
  staffSecretKey: StaffSecretKey;
  shown: ShownCase;
  parts: ExportPart[];
  words: ExportWords;
  extras: ExportExtras;
  /** Tests pass the font's bytes; the page fetches it. */
  font?: Uint8Array;
}): Promise<BuiltExport> {
  const { client, c, keys, words } = input;
  const t = words.t;
  const parts = new Set(input.parts.filter((p) => p !== "identity" || input.shown.identity));
  const font = input.font ?? (await loadExportFont());
  const files = parts.has("files") ? await decryptedFiles(client, c, keys) : [];
  const signer = exportSigningKeyPair(input.staffSecretKey);
  try {
    const { certificate } = await client.caseOp<{ certificate: ExportCertificate }>(c.id, "export", {
      parts: [...parts],
      signingKey: toBase64Url(signer.publicKey),
    });
    const document: ExportDocument = {
      kind: "investigator",
      caseNumber: c.caseNumber,
      language: words.locale,
      createdAt: certificate.issuedAt,
      title: t("export.pdf.title", { case: c.caseNumber }),
      subtitle: [
        t("export.pdf.by", { name: certificate.displayName, when: words.when(certificate.issuedAt) }),
        t("export.pdf.position", { seq: certificate.audit.seq, hash: certificate.audit.hash.slice(0, 16) }),
        t("export.pdf.check"),
      ],
      footer: t("export.pdf.footer", { case: c.caseNumber, id: certificate.exportId }),
      // The parts the portal recorded and certified: the manifest must list exactly these.
      sections: staffExportSections(
        c,
        input.shown,
        new Set(certificate.parts),
        words,
        input.extras,
        files.map((f) => ({ name: f.name, size: f.bytes.length })),
      ),
    };
    return await buildExportZip({
      document,
      exportId: certificate.exportId,
      files,
      font,
      certificate,
      sign: (manifest) => signManifest(manifest, signer),
    });
  } finally {
    signer.privateKey.fill(0);
  }
}
