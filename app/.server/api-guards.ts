// The guards API routes declare (platform/api-route.ts): who may call, how the
// caller proves it, and what a refused caller is answered. Each wraps the
// domain check it names; the pending-staff guard only documents, since the
// sign-in functions behind it check the half-finished session themselves. The
// upload token's guard is beside the check it wraps (app/intake/upload-params.server.ts).
import type { Guard } from "./platform/api-route";
import { requireReporterSession } from "./followup/followup";
import { requireStaff, type StaffPrincipal } from "./staff/auth";
import { ADMIN, AFFILIATE, ANY_STAFF, INVESTIGATOR } from "./staff/guards";

/** Anyone: no credential. */
export const anyone: Guard<null> = { caller: "anonymous", auth: "none", refusals: [], check: () => null };

/** A reporter's follow-up session: `Authorization: Bearer <session token>` (ADR 012). */
export const reporterSession: Guard<{ reportId: string; tokenHash: Uint8Array }> = {
  caller: "reporter",
  auth: "reporterSession",
  refusals: [
    { status: 401, code: "no_session" },
    { status: 401, code: "session_expired" },
  ],
  check: ({ services, request }) => requireReporterSession(services, request),
};

/** A staff session that gave the password but not yet the second factor: checked by the sign-in functions themselves. */
export const pendingStaff: Guard<null> = {
  caller: "pending",
  auth: "staffPendingSession",
  refusals: [{ status: 401, code: "not_signed_in" }],
  check: () => null,
};

const STAFF_REFUSALS = [
  { status: 401, code: "not_signed_in" },
  { status: 403, code: "forbidden" },
];

function staffGuard(caller: "investigator" | "admin" | "affiliate" | "staff", roles: typeof ANY_STAFF): Guard<StaffPrincipal> {
  return { caller, auth: "staffSession", refusals: STAFF_REFUSALS, check: ({ services, request }) => requireStaff(services, request, roles) };
}

/** A signed-in staff member (both factors) of the role named. */
export const investigator = staffGuard("investigator", INVESTIGATOR);
export const admin = staffGuard("admin", ADMIN);
export const affiliateReviewer = staffGuard("affiliate", AFFILIATE);
export const anyStaff = staffGuard("staff", ANY_STAFF);
