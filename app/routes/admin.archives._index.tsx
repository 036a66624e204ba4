// The archive for administrators: closed cases' records kept under a statute,
// each until its own date. Listing shows no content; opening one needs the
// administrator's key (an envelope sealed to them).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { listArchives } from "../.server/retention/archive";
import { services } from "../.server/platform/services";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { AdminPage, sectionTitle } from "../components/admin-page";
import { StaffKeyGate } from "../components/staff-key-gate";
import { UserText } from "../components/user-text";
import { formatDay, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { TableScroll } from "../components/table-scroll";

export const handle = { title: sectionTitle("archives") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  return { me: await staffBadge(s, admin), archives: await listArchives(s, admin) };
}

export default function ArchiveList() {
  const { me, archives } = useLoaderData<typeof loader>();
  const { t, tx, locale, href } = useI18n();
  const revalidator = useRevalidator();
  const [error, setError] = useState<string | null>(null);
  const pending = archives.filter((a) => a.hasKey && a.awaiting.length > 0);
  return (
    <AdminPage me={me} section="archives" title={t("archive.title")} error={error}>
      <p>{t("archive.intro")}</p>
      {archives.length === 0 ? (
        <p data-testid="archive-empty">{t("archive.empty")}</p>
      ) : (
        <TableScroll label={t("archive.title")}>
          <table data-testid="archive-list">
            <thead>
              <tr>
                <th scope="col">{t("archive.case")}</th>
                <th scope="col">{t("archive.basis")}</th>
                <th scope="col">{t("archive.archivedOn")}</th>
                <th scope="col">{t("archive.retainUntil")}</th>
              </tr>
            </thead>
            <tbody>
              {archives.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.hasKey ? (
                      <Link to={href(`/admin/archives/${a.id}`)} aria-label={t("archive.open", { caseNumber: a.caseNumber })}>
                        {a.caseNumber}
                      </Link>
                    ) : (
                      <>
                        {a.caseNumber} <span className="hint">({t("archive.noKey")})</span>
                      </>
                    )}
                  </td>
                  <td>{t(`retention.basis.${a.legalBasis}` as MessageKey)}</td>
                  <td>{formatDay(a.archivedOn, locale)}</td>
                  <td>{formatDay(a.retainUntil, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {pending.length > 0 ? (
        <section aria-labelledby="archive-grants">
          <h2 id="archive-grants">{t("archive.awaiting")}</h2>
          <StaffKeyGate>
            {(client, keys) => (
              <ul>
                {pending.flatMap((a) =>
                  a.awaiting.map((x) => (
                    <li key={`${a.id}-${x.id}`}>
                      {a.caseNumber}:{" "}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          void (async () => {
                            try {
                              // The key is opened here with this administrator's key and sealed to the other one.
                              const { grantArchive } = await import("../admin/archive-reader");
                              const wire = await client.get<{ id: string; envelope: string }>(`/api/admin/archives/${a.id}`);
                              await grantArchive(client, wire, keys, x);
                              revalidator.revalidate();
                            } catch (e) {
                              setError(t("staff.errors.generic", { code: (e as { code?: string }).code ?? "unknown" }));
                            }
                          })()
                        }
                      >
                        {tx("archive.grant", { name: <UserText text={x.displayName} /> })}
                      </button>
                    </li>
                  )),
                )}
              </ul>
            )}
          </StaffKeyGate>
        </section>
      ) : null}
    </AdminPage>
  );
}
