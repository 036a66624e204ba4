// The document every audience shares: `<html lang>` from the root loader's
// locale (`?lang=ko|en`, else Korean when the top `Accept-Language` tag starts
// with `ko`, else English; no cookie, ADR 006), the language switch (keeps the
// rest of the query), footer links to `/privacy` and the staff sign-in, the CSP
// nonce on `<Scripts>`. No `<ScrollRestoration>`: it writes `sessionStorage`
// (ADR 006). The loader also hands the configured deadlines to the pages, so
// they promise what the portal enforces, and the time zone staff pages write times in.
// Staff, affiliate and administration pages (by path, so their error pages too) get no
// reporter navigation: their own header (app/components/staff-header.tsx) leads around, and their
// 403 and 404 pages lead back to the staff member's home, not to the reporter's start page.
// A route's `handle.title` (a catalog key, or a function of the route's match) names the page in `<title>`.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  useLocation,
  useMatches,
  useRouteError,
  useRouteLoaderData,
  type UIMatch,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { isMessageKey, resolveLocale, translator, type Locale } from "./i18n";
import { useI18n } from "./i18n/react";
import { useNonce } from "./nonce";
import styles from "./styles/app.css?url";
// The case page's own rules (ADR 049) load with the rest: a route-level stylesheet raised a page error when a
// case address answered 404 (the route's links ran for a route that rendered only the error boundary).
import caseStyles from "./styles/staff-case.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: caseStyles },
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

/**
 * A route's page title: `export const handle = { title: "catalog.key" }`, or a function of the route's match
 * for a title that names what the page shows (`{ key: "…", params: { caseNumber } }`).
 */
export interface TitledHandle {
  title?: string | ((match: { params: UIMatch["params"]; data: unknown }) => { key: string; params?: Record<string, string> });
}

/** The staff area's home a path belongs to: where its 403 and 404 pages lead. */
function staffAreaHome(pathname: string): "/admin" | "/affiliate" | "/staff" {
  return pathname.startsWith("/admin") ? "/admin" : pathname.startsWith("/affiliate") ? "/affiliate" : "/staff";
}

/** The page's <title>: the error's on an error page, else the deepest route's that names one. */
function pageTitle(t: ReturnType<typeof translator>, matches: UIMatch[], error: unknown, staffArea: boolean): string {
  const name = t("app.name");
  if (error !== undefined && error !== null) {
    const status = isRouteErrorResponse(error) ? error.status : 500;
    const key = staffArea && status === 403 ? "staffPages.error.forbidden" : status === 404 ? "staffPages.error.notFound" : "error.title";
    return `${t(key)} · ${name}`;
  }
  for (const m of [...matches].reverse()) {
    const title = (m.handle as TitledHandle | undefined)?.title;
    if (!title) continue;
    const { key, params } = typeof title === "function" ? title({ params: m.params, data: m.data }) : { key: title, params: undefined };
    if (isMessageKey(key)) return `${t(key, params)} · ${name}`;
  }
  return name;
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data?.locale ?? "en";
  const t = translator(locale);
  const staffArea = STAFF_AREA.test(useLocation().pathname);
  const title = pageTitle(t, useMatches(), useRouteError(), staffArea);
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
  const { pathname } = useLocation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  if (STAFF_AREA.test(pathname)) return <StaffError error={error} pathname={pathname} />;
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

/**
 * A staff, affiliate or administration page that failed: a 403 leads to the signed-in role's own home (the guard
 * names it), anything else to the home of the area the address belongs to; never to the reporter's pages.
 */
function StaffError(props: { error: unknown; pathname: string }) {
  const { t, href } = useI18n();
  const { error } = props;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const named = isRouteErrorResponse(error) ? (error.data as { home?: unknown } | null)?.home : undefined;
  const home = named === "/admin" || named === "/affiliate" || named === "/staff" ? named : staffAreaHome(props.pathname);
  const [title, text] =
    status === 403
      ? (["staffPages.error.forbidden", "staffPages.error.forbiddenText"] as const)
      : status === 404
        ? (["staffPages.error.notFound", "error.notFound"] as const)
        : (["error.title", "error.generic"] as const);
  return (
    <div className="page">
      <h1>{t(title)}</h1>
      <p>{t(text)}</p>
      <p>
        <Link to={href(home)}>{t("staffPages.error.backHome")}</Link>
      </p>
    </div>
  );
}
