// The Express error handler's answer while the database cannot be reached
// (db/unavailable.ts): 503 with Retry-After, JSON under /api/, else the plain
// page. Inside Remix, handleApi and entry.server answer such errors themselves;
// this covers whatever reaches Express (an Express route passing its error on).
import type express from "express";
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from "../db/unavailable";
import { describeError, type Logger } from "../app/.server/platform/log";
import { unavailablePageHtml } from "../app/.server/platform/unavailable";
import { resolveLocale } from "../app/i18n";

/** Answers (or, with headers already sent, only logs) a database outage; false for any other error. */
export function answerUnavailable(error: unknown, req: express.Request, res: express.Response, log: Logger): boolean {
  if (!isDatabaseUnavailable(error)) return false;
  log.error("database unavailable", describeError(error));
  if (res.headersSent) return true;
  res.status(503).set({ "Cache-Control": "no-store", "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
  if (req.path.startsWith("/api/")) {
    res.json({ error: { code: "unavailable", message: "the service is briefly unavailable; try again in a few seconds" } });
  } else {
    const lang = typeof req.query.lang === "string" ? req.query.lang : "";
    const locale = resolveLocale(
      new Request(`http://portal/?lang=${encodeURIComponent(lang)}`, { headers: { "Accept-Language": req.get("Accept-Language") ?? "" } }),
    );
    res.type("html").send(unavailablePageHtml(locale));
  }
  return true;
}
