// An investigator's actions on one case, as the case page performs them. Each
// encrypts what a person wrote here, under the key the record kind needs (the
// report key for what the reporter reads, the case key for the team's own
// records), and sends only ciphertext. The server validates the bodies against
// caseOps in ./wire.ts.
import {
  encryptLabels,
  encryptMessage,
  encryptNote,
  encryptPrivacyText,
  fromBase64Url,
  newRecordId,
  sealReportKeys,
  toBase64Url,
  type MessageKind,
  type ReportKeys,
  type StaffPublicKey,
} from "../../crypto";
import type { StaffClient } from "./staff-client";
import type { CaseOpInput } from "./wire";

/** The case an action applies to: the signed-in client, and the case's keys as opened from this investigator's envelope. */
export interface CaseContext {
  client: StaffClient;
  reportId: string;
  keys: ReportKeys;
}

export type CaseStatusTarget = CaseOpInput<"status">["to"];
export type CaseOutcomeCode = NonNullable<CaseOpInput<"status">["outcome"]>;
export type CasePriority = CaseOpInput<"priority">["priority"];
export type RetentionBasis = NonNullable<CaseOpInput<"privacy-deletion">["basis"]>;
export type HoldReason = CaseOpInput<"holds">["reason"];

/** A colleague who could be given access (GET …/grants). */
export interface GrantCandidate {
  id: string;
  displayName: string;
  publicKey: string;
}

/** Audits that this investigator's browser opened the case's keys. */
export function recordDecrypted(ctx: CaseContext): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "events", { event: "decrypted" });
}

/** A message or question to the reporter, under the report key. */
export function sendMessage(ctx: CaseContext, text: string, kind: MessageKind): Promise<unknown> {
  const id = newRecordId();
  return ctx.client.caseOp(ctx.reportId, "messages", {
    id,
    body: toBase64Url(encryptMessage(ctx.keys.reportKey, ctx.reportId, id, { author: "investigator", kind, text })),
  });
}

/** An internal note, under the case key: never readable by the reporter. */
export function sendNote(ctx: CaseContext, text: string): Promise<unknown> {
  const id = newRecordId();
  return ctx.client.caseOp(ctx.reportId, "notes", { id, body: toBase64Url(encryptNote(ctx.keys.caseKey, ctx.reportId, id, text)) });
}

/** Moves the case along the workflow; closing sends `summary` to the reporter as a message. */
export function changeStatus(ctx: CaseContext, input: { to: CaseStatusTarget; outcome?: CaseOutcomeCode; summary?: string }): Promise<unknown> {
  const id = newRecordId();
  const summary =
    input.to === "closed" && input.summary
      ? { id, body: toBase64Url(encryptMessage(ctx.keys.reportKey, ctx.reportId, id, { author: "investigator", kind: "message", text: input.summary })) }
      : undefined;
  return ctx.client.caseOp(ctx.reportId, "status", { to: input.to, outcome: input.outcome, summary });
}

/** Assignee, priority and labels, saved together as the case page's handling form does (one request each). */
export async function saveHandling(ctx: CaseContext, input: { assigneeId: string | null; priority: CasePriority; labels: string[] }): Promise<void> {
  await ctx.client.caseOp(ctx.reportId, "assign", { assigneeId: input.assigneeId });
  await ctx.client.caseOp(ctx.reportId, "priority", { priority: input.priority });
  await ctx.client.caseOp(ctx.reportId, "labels", { labels: toBase64Url(encryptLabels(ctx.keys.caseKey, ctx.reportId, input.labels)) });
}

/** The answer to a privacy request, under the report key: the reporter reads it. */
export function answerPrivacyRequest(ctx: CaseContext, requestId: string, text: string): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "privacy-answer", {
    requestId,
    answer: toBase64Url(encryptPrivacyText(ctx.keys.reportKey, ctx.reportId, requestId, "answer", text)),
  });
}

/** Granting a deletion request destroys the case now, unless a hold applies (then the outcome says so); refusing names the statute. */
export function decideDeletion(ctx: CaseContext, requestId: string, decision: { grant: true } | { refuse: RetentionBasis }): Promise<{ outcome: string }> {
  return ctx.client.caseOp<{ outcome: string }>(
    ctx.reportId,
    "privacy-deletion",
    "grant" in decision ? { requestId, decision: "grant" } : { requestId, decision: "refuse", basis: decision.refuse },
  );
}

/** Investigators who hold no envelope for the case and were not excluded by the reporter. */
export function listGrantCandidates(ctx: CaseContext): Promise<GrantCandidate[]> {
  return ctx.client.get<GrantCandidate[]>(`/api/staff/cases/${ctx.reportId}/grants`);
}

/** Gives a colleague access: the keys are sealed here, to their public key; the server only stores the envelope. */
export function grantAccess(ctx: CaseContext, colleague: GrantCandidate): Promise<unknown> {
  const envelope = sealReportKeys(ctx.keys, ctx.reportId, fromBase64Url(colleague.publicKey) as StaffPublicKey);
  return ctx.client.caseOp(ctx.reportId, "grants", { granteeId: colleague.id, envelope: toBase64Url(envelope) });
}

/** A legal hold stops the case's destruction until it is lifted. */
export function placeHold(ctx: CaseContext, reason: HoldReason): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "holds", { reason });
}

export function liftHold(ctx: CaseContext, holdId: string): Promise<unknown> {
  return ctx.client.caseOp(ctx.reportId, "hold-lift", { holdId });
}

/** Adds the investigator's own files to the case, each encrypted as the reporter's are. */
export async function uploadFiles(ctx: CaseContext, files: File[]): Promise<void> {
  // Loaded on use, as the rest of the staff client is (components/staff-key-gate.tsx).
  const m = await import("./staff-client");
  await ctx.client.addFiles(ctx.reportId, ctx.keys.reportKey, files.map(m.fromBrowserFile));
}
