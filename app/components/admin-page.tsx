// The frame of every administration page (issue 20): the staff header, the sections' navigation with
// the current one marked (aria-current), the page's own <h1>, and the outcome of the last action.
// Each section is a route of its own (app/routes/admin.*.tsx), guarded on the server by
// requireStaffPage(ADMIN); `/admin` is the overview.
import { Link, useRevalidator } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import { useI18n } from "../i18n/react";
import { Notices } from "./notices";
import { StaffHeader, type StaffHeaderBadge } from "./staff-header";

export const ADMIN_SECTIONS = ["accounts", "invitations", "categories", "audit", "statistics", "archives", "settings"] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

/** The catalog key of a section's name: its <h1>, its <title> (the route's handle) and its link. */
export const sectionTitle = (s: AdminSection | "overview") => (s === "overview" ? "admin.overview" : (`admin.section.${s}` as const));

export function AdminNav(props: { current: AdminSection | "overview" }) {
  const { t, href } = useI18n();
  const items: (AdminSection | "overview")[] = ["overview", ...ADMIN_SECTIONS];
  return (
    <nav aria-label={t("admin.nav.label")} className="admin-nav">
      <ul>
        {items.map((s) => (
          <li key={s}>
            <Link to={href(s === "overview" ? "/admin" : `/admin/${s}`)} aria-current={s === props.current ? "page" : undefined}>
              {t(sectionTitle(s))}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AdminPage(props: {
  me: StaffHeaderBadge;
  section: AdminSection | "overview";
  title?: string;
  status?: string | null;
  error?: string | null;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="page wide">
      <StaffHeader me={props.me} />
      <AdminNav current={props.section} />
      <h1>{props.title ?? t(sectionTitle(props.section))}</h1>
      <Notices status={props.status ?? null} error={props.error ?? null} />
      {props.children}
    </div>
  );
}

/** POSTs JSON to an administration API; throws the error code of a refusal. */
export async function adminPost(path: string, body?: unknown): Promise<Record<string, unknown> | null> {
  const r = await fetch(path, {
    method: "POST",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  const json = (await r.json().catch(() => null)) as ({ error?: { code: string } } & Record<string, unknown>) | null;
  if (!r.ok) throw new Error(json?.error?.code ?? String(r.status));
  return json;
}

/** Runs an administration action: its outcome as a message, and the page's data reloaded. */
export function useAdminAction() {
  const { t } = useI18n();
  const revalidator = useRevalidator();
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    setError(null);
    try {
      await fn();
      setMessage(t("admin.done"));
      revalidator.revalidate();
    } catch (e) {
      setError(t("staff.errors.generic", { code: (e as Error).message }));
    }
  };
  return { message, error, setMessage, setError, run };
}
