import { useRouteLoaderData } from "@remix-run/react";
import { Fragment, useMemo, type ReactNode } from "react";
import { formatDateTime, formatDay, translator, type Locale, type MessageKey, type Translate } from ".";

export interface I18n {
  locale: Locale;
  /** The configured deadlines, for the texts that promise them. */
  deadlines: { ackDays: number; feedbackMonths: number; retentionYears: number };
  t: Translate;
  /** A message with React nodes for its parameters (user text as <UserText>, which a string cannot hold). */
  tx(key: MessageKey, params: Record<string, ReactNode>): ReactNode;
  /** An internal link that keeps the chosen language. */
  href(path: string): string;
  /** A calendar day (YYYY-MM-DD) in the reader's language, or `none` (a dash unless given) when there is none. */
  day(d: string | null | undefined, none?: string): string;
  /** The portal's TIME_ZONE (IANA name), in which `when` writes times. */
  timeZone: string;
  /** An instant (ISO 8601) as day, time and UTC offset in the portal's time zone (./dates.ts), or `none`. */
  when(iso: string | null | undefined, none?: string): string;
}

// One object, so that a page without the root loader's deadlines keeps a stable useMemo.
const DEFAULT_DEADLINES: I18n["deadlines"] = { ackDays: 7, feedbackMonths: 3, retentionYears: 3 };

export function useI18n(): I18n {
  const data = useRouteLoaderData<{ locale: Locale; timeZone?: string; deadlines?: { ackDays: number; feedbackMonths: number; retentionYears: number } }>(
    "root",
  );
  const locale = data?.locale ?? "en";
  const deadlines = data?.deadlines ?? DEFAULT_DEADLINES;
  const timeZone = data?.timeZone ?? "UTC";
  return useMemo(
    () => ({
      locale,
      deadlines,
      t: translator(locale),
      tx: (key: MessageKey, params: Record<string, ReactNode>) => interpolate(translator(locale)(key), params),
      href: (path: string) => `${path}${path.includes("?") ? "&" : "?"}lang=${locale}`,
      day: (d: string | null | undefined, none = "—") => (d ? formatDay(d, locale) : none),
      timeZone,
      when: (iso: string | null | undefined, none = "—") => (iso ? formatDateTime(iso, locale, timeZone) : none),
    }),
    [locale, deadlines, timeZone],
  );
}

/** Fills "{name}" placeholders in a message with React nodes; unknown placeholders stay as they are. */
export function interpolate(template: string, params: Record<string, ReactNode>): ReactNode {
  return template.split(/\{(\w+)\}/).map((part, i) => (i % 2 === 0 ? part : <Fragment key={i}>{part in params ? params[part] : `{${part}}`}</Fragment>));
}
