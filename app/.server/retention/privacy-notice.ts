// The privacy notice (/privacy) as this installation runs: retention periods,
// the e-mail consignee and the privacy officer come from the configuration, the
// answer period and session limits from the code that enforces them, so the
// page cannot promise what the portal does not do.
import type { Config } from "../platform/config";
import { PRIVACY_DUE_DAYS } from "../privacy-requests/privacy-requests";
import { SESSION_MAX_HOURS } from "../followup/followup";
import { AFFILIATES, type AffiliateSlug } from "../org/org";

export interface PrivacyContact {
  name: string;
  phone: string;
  email: string;
}

export interface PrivacyNotice {
  /** Years a case is kept after it is closed (the purpose achieved). */
  retentionYears: number;
  /** Months a report never acknowledged is kept at most after receipt. */
  unacknowledgedRetentionMonths: number;
  /** Days within which a privacy request made with the receipt code is answered. */
  privacyAnswerDays: number;
  /** The follow-up session ends after this many idle minutes, and after `sessionMaxHours` at most. */
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Affiliates that may receive a report under the policy. */
  affiliates: AffiliateSlug[];
  emailConsignee: string;
  officer: PrivacyContact & { title: string };
  department: PrivacyContact;
}

export function privacyNotice(config: Config): PrivacyNotice {
  const contact = { phone: config.PRIVACY_OFFICER_PHONE, email: config.PRIVACY_OFFICER_EMAIL };
  return {
    retentionYears: config.RETENTION_YEARS,
    unacknowledgedRetentionMonths: config.UNACKNOWLEDGED_RETENTION_MONTHS,
    privacyAnswerDays: PRIVACY_DUE_DAYS,
    sessionIdleMinutes: config.REPORTER_SESSION_IDLE_MINUTES,
    sessionMaxHours: SESSION_MAX_HOURS,
    affiliates: AFFILIATES.map((a) => a.slug),
    emailConsignee: config.EMAIL_CONSIGNEE,
    officer: { name: config.PRIVACY_OFFICER_NAME, title: config.PRIVACY_OFFICER_TITLE, ...contact },
    department: { name: config.PRIVACY_DEPARTMENT, ...contact },
  };
}
