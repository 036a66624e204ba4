// The document every audience shares: `<html lang>` from the root loader's
// locale (`?lang=ko|en`, else Korean when the top `Accept-Language` tag starts
// with `ko`, else English; no cookie, ADR 006), the language switch (keeps the
// rest of the query), footer links to `/privacy` and the staff sign-in, the CSP
// nonce on `<Scripts>`. No `<ScrollRestoration>`: it writes `sessionStorage`
// (ADR 006). The loader also hands the configured deadlines to the pages, so
// they promise what the portal enforces, and the time zone staff pages write times in.
// Staff, affiliate and administration pages (by path, so their error pages too) get no
// reporter navigation: their own header (app/components/staff-header.tsx) leads around.
// A route's `handle.title` (a catalog key) names the page in `<title>`.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Link, Links, Meta, Outlet, Scripts, useLocation, useMatches, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { isMessageKey, resolveLocale, translator, type Locale } from "./i18n";
import { useI18n } from "./i18n/react";
import { useNonce } from "./nonce";
import styles from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const config = context.services?.config;
  // The deadlines the pages promise are the configured ones.
  return {
    locale: resolveLocale(request),
    // Staff pages write times in the portal's zone, with its offset (app/i18n/dates.ts).
    timeZone: config?.TIME_ZONE ?? "UTC",
    deadlines: { ackDays: config?.ACK_DEADLINE_DAYS ?? 7, feedbackMonths: config?.FEEDBACK_DEADLINE_MONTHS ?? 3, retentionYears: config?.RETENTION_YEARS ?? 3 },
  };
}

function LanguageSwitch() {
  const { locale, t } = useI18n();
  const location = useLocation();
  const other: Locale = locale === "ko" ? "en" : "ko";
  const params = new URLSearchParams(location.search);
  params.set("lang", other);
  return (
    <Link className="lang-switch" to={`${location.pathname}?${params}`} hrefLang={other} lang={other}>
      <span className="visually-hidden">{t("lang.label")}: </span>
      {t("lang.switchTo")}
    </Link>
  );
}

/** Paths of the staff, affiliate and administration pages. */
const STAFF_AREA = /^\/(staff|affiliate|admin)(\/|$)/;

/** A route's page title: `export const handle = { title: "catalog.key" }`. */
export interface TitledHandle {
  title?: string;
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data?.locale ?? "en";
  const t = translator(locale);
  const staffArea = STAFF_AREA.test(useLocation().pathname);
  const titleKey = useMatches()
    .map((m) => (m.handle as TitledHandle | undefined)?.title)
    .filter((k): k is string => typeof k === "string")
    .pop();
  const title = titleKey && isMessageKey(titleKey) ? `${t(titleKey)} · ${t("app.name")}` : t("app.name");
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{title}</title>
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t("nav.skip")}
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            {staffArea ? (
              <div className="brand">
                <span className="brand__name">{t("app.name")}</span>
                <span className="brand__subtitle">{t("app.subtitle")}</span>
              </div>
            ) : (
              <Link to={`/?lang=${locale}`} className="brand">
                <span className="brand__name">{t("app.name")}</span>
                <span className="brand__subtitle">{t("app.subtitle")}</span>
              </Link>
            )}
            <nav aria-label={t("nav.label")}>
              <ul className="nav-list">
                {staffArea ? null : (
                  <>
                    <li>
                      <Link to={`/report?lang=${locale}`}>{t("nav.report")}</Link>
                    </li>
                    <li>
                      <Link to={`/status?lang=${locale}`}>{t("nav.followup")}</Link>
                    </li>
                  </>
                )}
                <li>{data ? <LanguageSwitch /> : null}</li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>
            {t("footer.noTracking")} <Link to={`/privacy?lang=${locale}`}>{t("footer.privacy")}</Link>
            {staffArea ? null : (
              <>
                {" "}
                · <Link to={`/staff/login?lang=${locale}`}>{t("footer.staff")}</Link>
              </>
            )}
          </p>
        </footer>
        {/* No <ScrollRestoration>: it keeps positions in sessionStorage, and reporter pages store nothing. */}
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t, href } = useI18n();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="page">
      <h1>{t("error.title")}</h1>
      <p>{notFound ? t("error.notFound") : t("error.generic")}</p>
      <p>
        <Link to={href("/")}>{t("error.backHome")}</Link>
      </p>
    </div>
  );
}
