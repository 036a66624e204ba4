// Checks the report form in the browser before anything is encrypted. The
// server checks again on what it can see (sizes, consents, recipients).
import type { MessageKey } from "../i18n";
import { LIMITS } from "../intake/limits";

export interface FormProblem {
  field: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

export interface DraftFields {
  category: string;
  title: string;
  description: string;
  details: string;
  periodFrom: string;
  periodTo: string;
  reporterName: string;
  email: string;
  phone: string;
  excludedInvestigators: string[];
  consentReport: boolean;
  consentOptional: boolean;
  consentAffiliateIdentity: boolean;
  notifyByEmail: boolean;
  files: { name: string; size: number }[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9+\-\s().]{4,}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readDraftFields(form: FormData): DraftFields {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  return {
    category: text("category"),
    title: text("title"),
    description: text("description"),
    details: text("details"),
    periodFrom: text("periodFrom"),
    periodTo: text("periodTo"),
    reporterName: text("reporterName"),
    email: text("email"),
    phone: text("phone"),
    excludedInvestigators: form.getAll("excludedInvestigators").map(String),
    consentReport: form.get("consentReport") === "on",
    consentOptional: form.get("consentOptional") === "on",
    consentAffiliateIdentity: form.get("consentAffiliateIdentity") === "on",
    notifyByEmail: form.get("notifyByEmail") === "on",
    files: attachedFiles(form).map((f) => ({ name: f.name, size: f.size })),
  };
}

/** The form field a disguised voice message travels in (app/components/voice-recorder.tsx). */
export const VOICE_FIELD = "voiceMessage";

/** The files a form sends: those chosen under "attachments", then the disguised voice message if one was recorded. */
export function attachedFiles(form: FormData): File[] {
  return [...form.getAll("attachments"), ...form.getAll(VOICE_FIELD)].filter(
    (f): f is File => typeof f === "object" && f !== null && "size" in f && (f as File).name !== "",
  );
}

export function validateDraft(
  d: DraftFields,
  limits: { maxAttachmentBytes: number; maxAttachments: number; investigators: number },
  formatSize: (n: number) => string,
): FormProblem[] {
  const problems: FormProblem[] = [];
  const length = (s: string) => [...s].length;
  const required = (field: keyof DraftFields, value: string) => {
    if (!value) problems.push({ field, key: "report.errors.required" });
  };
  const max = (field: keyof DraftFields, value: string, n: number) => {
    if (length(value) > n) problems.push({ field, key: "report.errors.tooLong", params: { max: n } });
  };
  required("category", d.category);
  required("title", d.title);
  max("title", d.title, LIMITS.titleChars);
  required("description", d.description);
  max("description", d.description, LIMITS.descriptionChars);
  max("details", d.details, LIMITS.detailsChars);
  if (d.periodFrom && !DAY.test(d.periodFrom)) problems.push({ field: "periodFrom", key: "report.errors.required" });
  if (d.periodTo && !DAY.test(d.periodTo)) problems.push({ field: "periodTo", key: "report.errors.required" });
  if (d.periodFrom && d.periodTo && d.periodTo < d.periodFrom) problems.push({ field: "periodTo", key: "report.errors.periodOrder" });
  max("reporterName", d.reporterName, LIMITS.nameChars);
  if (d.email && (!EMAIL.test(d.email) || length(d.email) > LIMITS.emailChars)) problems.push({ field: "email", key: "report.errors.email" });
  if (d.phone && (!PHONE.test(d.phone) || length(d.phone) > LIMITS.phoneChars)) problems.push({ field: "phone", key: "report.errors.phone" });
  if (d.files.length > limits.maxAttachments) {
    problems.push({ field: "attachments", key: "report.errors.tooManyFiles", params: { count: limits.maxAttachments } });
  }
  for (const f of d.files) {
    if (f.size > limits.maxAttachmentBytes) {
      problems.push({ field: "attachments", key: "report.errors.fileTooLarge", params: { name: f.name, size: formatSize(limits.maxAttachmentBytes) } });
    }
  }
  if (new Set(d.excludedInvestigators).size >= limits.investigators) {
    problems.push({ field: "excludedInvestigators", key: "report.errors.allExcluded" });
  }
  if (!d.consentReport) problems.push({ field: "consentReport", key: "report.errors.consentReport" });
  const optionalGiven = !!(d.reporterName || d.email || d.phone || d.files.length > 0);
  if (optionalGiven && !d.consentOptional) problems.push({ field: "consentOptional", key: "report.errors.consentOptional" });
  return problems;
}
