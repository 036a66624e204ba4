// The page shown while the database cannot be reached (db/unavailable.ts): plain
// HTML, no React, no scripts, no styles, in the reader's language. Used by
// entry.server (loaders) and by the Express error handler (anything else).
import { translator, type Locale } from "../../i18n";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function unavailablePageHtml(locale: Locale): string {
  const t = translator(locale);
  const title = escapeHtml(t("unavailable.title"));
  return (
    `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(t("unavailable.text"))}</p></body></html>`
  );
}
