import { useRouteLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { translator, type Locale, type Translate } from ".";

export interface I18n {
  locale: Locale;
  /** The configured deadlines, for the texts that promise them. */
  deadlines: { ackDays: number; feedbackMonths: number; retentionYears: number };
  t: Translate;
  /** An internal link that keeps the chosen language. */
  href(path: string): string;
}

export function useI18n(): I18n {
  const data = useRouteLoaderData<{ locale: Locale; deadlines?: { ackDays: number; feedbackMonths: number; retentionYears: number } }>("root");
  const locale = data?.locale ?? "en";
  const deadlines = data?.deadlines ?? { ackDays: 7, feedbackMonths: 3, retentionYears: 3 };
  return useMemo(
    () => ({
      locale,
      deadlines,
      t: translator(locale),
      href: (path: string) => `${path}${path.includes("?") ? "&" : "?"}lang=${locale}`,
    }),
    [locale, deadlines],
  );
}
