// The investigator's side of identity access (ADR 052): the reason's free text
// is encrypted here under the case key; the identity opens here only with what
// the server releases after the reason (the identity key wrap, or for reports
// from before ADR 052 the record under the report key).
import {
  decryptAccessReason,
  decryptNotifyAddress,
  encryptAccessReason,
  fromBase64Url,
  newRecordId,
  notifyWish,
  openIdentity,
  toBase64Url,
  type NotifyAddress,
  type ReporterIdentity,
  type ReportKey,
  type ReportKeys,
} from "../../crypto";
import type { IdentityState } from "../shared/identity-wire";
import { attempt } from "./decrypt";
import type { StaffClient } from "./staff-client";

const base = (reportId: string) => `/api/staff/cases/${reportId}/identity`;

export function identityState(client: StaffClient, reportId: string): Promise<IdentityState> {
  return client.get<IdentityState>(`${base(reportId)}/state`);
}

/** The identity, if the state carries its release for this investigator; null otherwise (or unreadable). */
export function openReleasedIdentity(state: IdentityState, keys: ReportKeys, reportId: string): ReporterIdentity | null {
  const r = state.released;
  if (!r) return null;
  return attempt(() => openIdentity(keys.reportKey, reportId, fromBase64Url(r.identity), r.identityKey ? fromBase64Url(r.identityKey) : null));
}

/**
 * Where update e-mails go (ADR 016, ADR 052): the reporter's own address record when there is one. Reports
 * from before ADR 052 have none (migration 0013 could not write it: only browsers hold the keys); their wish
 * lives inside the identity, so it counts once the identity was released to this investigator.
 */
export function updateEmailAddress(reportKey: ReportKey, reportId: string, record: string | null, identity: ReporterIdentity | null): NotifyAddress | null {
  const stored = record ? attempt(() => decryptNotifyAddress(reportKey, reportId, fromBase64Url(record))) : null;
  return stored ?? (identity ? notifyWish(identity) : null);
}

/** The reason's free text of one access (the approver reads it before deciding). */
export function reasonText(keys: ReportKeys, reportId: string, access: { id: string; reason: string }): string | null {
  return attempt(() => decryptAccessReason(keys.caseKey, reportId, access.id, fromBase64Url(access.reason)));
}

/** Records the reason; the answer says whether the identity was released or waits for approval. */
export function requestIdentity(client: StaffClient, keys: ReportKeys, reportId: string, reasonCode: string, text: string) {
  const id = newRecordId();
  const reason = toBase64Url(encryptAccessReason(keys.caseKey, reportId, id, text));
  return client.post<{ state: "pending" | "released" }>(`${base(reportId)}/request`, { id, reasonCode, reason });
}

export function decideIdentity(client: StaffClient, reportId: string, accessId: string, decision: "approve" | "refuse") {
  return client.post<{ state: "released" | "refused" }>(`${base(reportId)}/decide`, { accessId, decision });
}

/** For building an archive: the identity released to this investigator, or a refusal naming what to do first. */
export async function releasedIdentityOrThrow(client: StaffClient, keys: ReportKeys, reportId: string): Promise<ReporterIdentity | null> {
  const state = await identityState(client, reportId);
  if (!state.hasIdentity) return null;
  const identity = openReleasedIdentity(state, keys, reportId);
  if (!identity) throw Object.assign(new Error("record a reason and open the reporter's identity first"), { code: "identity_not_accessed" });
  return identity;
}
