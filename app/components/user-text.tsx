// Showing text that users typed (report titles and contents, file names, messages, notes, labels, feedback,
// display and category names). React already escapes it; this keeps it from changing how the page around it,
// or the text itself, reads:
//
// 1. Isolation. Every piece of user text is a <bdi> (unicode-bidi: isolate): whatever direction its letters or
//    controls take, it cannot reorder the labels, numbers and punctuation next to it ("Download {name}", a table
//    cell, "name · date"). Prose is isolated line by line, each line taking its direction from its first letter
//    (dir="auto"), so an Arabic or Hebrew line reads right to left without pulling the next line with it.
// 2. Controls made visible. The characters listed in text-controls.ts (the list safeFileName uses) are shown as a
//    marker such as "‹U+202E›" instead of acting: in names and identifiers all of them, in prose the explicit
//    embeddings, overrides and isolates (the implicit marks LRM/RLM/ALM and line breaks and tabs keep working there,
//    as writers of right-to-left scripts use the marks, and a line is isolated anyway).
//
// Why "‹U+202E›": the Unicode control pictures (U+2400…) have no pictures for the bidirectional controls, and the
// usual abbreviations would mislead exactly where the attack aims (POP DIRECTIONAL FORMATTING is "PDF", next to a
// file extension). A code point reads the same to Korean and English investigators, can be looked up, and is made of
// left-to-right letters and digits, so it does not itself reorder; the single guillemets are rare in names and are
// not "<"/">", which people do type. Rendered, each marker is a highlighted <abbr> whose title explains it (in the
// page's language), so a marker typed as plain text by the sender does not look like a real one.
import { Fragment, type ReactElement, type ReactNode } from "react";
import type { Translate } from "../i18n";
import { useI18n } from "../i18n/react";
import { controlAt, controlClass, type ControlKind, type ControlRange } from "./text-controls";

/**
 * - `name`: one line of text: titles, display names, category names, labels (direction from the first letter);
 * - `identifier`: one line read left to right whatever its letters: file names (so the extension is always at the
 *   right end, where an investigator looks for it), e-mail addresses, phone numbers;
 * - `prose`: descriptions, messages, notes, requests, answers, feedback, summaries (line by line).
 */
export type UserTextKind = "name" | "identifier" | "prose";

const ALL: readonly ControlKind[] = ["bidi-explicit", "bidi-mark", "invisible"];
const SHOWN: Record<UserTextKind, readonly ControlKind[]> = { name: ALL, identifier: ALL, prose: ["bidi-explicit"] };
const PATTERN: Record<UserTextKind, RegExp> = {
  name: new RegExp(`[${controlClass(SHOWN.name)}]`, "g"),
  identifier: new RegExp(`[${controlClass(SHOWN.identifier)}]`, "g"),
  prose: new RegExp(`[${controlClass(SHOWN.prose)}]`, "g"),
};

/** The visible stand-in for a control character: "‹U+202E›". */
export function controlMarker(codePoint: number): string {
  return `\u2039U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}\u203A`;
}

/** The text with the controls its kind shows replaced by markers: for places that take only a string (an <option>). */
export function showControls(text: string, kind: UserTextKind = "name"): string {
  return text.replace(PATTERN[kind], (c) => controlMarker(c.codePointAt(0)!));
}

export type Segment = { text: string } | { codePoint: number; control: ControlRange };

/** The text split into runs of plain text and the controls to show. */
export function segments(text: string, kind: UserTextKind): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(PATTERN[kind])) {
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    const codePoint = m[0].codePointAt(0)!;
    out.push({ codePoint, control: controlAt(codePoint)! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function Runs(props: { text: string; kind: UserTextKind; t: Translate }): ReactElement {
  return (
    <>
      {segments(props.text, props.kind).map((s, i) =>
        "text" in s ? (
          <Fragment key={i}>{s.text}</Fragment>
        ) : (
          <abbr
            key={i}
            className="text-control"
            dir="ltr"
            title={props.t(s.control.kind === "invisible" ? "usertext.invisible" : "usertext.direction", {
              code: controlMarker(s.codePoint).slice(1, -1),
              name: s.control.name,
            })}
          >
            {controlMarker(s.codePoint)}
          </abbr>
        ),
      )}
    </>
  );
}

export interface UserTextProps {
  text: string | null | undefined;
  kind?: UserTextKind;
  /** Shown (as it is) when there is no text, e.g. "—" or "cannot be decrypted". */
  fallback?: ReactNode;
}

/** The rendering of <UserText>, with the translator passed in (usable outside a Remix route, e.g. in tests). */
export function renderUserText({ text, kind = "name", fallback = null }: UserTextProps, t: Translate): ReactNode {
  if (text === null || text === undefined) return fallback;
  if (kind !== "prose") {
    return (
      <bdi className="user-text" dir={kind === "identifier" ? "ltr" : "auto"}>
        <Runs text={text} kind={kind} t={t} />
      </bdi>
    );
  }
  return (
    <>
      {text.split("\n").map((line, i) => (
        <Fragment key={i}>
          {i > 0 ? "\n" : null}
          <bdi className="user-text" dir="auto">
            <Runs text={line} kind="prose" t={t} />
          </bdi>
        </Fragment>
      ))}
    </>
  );
}

/** User text, isolated from the page and with its direction controls shown instead of applied (see above). */
export function UserText(props: UserTextProps) {
  const { t } = useI18n();
  return <>{renderUserText(props, t)}</>;
}
