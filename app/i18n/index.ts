// Message catalogs and locale choice. Korean for browsers that prefer Korean,
// English otherwise; `?lang=ko|en` overrides (no cookie: the reporter side sets none).
import { en, type MessageKey } from "./en";
import { ko } from "./ko";

export type Locale = "ko" | "en";
export const LOCALES: readonly Locale[] = ["ko", "en"];
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ko };

export function isLocale(value: unknown): value is Locale {
  return value === "ko" || value === "en";
}

/** Picks the locale from `?lang=` or the Accept-Language header. */
export function resolveLocale(request: Request): Locale {
  const param = new URL(request.url).searchParams.get("lang");
  if (isLocale(param)) return param;
  const header = request.headers.get("Accept-Language") ?? "";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.tag && Number.isFinite(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag.startsWith("ko") ? "ko" : "en";
}

/** Whether the catalogs hold `key` (for keys made from data, such as an audit entry's action). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => {
    const text = catalog[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

/** The refusals of upload space (ADR 031), each explained to the uploader. */
const UPLOAD_REFUSALS = ["storage_low", "uploads_busy", "too_many_open_uploads", "upload_quota_exceeded"] as const;

export function isUploadRefusal(code: string | undefined): code is (typeof UPLOAD_REFUSALS)[number] {
  return (UPLOAD_REFUSALS as readonly (string | undefined)[]).includes(code);
}

/**
 * Why a reporter's request failed, for "…: {reason}": the connection, the portal briefly unavailable (503
 * `unavailable`, after the client's own retries), or the server's refusal code.
 */
export function failureReason(t: Translate, code: string | undefined): string {
  if (code === "network") return t("report.errors.network");
  if (isUploadRefusal(code)) return t(`upload.errors.${code}`);
  if (code === "unavailable") return t("report.errors.unavailable");
  if (code === "upload_worker_failed") return t("upload.errors.upload_worker_failed"); // the upload worker died (ADR 041)
  return t("report.errors.server", { code: code ?? "unknown" });
}

/** Byte sizes in the reader's language. */
export function formatBytes(bytes: number, locale: Locale): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const n = new Intl.NumberFormat(locale === "ko" ? "ko-KR" : "en-US", { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v);
  return `${n} ${units[u]}`;
}

export { formatDateTime, formatDay } from "./dates";
