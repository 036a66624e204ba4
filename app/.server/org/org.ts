// The organisation's fixed data: itself, its affiliates and the report
// categories, and reading them for the pages. org:init is idempotent: it adds
// what is missing and changes nothing else.
import { asc, eq, sql } from "drizzle-orm";
import { affiliates, categories, organisations } from "../../../db/schema";
import { queryRows, type Db } from "../../../db/client";

export const ORGANISATION = { slug: "okestro", nameKo: "오케스트로", nameEn: "OKESTRO" };

export const AFFILIATES = [
  { slug: "cloud", nameKo: "오케스트로 클라우드", nameEn: "OKESTRO Cloud" },
  { slug: "agi", nameKo: "오케스트로 AGI", nameEn: "OKESTRO AGI" },
] as const;
export type AffiliateSlug = (typeof AFFILIATES)[number]["slug"];

export const CATEGORIES = [
  { slug: "bribery", nameKo: "금품·향응 수수", nameEn: "Bribery, gifts and entertainment" },
  { slug: "embezzlement", nameKo: "횡령·배임", nameEn: "Embezzlement and breach of trust" },
  { slug: "accounting", nameKo: "회계 부정", nameEn: "Accounting fraud" },
  { slug: "procurement", nameKo: "부당 계약·구매 비리", nameEn: "Unfair contracts and procurement fraud" },
  { slug: "harassment", nameKo: "직장 내 괴롭힘·성희롱", nameEn: "Workplace harassment and sexual harassment" },
  { slug: "abuse-of-position", nameKo: "직위를 이용한 부당행위", nameEn: "Abuse of position" },
  { slug: "information-security", nameKo: "정보 유출·보안 위반", nameEn: "Information leaks and security violations" },
  { slug: "conflict-of-interest", nameKo: "이해충돌", nameEn: "Conflicts of interest" },
  { slug: "other", nameKo: "기타 윤리 위반", nameEn: "Other ethics violations" },
] as const;

export interface OrgInitResult {
  organisationCreated: boolean;
  affiliatesCreated: number;
  categoriesCreated: number;
}

export async function initOrganisation(db: Db): Promise<OrgInitResult> {
  return db.transaction(async (tx) => {
    const org = await tx.insert(organisations).values(ORGANISATION).onConflictDoNothing().returning({ id: organisations.id });
    const aff = await tx
      .insert(affiliates)
      .values([...AFFILIATES])
      .onConflictDoNothing()
      .returning({ id: affiliates.id });
    const cats = await tx
      .insert(categories)
      .values(CATEGORIES.map((c, i) => ({ ...c, sortOrder: (i + 1) * 10 })))
      .onConflictDoNothing()
      .returning({ id: categories.id });
    return { organisationCreated: org.length > 0, affiliatesCreated: aff.length, categoriesCreated: cats.length };
  });
}

export async function isInitialised(db: Db): Promise<boolean> {
  const rows = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from organisations`);
  return (rows[0]?.n ?? 0) > 0;
}

/** Every affiliate, as stored (id, slug, names). */
export async function listAffiliates(db: Db) {
  return db.select().from(affiliates);
}

/** An affiliate's names by id, as stored; null for none. */
export async function affiliateNames(db: Db, affiliateId: string | null): Promise<{ nameKo: string; nameEn: string } | null> {
  if (!affiliateId) return null;
  const [a] = await db.select({ nameKo: affiliates.nameKo, nameEn: affiliates.nameEn }).from(affiliates).where(eq(affiliates.id, affiliateId));
  return a ?? null;
}

/** The slug of an affiliate by id; "" for none (a reviewer always has one). */
export async function affiliateSlugOf(db: Db, affiliateId: string | null): Promise<string> {
  const [a] = await db
    .select({ slug: affiliates.slug })
    .from(affiliates)
    .where(eq(affiliates.id, affiliateId ?? ""));
  return a?.slug ?? "";
}

/** Category names in both languages, in the order the report form shows them. */
export async function categoryNames(db: Db) {
  return db.select({ id: categories.id, nameKo: categories.nameKo, nameEn: categories.nameEn }).from(categories).orderBy(asc(categories.sortOrder));
}

/** One category's names, or null when the id names none. */
export async function categoryName(db: Db, categoryId: string): Promise<{ ko: string; en: string } | null> {
  const [c] = await db.select({ nameKo: categories.nameKo, nameEn: categories.nameEn }).from(categories).where(eq(categories.id, categoryId));
  return c ? { ko: c.nameKo, en: c.nameEn } : null;
}
