// One share for an affiliate reviewer: ciphertext from the server, opened in
// this browser with the reviewer's key. Any share they may not read (another
// affiliate's, revoked, expired, or not yet keyed to them) is the same 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { isUuid } from "../../crypto/encoding";
import { affiliateShareView } from "../.server/sharing/affiliate-shares";
import { ApiError } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { staffNames } from "../.server/staff/accounts";
import { AFFILIATE, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { AffiliateShareView } from "../components/affiliate-share";
import { StaffHeader } from "../components/staff-header";
import { StaffKeyGate } from "../components/staff-key-gate";
import { useI18n } from "../i18n/react";
import type { TitledHandle } from "../root";

export const handle: TitledHandle = {
  title: ({ data }) => ({
    key: "staffPages.title.share",
    params: { caseNumber: (data as { share?: { caseNumber?: string } } | undefined)?.share?.caseNumber ?? "" },
  }),
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const s = services(context);
  const reviewer = await requireStaffPage(s, request, AFFILIATE);
  const shareId = params.shareId ?? "";
  try {
    if (!isUuid(shareId)) throw new ApiError(404, "not_found", "no such share");
    const share = await affiliateShareView(s, reviewer, shareId);
    // Colleagues of the same affiliate, to name the authors of feedback.
    const colleagues = await staffNames(s.db, { role: "affiliate", affiliateId: reviewer.affiliateId });
    return { me: await staffBadge(s, reviewer), share, colleagues, retentionYears: s.config.RETENTION_YEARS };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export default function AffiliateSharePage() {
  const { me, share, colleagues, retentionYears } = useLoaderData<typeof loader>();
  const { t, href } = useI18n();
  return (
    <div className="page wide">
      <StaffHeader me={me} />
      <p>
        <Link to={href("/affiliate")}>{t("affiliate.share.back")}</Link>
      </p>
      <StaffKeyGate>
        {(client, keys) => (
          <AffiliateShareView
            wire={share}
            client={client}
            keys={keys}
            names={new Map(colleagues.map((c) => [c.id, c.displayName]))}
            retentionYears={retentionYears}
          />
        )}
      </StaffKeyGate>
    </div>
  );
}
