// One case for an investigator. The loader hands out ciphertext only for a
// case the investigator holds the key of; anything else is the same 404.
// The page's own stylesheet (sticky header, sections) loads with it only.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { staffCaseView } from "../.server/casework/casework";
import { ApiError } from "../.server/platform/http";
import { caseHolds } from "../.server/retention/case-retention";
import { caseRetentionOn } from "../.server/retention/retention";
import { caseProvisions, caseShares, shareRetention } from "../.server/sharing/sharing";
import { categoryName } from "../.server/org/org";
import { today } from "../.server/platform/dates";
import { services } from "../.server/platform/services";
import { staffNames } from "../.server/staff/accounts";
import { INVESTIGATOR, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { StaffCaseView } from "../components/staff-case";
import { StaffHeader } from "../components/staff-header";
import { StaffKeyGate } from "../components/staff-key-gate";
import { useI18n } from "../i18n/react";
import type { TitledHandle } from "../root";

/** The case number as the address gives it (the loader reads it in upper case); a wrong one gets the 404 page's title. */
export const handle: TitledHandle = {
  title: ({ params }) => ({ key: "staffPages.title.case", params: { caseNumber: (params.caseNumber ?? "").toUpperCase() } }),
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const s = services(context);
  const staff = await requireStaffPage(s, request, INVESTIGATOR);
  try {
    const c = await staffCaseView(s, staff, (params.caseNumber ?? "").toUpperCase());
    const category = await categoryName(s.db, c.categoryId);
    const people = await staffNames(s.db);
    const sharing = {
      shares: await caseShares(s, staff.id, { id: c.id, closedOn: c.closedOn }),
      provisions: await caseProvisions(s, c.id),
      retentionYears: s.config.RETENTION_YEARS,
      caseRetentionOn: shareRetention(s, null, c.closedOn),
      categoryNames: category,
    };
    const retention = { holds: await caseHolds(s, c.id), retentionOn: caseRetentionOn(s, c) };
    return { me: await staffBadge(s, staff), c, category, people, sharing, retention, today: today(s) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export default function StaffCasePage() {
  const { me, c, category, people, sharing, retention, today } = useLoaderData<typeof loader>();
  const { t, locale, href } = useI18n();
  const names = new Map(people.map((p) => [p.id, p.displayName]));
  return (
    <div className="page wide">
      <StaffHeader me={me} />
      <p>
        <Link to={href("/staff")}>{t("staff.case.back")}</Link>
      </p>
      <StaffKeyGate>
        {(client, keys) => (
          <StaffCaseView
            c={c}
            client={client}
            keys={keys}
            names={names}
            category={category ? (locale === "ko" ? category.ko : category.en) : ""}
            today={today}
            sharing={sharing}
            retention={retention}
          />
        )}
      </StaffKeyGate>
    </div>
  );
}
