// How a code a person typed (a receipt code, a staff recovery key) is read before its symbols
// are checked: one explicit list of characters, stated the same way in docs/CRYPTO.md §2.1, so
// that no implementation depends on a language's idea of upper case or of white space.
// Pure (no libsodium): pages check a typed code before the crypto library has loaded.

/** The 25 white-space code points removed from a typed code: ECMAScript's `\s` (U+FEFF is one; U+0085 and U+200B are not). */
export const TYPED_CODE_SPACES =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
/** The hyphens and dashes removed from a typed code: U+002D, U+2010 to U+2015, U+2212. */
export const TYPED_CODE_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212";

const escape = (chars: string) => [...chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
// Regular expressions rather than a loop per code point: a megabyte pasted into the field is read in milliseconds.
const FULL_WIDTH = /[\uff01-\uff5e]/g;
const REMOVED = new RegExp(`[${escape(TYPED_CODE_SPACES + TYPED_CODE_DASHES)}]`, "g");

/**
 * Per code point, in this order: a full-width form U+FF01..U+FF5E becomes its ASCII character
 * (U+0021..U+007E; a Korean input method in full-width mode types these), ASCII a..z becomes A..Z,
 * white space and dashes are removed, and O, I, L read as 0, 1, 1. Nothing else changes: any other
 * character stays and is refused by the caller as outside the alphabet.
 */
export function normalizeTypedCode(input: string): string {
  return input
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[a-z]+/g, (run) => run.toUpperCase()) // ASCII only: no other letter changes case
    .replace(REMOVED, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}
