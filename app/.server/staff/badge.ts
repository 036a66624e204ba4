// Who is signed in, as every staff, affiliate and administration page's header shows it: the name, the
// role and, for a reviewer, their affiliate's names as stored (not a fixed list), so a new affiliate
// needs no code.
import { affiliateNames } from "../org/org";
import type { Services } from "../platform/services";
import type { StaffRole } from "./accounts";
import type { StaffPrincipal } from "./auth";

export interface StaffBadge {
  displayName: string;
  role: StaffRole;
  affiliate: { nameKo: string; nameEn: string } | null;
}

export async function staffBadge(s: Services, staff: StaffPrincipal): Promise<StaffBadge> {
  return { displayName: staff.displayName, role: staff.role, affiliate: staff.role === "affiliate" ? await affiliateNames(s.db, staff.affiliateId) : null };
}
