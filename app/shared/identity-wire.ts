// Wire format of identity access (ADR 052): the investigators' routes under
// /api/staff/cases/:reportId/identity/:op and the administrators' settings
// (/api/admin/identity-access). Validated on the server; browsers import types.
import { z } from "zod";
import { b64, uuid } from "./schemas";
import { aeadField, dayString, instantString } from "./wire";

/** A reason code: lower-case letters, digits and underscores, as stored and audited. */
export const reasonCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, "lower-case letters, digits and _ (at most 40)")
  .describe("a reason code from the configured list");

const label = z.string().trim().min(1, "required").max(100);

export const identityReason = z.strictObject({ code: reasonCode, ko: label, en: label, active: z.boolean() });
export type IdentityReasonWire = z.infer<typeof identityReason>;

/** POST /api/admin/identity-access: the whole list and the approval setting. */
export const identitySettingsRequest = z
  .strictObject({ requireApproval: z.boolean(), reasons: z.array(identityReason).min(1).max(30) })
  .refine((v) => new Set(v.reasons.map((r) => r.code)).size === v.reasons.length, { message: "reason codes must differ", path: ["reasons"] })
  .refine((v) => v.reasons.some((r) => r.active), { message: "at least one reason must be offered", path: ["reasons"] });
export type IdentitySettingsRequest = z.input<typeof identitySettingsRequest>;

export const identitySettingsResponse = z.object({
  requireApproval: z.boolean().describe("a second investigator who can read the case approves each access before release"),
  reasons: z.array(z.object({ code: z.string(), ko: z.string(), en: z.string(), active: z.boolean() })),
});
export type IdentitySettings = z.infer<typeof identitySettingsResponse>;

/** POST …/identity/request: a reason code and the free text under the case key. */
export const identityAccessRequest = z.strictObject({
  id: uuid.describe("the access id the browser chose: the subId of the reason record"),
  reasonCode,
  reason: b64(41 + 256, 41 + 4 * 1024).describe("unpadded base64url of an aead-v1 `identity-reason` record (case key, subId = id)"),
});
export type IdentityAccessRequestBody = z.input<typeof identityAccessRequest>;

/** POST …/identity/decide: a second investigator approves or refuses a pending access. */
export const identityDecisionRequest = z.strictObject({ accessId: uuid, decision: z.enum(["approve", "refuse"]) });

export const identityAccessView = z.object({
  id: z.string(),
  staffUserId: z.string().describe("who asked"),
  reasonCode: z.string(),
  reasonLabel: z.object({ ko: z.string(), en: z.string() }).describe("the reason's words when it was asked"),
  reason: aeadField("identity-reason"),
  state: z.enum(["pending", "released", "refused"]),
  requestedAt: instantString,
  decidedBy: z.string().nullable().describe("who approved or refused; null when released without approval or pending"),
  decidedAt: instantString.nullable(),
  releasedOn: dayString.nullable(),
});
export type IdentityAccessView = z.infer<typeof identityAccessView>;

/** GET …/identity/state. `released` is present only for a caller whose access was released. */
export const identityStateResponse = z.object({
  hasIdentity: z.boolean().describe("whether the reporter gave contact details at all"),
  requireApproval: z.boolean(),
  reasons: z.array(z.object({ code: z.string(), ko: z.string(), en: z.string() })).describe("the reasons offered now"),
  accesses: z.array(identityAccessView).describe("every access asked for in this case, oldest first"),
  released: z
    .object({
      identity: aeadField("identity or report-identity"),
      identityKey: aeadField("identity-key")
        .nullable()
        .describe("the identity key wrapped under the report key; null for reports from before ADR 052, whose record is `report-identity`"),
    })
    .nullable()
    .describe("what opens the identity: only after the caller's access was released"),
});
export type IdentityState = z.infer<typeof identityStateResponse>;

/** What the reporter sees: that and when their identity was accessed, and why (the code's words, not the free text). */
export const reporterIdentityAccess = z.object({ releasedOn: dayString, reasonCode: z.string(), label: z.object({ ko: z.string(), en: z.string() }) });
export type ReporterIdentityAccess = z.infer<typeof reporterIdentityAccess>;
