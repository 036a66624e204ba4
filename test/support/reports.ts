// A text report through the real intake client (sealed and encrypted as the
// report page does): no identity, no files, the required consent only.
import type { IntakeInfo } from "../../app/intake/wire";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";

export interface TextReport {
  title: string;
  description: string;
  /** Index into the portal's categories; 0 unless given. */
  category?: number;
  excludedInvestigators?: string[];
}

export async function submitTextReport(baseUrl: string, report: TextReport, info?: IntakeInfo) {
  const intake = info ?? (await fetchIntakeInfo({ baseUrl }));
  return submitEncryptedReport(
    {
      categoryId: intake.categories[(report.category ?? 0) % intake.categories.length]!.id,
      title: report.title,
      body: { description: report.description, details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: report.excludedInvestigators ?? [],
      consentReport: true,
      consentOptional: false,
      consentAffiliateIdentity: false,
    },
    [],
    intake,
    { baseUrl },
  );
}
