// Opening a reporter's identity as the case page does (ADR 052): record a reason, then read what the
// server released. For tests that need the identity after the change that put it behind a reason.
import type { ReportKeys } from "../../crypto";
import { identityState, openReleasedIdentity, requestIdentity } from "../../app/staff/identity-access";
import type { StaffClient } from "../../app/staff/staff-client";

export async function openIdentityWithReason(client: StaffClient, keys: ReportKeys, reportId: string, reasonCode = "verify_facts") {
  let state = await identityState(client, reportId);
  if (!state.hasIdentity) return null;
  if (!state.released) {
    await requestIdentity(client, keys, reportId, reasonCode, "needed for the test");
    state = await identityState(client, reportId);
  }
  const identity = openReleasedIdentity(state, keys, reportId);
  if (!identity) throw new Error("the identity was not released");
  return identity;
}
