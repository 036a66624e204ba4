// The display helper for user text (app/components/user-text.tsx) and the one list of control characters it
// shares with safeFileName (app/components/text-controls.ts). The component is rendered with React's own server
// renderer and the real translator.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { safeFileName } from "../../app/components/save-file";
import { CONTROL_RANGES, controlAt } from "../../app/components/text-controls";
import { controlMarker, renderUserText, segments, showControls, type UserTextKind } from "../../app/components/user-text";
import { interpolate } from "../../app/i18n/react";
import { translator } from "../../app/i18n";

/** Written out here, independently of the list: what must count as a control. */
const BIDI_EXPLICIT = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const BIDI_MARKS = [0x061c, 0x200e, 0x200f];
const INVISIBLE = [...range(0x00, 0x1f), ...range(0x7f, 0x9f), 0x2028, 0x2029, 0xfeff];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const html = (text: string | null, kind?: UserTextKind, locale: "en" | "ko" = "en") =>
  renderToStaticMarkup(createElement("div", null, renderUserText({ text, kind, fallback: "—" }, translator(locale))));
/** What a browser would give as textContent for simple markup (entities decoded, tags dropped). */
const textOf = (markup: string) =>
  markup.replace(/<[^>]*>/g, "").replace(/&(lt|gt|quot|#x27|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#x27": "'", amp: "&" })[e]!);

describe("the list of control characters (text-controls.ts)", () => {
  it("holds exactly the bidirectional controls, marks and invisible controls, and nothing else in the BMP", () => {
    const listed = new Map<number, string>();
    for (let cp = 0; cp <= 0xffff; cp++) {
      const c = controlAt(cp);
      if (c) listed.set(cp, c.kind);
    }
    const want = new Map<number, string>([
      ...BIDI_EXPLICIT.map((c) => [c, "bidi-explicit"] as const),
      ...BIDI_MARKS.map((c) => [c, "bidi-mark"] as const),
      ...INVISIBLE.map((c) => [c, "invisible"] as const),
    ]);
    expect([...listed].sort((a, b) => a[0] - b[0])).toEqual([...want].sort((a, b) => a[0] - b[0]));
    expect(CONTROL_RANGES.every((r) => r.name.length > 0 && r.from <= r.to)).toBe(true);
  });

  it("is what safeFileName replaces (with the path separators), and what names show as markers", () => {
    const replaced: number[] = [];
    const marked: number[] = [];
    const listed: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (controlAt(cp)) listed.push(cp);
      if (safeFileName(`a${ch}b`) !== `a${ch}b`) replaced.push(cp);
      if (showControls(`a${ch}b`) === `a${controlMarker(cp)}b`) marked.push(cp);
    }
    expect(replaced).toEqual([...listed, 0x2f, 0x5c].sort((a, b) => a - b));
    expect(marked).toEqual(listed);
  });
});

describe("showing user text (user-text.tsx)", () => {
  it("spells a control as its code point between single guillemets", () => {
    expect(controlMarker(0x202e)).toBe("‹U+202E›");
    expect(controlMarker(0x61c)).toBe("‹U+061C›");
    expect(controlMarker(0x7)).toBe("‹U+0007›");
  });

  it("shows every control in a file name, so the extension reads as it is", () => {
    expect(showControls("invoice\u202Efdp.exe", "identifier")).toBe("invoice‹U+202E›fdp.exe");
    expect(showControls("a\u2066b\u2069\u200e\u200f\u061c\u0007\n\ufeff.txt", "identifier")).toBe(
      "a‹U+2066›b‹U+2069›‹U+200E›‹U+200F›‹U+061C›‹U+0007›‹U+000A›‹U+FEFF›.txt",
    );
    expect(showControls("Lee\u200F")).toBe("Lee‹U+200F›");
  });

  it("leaves ordinary text, Korean and right-to-left scripts as they are", () => {
    for (const text of ["보고서 2024.pdf", "محمد علي", "דוח כספי.pdf", "zero\u200Bwidth", "emoji 👩‍💻 (ZWJ)", "‹U+202E› typed by hand", "<b>&amp;</b>"]) {
      for (const kind of ["name", "identifier", "prose"] as const) expect(showControls(text, kind)).toBe(text);
    }
  });

  it("in prose shows embeddings, overrides and isolates, and keeps marks, line breaks and tabs working", () => {
    expect(showControls("Pay \u202E1234 5678\u202C now\n\u200Fשלום, world\tend\u2067x\u2069", "prose")).toBe(
      "Pay ‹U+202E›1234 5678‹U+202C› now\n\u200Fשלום, world\tend‹U+2067›x‹U+2069›",
    );
  });

  it("splits text into plain runs and controls with their names", () => {
    expect(segments("a\u202Eb", "name")).toEqual([
      { text: "a" },
      { codePoint: 0x202e, control: expect.objectContaining({ name: "RIGHT-TO-LEFT OVERRIDE", kind: "bidi-explicit" }) },
      { text: "b" },
    ]);
    expect(segments("\u202E", "identifier")).toEqual([{ codePoint: 0x202e, control: expect.objectContaining({ kind: "bidi-explicit" }) }]);
    expect(segments("", "name")).toEqual([]);
  });

  it("renders a name as one isolate with its direction from its first letter, each control as an explained marker", () => {
    expect(html("Lee")).toBe('<div><bdi class="user-text" dir="auto">Lee</bdi></div>');
    const out = html("invoice\u202Efdp.exe");
    expect(out).toBe(
      '<div><bdi class="user-text" dir="auto">invoice<abbr class="text-control" dir="ltr" title="Hidden text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE), shown here instead of applied: it could make the text read differently from what it is.">‹U+202E›</abbr>fdp.exe</bdi></div>',
    );
    expect(textOf(out)).toBe("invoice‹U+202E›fdp.exe");
    expect(out).not.toContain("\u202E");
  });

  it("renders a file name left to right, so its end (the extension) is at the right", () => {
    expect(html("تقرير.exe", "identifier")).toBe('<div><bdi class="user-text" dir="ltr">تقرير.exe</bdi></div>');
    expect(html("x\u0007.txt", "identifier")).toContain('title="Invisible control character U+0007 (C0 CONTROL), shown here instead of applied."');
  });

  it("explains the markers in Korean on Korean pages", () => {
    expect(html("a\u2067b", "name", "ko")).toContain('title="숨은 텍스트 방향 제어 문자 U+2067(RIGHT-TO-LEFT ISOLATE)입니다.');
  });

  it("renders prose as one isolate per line, keeping the text (and marks) exactly, the overrides as markers", () => {
    const text = "first \u202Eline\nمرحبا\u200F!\n\nlast";
    const out = html(text, "prose");
    expect(out.match(/<bdi class="user-text" dir="auto">/g)).toHaveLength(4);
    expect(textOf(out)).toBe("first ‹U+202E›line\nمرحبا\u200F!\n\nlast");
    expect(out).not.toContain("\u202E");
  });

  it("escapes markup as text, and shows the fallback when there is no text", () => {
    expect(html('<img src=x onerror="window.__xss=1">')).toBe(
      '<div><bdi class="user-text" dir="auto">&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;</bdi></div>',
    );
    expect(html(null)).toBe("<div>—</div>");
    expect(html("")).toBe('<div><bdi class="user-text" dir="auto"></bdi></div>');
  });
});

describe("messages with React nodes for parameters (interpolate)", () => {
  it("puts user text into a translated message as an isolate, in either word order", () => {
    const name = renderUserText({ text: "x\u202Efdp.exe", kind: "identifier" }, translator("en"));
    const render = (template: string) => renderToStaticMarkup(createElement("p", null, interpolate(template, { name })));
    expect(textOf(render(translator("en")("staff.case.download")))).toBe("Download x‹U+202E›fdp.exe");
    expect(textOf(render(translator("ko")("staff.case.download")))).toBe("x‹U+202E›fdp.exe 내려받기");
    expect(render("{name} and {other}")).toMatch(/^<p><bdi class="user-text" dir="ltr">.*<\/bdi> and \{other\}<\/p>$/);
  });
});
