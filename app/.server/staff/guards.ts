// Guards for staff routes: API routes answer 401/403 as JSON; pages redirect
// to the sign-in page.
//
// A page loader without a full session is redirected to `/staff/login` (keeping
// `?lang`); a wrong role gets a 403 page. A session pending its second factor
// passes only the TOTP enrolment and second-factor routes.
import { data, redirect } from "@remix-run/node";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import type { StaffRole } from "./accounts";
import { requireStaff, WrongRoleError, type StaffPrincipal } from "./auth";

export const INVESTIGATOR: StaffRole[] = ["investigator"];
export const ADMIN: StaffRole[] = ["admin"];
export const AFFILIATE: StaffRole[] = ["affiliate"];
export const ANY_STAFF: StaffRole[] = ["admin", "investigator", "affiliate"];

/** Each role's own home page: where a 403 page leads them. */
export const STAFF_HOME: Record<StaffRole, "/admin" | "/staff" | "/affiliate"> = { admin: "/admin", investigator: "/staff", affiliate: "/affiliate" };

/** For page loaders: the staff member, or a redirect to sign in (401) / a 403 page. */
export async function requireStaffPage(s: Services, request: Request, roles: StaffRole[]): Promise<StaffPrincipal> {
  try {
    return await requireStaff(s, request, roles);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const url = new URL(request.url);
      throw redirect(`/staff/login?lang=${url.searchParams.get("lang") ?? ""}`);
    }
    if (error instanceof WrongRoleError) throw data({ home: STAFF_HOME[error.role] }, { status: 403 });
    if (error instanceof ApiError && error.status === 403) throw new Response("Forbidden", { status: 403 });
    throw error;
  }
}
