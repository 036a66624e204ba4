// What an administrator may see of the portal's configuration (issue 20): deadlines, retention, limits,
// whether e-mail is configured and where data is kept, as values only. Never a secret, URL, host, address
// or credential: SMTP_URL, DATABASE_URL and BLOB_STORE_URL become yes/no, the portal secret is not named.
import { PRIVACY_DUE_DAYS } from "../privacy-requests/privacy-requests";
import type { Services } from "../platform/services";

export interface PortalSettings {
  ackDays: number;
  feedbackMonths: number;
  privacyAnswerDays: number;
  retentionYears: number;
  unacknowledgedMonths: number;
  /** Minutes between retention runs; 0 when the job is off. */
  retentionIntervalMinutes: number;
  maxAttachmentBytes: number;
  uploadReserveBytes: number;
  uploadReservePercent: number;
  emailConfigured: boolean;
  digestHour: number;
  database: "postgres" | "pglite";
  blobs: "s3" | "disk";
  timeZone: string;
}

export function portalSettings(s: Pick<Services, "config" | "mailer">): PortalSettings {
  const c = s.config;
  return {
    ackDays: c.ACK_DEADLINE_DAYS,
    feedbackMonths: c.FEEDBACK_DEADLINE_MONTHS,
    privacyAnswerDays: PRIVACY_DUE_DAYS,
    retentionYears: c.RETENTION_YEARS,
    unacknowledgedMonths: c.UNACKNOWLEDGED_RETENTION_MONTHS,
    retentionIntervalMinutes: c.RETENTION_INTERVAL_MINUTES,
    maxAttachmentBytes: c.MAX_ATTACHMENT_BYTES,
    uploadReserveBytes: c.UPLOAD_DISK_RESERVE_BYTES,
    uploadReservePercent: c.UPLOAD_DISK_RESERVE_PERCENT,
    emailConfigured: s.mailer.configured,
    digestHour: c.NOTIFY_DIGEST_HOUR,
    database: c.DATABASE_URL ? "postgres" : "pglite",
    blobs: c.BLOB_STORE_URL ? "s3" : "disk",
    timeZone: c.TIME_ZONE,
  };
}
