// Route-level `<meta name="description">` in the page's language (the root loader's locale): what search
// results and link previews show. Every reporter page declares one (Lighthouse's SEO audit, issue 18).
import type { MetaFunction } from "@remix-run/node";
import { translator, type Locale, type MessageKey } from ".";

export function describedAs(key: MessageKey): MetaFunction {
  return ({ matches }) => {
    const root = matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined;
    return [{ name: "description", content: translator(root?.locale ?? "en")(key) }];
  };
}
