// One archived case for an administrator who holds its key: ciphertext from
// the server, opened in this browser. Anything else is a 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { isUuid } from "../../crypto/encoding";
import { archiveView } from "../.server/retention/archive";
import { ApiError } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import type { TitledHandle } from "../root";
import { staffBadge } from "../.server/staff/badge";
import { ArchivedCaseView } from "../components/archived-case";
import { AdminNav } from "../components/admin-page";
import { StaffHeader } from "../components/staff-header";
import { StaffKeyGate } from "../components/staff-key-gate";
import { useI18n } from "../i18n/react";

export const handle: TitledHandle = {
  title: ({ data }) => ({
    key: "staffPages.title.archive",
    params: { caseNumber: (data as { archive?: { caseNumber?: string } } | undefined)?.archive?.caseNumber ?? "" },
  }),
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  try {
    if (!isUuid(params.archiveId ?? "")) throw new ApiError(404, "not_found", "no such archive");
    return { me: await staffBadge(s, admin), archive: await archiveView(s, admin, params.archiveId!) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export default function ArchivedCasePage() {
  const { me, archive } = useLoaderData<typeof loader>();
  const { t, href } = useI18n();
  return (
    <div className="page wide">
      <StaffHeader me={me} />
      <AdminNav current="archives" />
      <p>
        <Link to={href("/admin/archives")}>{t("archive.back")}</Link>
      </p>
      <StaffKeyGate>{(client, keys) => <ArchivedCaseView wire={archive} client={client} keys={keys} />}</StaffKeyGate>
    </div>
  );
}
