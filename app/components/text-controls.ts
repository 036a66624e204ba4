// Characters in user-supplied text that act on the text around them instead of showing as themselves. One list,
// used when a decrypted file is saved (`safeFileName` in save-file.ts replaces them) and when user text is shown
// (`user-text.tsx` shows them as visible markers). No dependencies: reporter, staff and server code import it.

/**
 * - `bidi-explicit`: the explicit formatting characters of the Unicode bidirectional algorithm (UAX #9):
 *   embeddings, overrides, isolates and the characters that end them. An override reverses the letters after it
 *   ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"); an embedding or isolate reorders the words after it.
 * - `bidi-mark`: the implicit marks (LRM, RLM, ALM). They act like an invisible letter of their direction: they can
 *   move punctuation and numbers and, between words, reorder the words of a line, but no more than a visible
 *   right-to-left letter could. Writers of Arabic and Hebrew use them to place punctuation.
 * - `invisible`: C0 controls, DEL, C1 controls, the line and paragraph separators and the byte-order mark.
 */
export type ControlKind = "bidi-explicit" | "bidi-mark" | "invisible";

export interface ControlRange {
  readonly from: number;
  readonly to: number;
  readonly kind: ControlKind;
  /** The Unicode name (or, for a range, what it is), shown in the marker's explanation. */
  readonly name: string;
}

export const CONTROL_RANGES: readonly ControlRange[] = [
  { from: 0x0000, to: 0x001f, kind: "invisible", name: "C0 CONTROL" },
  { from: 0x007f, to: 0x009f, kind: "invisible", name: "DELETE / C1 CONTROL" },
  { from: 0x061c, to: 0x061c, kind: "bidi-mark", name: "ARABIC LETTER MARK" },
  { from: 0x200e, to: 0x200e, kind: "bidi-mark", name: "LEFT-TO-RIGHT MARK" },
  { from: 0x200f, to: 0x200f, kind: "bidi-mark", name: "RIGHT-TO-LEFT MARK" },
  { from: 0x2028, to: 0x2028, kind: "invisible", name: "LINE SEPARATOR" },
  { from: 0x2029, to: 0x2029, kind: "invisible", name: "PARAGRAPH SEPARATOR" },
  { from: 0x202a, to: 0x202a, kind: "bidi-explicit", name: "LEFT-TO-RIGHT EMBEDDING" },
  { from: 0x202b, to: 0x202b, kind: "bidi-explicit", name: "RIGHT-TO-LEFT EMBEDDING" },
  { from: 0x202c, to: 0x202c, kind: "bidi-explicit", name: "POP DIRECTIONAL FORMATTING" },
  { from: 0x202d, to: 0x202d, kind: "bidi-explicit", name: "LEFT-TO-RIGHT OVERRIDE" },
  { from: 0x202e, to: 0x202e, kind: "bidi-explicit", name: "RIGHT-TO-LEFT OVERRIDE" },
  { from: 0x2066, to: 0x2066, kind: "bidi-explicit", name: "LEFT-TO-RIGHT ISOLATE" },
  { from: 0x2067, to: 0x2067, kind: "bidi-explicit", name: "RIGHT-TO-LEFT ISOLATE" },
  { from: 0x2068, to: 0x2068, kind: "bidi-explicit", name: "FIRST STRONG ISOLATE" },
  { from: 0x2069, to: 0x2069, kind: "bidi-explicit", name: "POP DIRECTIONAL ISOLATE" },
  { from: 0xfeff, to: 0xfeff, kind: "invisible", name: "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)" },
];

/** The entry a code point falls in, if it is a listed control. */
export function controlAt(codePoint: number): ControlRange | undefined {
  return CONTROL_RANGES.find((r) => codePoint >= r.from && codePoint <= r.to);
}

const u = (cp: number) => `\\u${cp.toString(16).padStart(4, "0")}`;

/** The body of a regular-expression character class matching the controls of the given kinds (all by default). */
export function controlClass(kinds: readonly ControlKind[] = ["bidi-explicit", "bidi-mark", "invisible"]): string {
  return CONTROL_RANGES.filter((r) => kinds.includes(r.kind))
    .map((r) => (r.from === r.to ? u(r.from) : `${u(r.from)}-${u(r.to)}`))
    .join("");
}
