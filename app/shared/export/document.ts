// What an export's PDF shows: sections of labelled texts, already in the reader's language and
// already as the case page shows them (masked passages as their markers). Built by the staff case
// page (app/staff/case-export.ts) and the reporter's follow-up page (app/reporter/access-export.ts);
// drawn by ./pdf.ts. Nothing here decrypts or reads raw records.
import type { ExportKind, ExportPart } from "../../../crypto/export";

export interface ExportBlock {
  /** A small grey line above the text (who wrote it, when), or none. */
  label?: string;
  text: string;
}

export interface ExportSection {
  part: ExportPart;
  heading: string;
  blocks: ExportBlock[];
  /** Said when there are no blocks. */
  empty?: string;
}

export interface ExportDocument {
  kind: ExportKind;
  caseNumber: string;
  language: "ko" | "en";
  createdAt: string;
  title: string;
  subtitle: string[];
  footer: string;
  sections: ExportSection[];
}

/** A file to put in the ZIP, decrypted: its name as the sender gave it, and its bytes. */
export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}
