// The export's PDF (ADR 054), drawn with pdf-lib in the browser that exports (or in Node for the
// tests). Text goes in as given: the caller passes the case as its page shows it, so whatever the
// page masks stays masked here. One font that covers Hangul and Latin (Noto Sans KR, embedded as a
// subset of the glyphs used) so that Korean and English both render and extract as text.
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import type { ExportDocument } from "./document";

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const BODY = 10.5;
const LABEL = 9;
const HEADING = 14;
const TITLE = 18;
const LEADING = 1.45;
const GREY = rgb(0.35, 0.35, 0.35);

/**
 * What the page may draw of a text: line breaks kept, tabs as spaces; other controls, bidirectional
 * overrides and isolates (which a PDF does not interpret, and which would render as boxes) dropped.
 */
export function drawableText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "    ")
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "");
}

class Layout {
  private page!: PDFPage;
  private y = 0;
  private readonly widths = new Map<string, number>();
  readonly pages: PDFPage[] = [];

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
  ) {
    this.newPage();
  }

  private newPage() {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
  }

  private width(text: string, size: number): number {
    let w = 0;
    for (const ch of text) {
      let cw = this.widths.get(ch);
      if (cw === undefined) {
        cw = this.font.widthOfTextAtSize(ch, 1);
        this.widths.set(ch, cw);
      }
      w += cw;
    }
    return w * size;
  }

  /** Greedy line breaking at spaces, and inside a word (Korean runs, long addresses) when it alone is too wide. */
  private wrap(paragraph: string, size: number, max: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of paragraph.split(/(?<= )/)) {
      if (this.width(line + word, size) <= max) {
        line += word;
        continue;
      }
      if (line) lines.push(line.trimEnd());
      line = "";
      for (const ch of word) {
        if (this.width(line + ch, size) > max && line) {
          lines.push(line);
          line = "";
        }
        line += ch;
      }
    }
    lines.push(line.trimEnd());
    return lines;
  }

  gap(points: number) {
    this.y -= points;
  }

  text(text: string, size: number, opts: { color?: ReturnType<typeof rgb>; indent?: number } = {}) {
    const indent = opts.indent ?? 0;
    const max = A4[0] - 2 * MARGIN - indent;
    for (const paragraph of drawableText(text).split("\n")) {
      for (const line of this.wrap(paragraph, size, max)) {
        if (this.y - size * LEADING < MARGIN) this.newPage();
        this.y -= size * LEADING;
        if (line) this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font: this.font, color: opts.color ?? rgb(0, 0, 0) });
      }
    }
  }

  /** Keeps a heading with at least a few lines of what follows it. */
  heading(text: string) {
    if (this.y - HEADING * LEADING * 4 < MARGIN) this.newPage();
    this.gap(HEADING * 0.6);
    this.text(text, HEADING);
    this.gap(2);
    this.page.drawLine({ start: { x: MARGIN, y: this.y - 3 }, end: { x: A4[0] - MARGIN, y: this.y - 3 }, thickness: 0.5, color: GREY });
    this.gap(6);
  }
}

/** The PDF of an export's document, the font embedded as a subset. */
export async function renderExportPdf(d: ExportDocument, fontBytes: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fontBytes, { subset: true });
  doc.setTitle(drawableText(d.title), { showInWindowTitleBar: true });
  doc.setLanguage(d.language === "ko" ? "ko-KR" : "en");
  doc.setProducer("Clean OKESTRO Report");
  doc.setCreator("Clean OKESTRO Report");
  doc.setCreationDate(new Date(d.createdAt));
  doc.setModificationDate(new Date(d.createdAt));

  const l = new Layout(doc, font);
  l.text(d.title, TITLE);
  l.gap(4);
  for (const line of d.subtitle) l.text(line, LABEL, { color: GREY });
  for (const section of d.sections) {
    l.heading(section.heading);
    if (section.blocks.length === 0 && section.empty) l.text(section.empty, BODY, { color: GREY });
    for (const block of section.blocks) {
      if (block.label) l.text(block.label, LABEL, { color: GREY });
      l.text(block.text, BODY, { indent: block.label ? 8 : 0 });
      l.gap(5);
    }
  }
  const total = l.pages.length;
  l.pages.forEach((p, i) => {
    const footer = `${d.footer} · ${i + 1} / ${total}`;
    p.drawText(drawableText(footer), { x: MARGIN, y: MARGIN / 2, size: 8, font, color: GREY });
  });
  return doc.save({ useObjectStreams: true });
}
