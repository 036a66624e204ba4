import { useRouteLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { translator, type Locale, type Translate } from ".";

export interface I18n {
  locale: Locale;
  t: Translate;
  /** An internal link that keeps the chosen language. */
  href(path: string): string;
}

export function useI18n(): I18n {
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  const locale = data?.locale ?? "en";
  return useMemo(
    () => ({
      locale,
      t: translator(locale),
      href: (path: string) => `${path}${path.includes("?") ? "&" : "?"}lang=${locale}`,
    }),
    [locale],
  );
}
