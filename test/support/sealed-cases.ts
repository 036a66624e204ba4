// Cases written straight into the database with real cryptography, for the tests that need many of them
// (the inbox's title search): each case's keys sealed to the given investigators, its title a real aead-v1
// record under its report key. Not a path a reporter takes (that is submitReport); the inbox and the title
// search read exactly these columns.
import { randomBytes } from "node:crypto";
import { encryptJson, generateReportKeys, newRecordId, sealReportKeys, type StaffPublicKey } from "../../crypto";
import type { Services } from "../../app/.server/platform/services";
import { categories, reportKeyEnvelopes, reports, staffUsers } from "../../db/schema";
import { dayIn } from "../../app/.server/platform/dates";
import { eq } from "drizzle-orm";

export interface SealedCase {
  id: string;
  caseNumber: string;
  title: string;
  receivedOn: string;
}

/**
 * `n` cases received over the past days; `title(j)` names case j; `holders(j)` the emails of the investigators whose
 * envelopes it gets. Case numbers are `COR-<prefix>-<j, 4 digits>`.
 */
export async function sealCasesTo(
  s: Services,
  n: number,
  options: { prefix: string; title: (j: number) => string; holders: (j: number) => string[]; nextDueOffset?: (j: number) => number },
): Promise<SealedCase[]> {
  const staff = await s.db.select({ id: staffUsers.id, email: staffUsers.email, publicKey: staffUsers.publicKey }).from(staffUsers);
  const byEmail = new Map(staff.map((x) => [x.email, x]));
  const [cat] = await s.db.select({ id: categories.id }).from(categories).where(eq(categories.active, true)).limit(1);
  const today = dayIn(s.config.TIME_ZONE, s.now());
  const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const out: SealedCase[] = [];
  for (let from = 0; from < n; from += 200) {
    const rows: (typeof reports.$inferInsert)[] = [];
    const envelopes: (typeof reportKeyEnvelopes.$inferInsert)[] = [];
    for (let j = from; j < Math.min(n, from + 200); j++) {
      const id = newRecordId();
      const keys = generateReportKeys();
      const title = options.title(j);
      const receivedOn = day(-(j % 30));
      const due = day(options.nextDueOffset ? options.nextDueOffset(j) : 7 - (j % 30));
      rows.push({
        id,
        caseNumber: `COR-${options.prefix}-${String(j).padStart(4, "0")}`,
        categoryId: cat!.id,
        status: "received",
        receivedOn,
        updatedOn: receivedOn,
        ackDueOn: due,
        nextDueOn: due,
        receiptLookupHash: randomBytes(32),
        reporterKeyWrapped: randomBytes(89),
        titleCt: encryptJson(keys.reportKey, { purpose: "report-title", id }, title),
        bodyCt: randomBytes(1065),
        consentReport: true,
        consentOptional: false,
        consentAffiliateIdentity: false,
      });
      for (const email of options.holders(j)) {
        const holder = byEmail.get(email);
        if (!holder?.publicKey) throw new Error(`no investigator ${email} with a public key`);
        envelopes.push({ reportId: id, staffUserId: holder.id, envelope: sealReportKeys(keys, id, holder.publicKey as StaffPublicKey), grantedOn: receivedOn });
      }
      out.push({ id, caseNumber: `COR-${options.prefix}-${String(j).padStart(4, "0")}`, title, receivedOn });
    }
    await s.db.insert(reports).values(rows);
    if (envelopes.length) await s.db.insert(reportKeyEnvelopes).values(envelopes);
  }
  return out;
}
