// The encrypted titles of every case an investigator holds a key envelope for, in batches, for the
// inbox's title search (ADR 050): titles are ciphertext, so the search runs in the browser, which
// fetches them with their envelopes and decrypts them a batch at a time. The search words never
// reach the server.
//
// Visibility is the envelope itself (the batch walks the caller's envelopes, `envelopes_staff_report_idx`,
// in report id order), so an excluded investigator, who holds none, never gets a title. Pages are
// keyset pages (`after` = the last report id of the previous batch): each batch costs the same
// however deep the search, and a case arriving meanwhile lands in order without shifting the rest.
// The first batch also says how many there are, for the progress shown. Each batch hands out title
// ciphertexts with their envelopes, so it is audited (`inbox.titles_listed`, with the row count),
// like a page of the inbox (`inbox.listed`).
import { and, asc, count, eq, gt } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { reportKeyEnvelopes, reports } from "../../../db/schema";
import { isUuid } from "../../../crypto/encoding";
import { CASE_TITLES_BATCH, CASE_TITLES_MAX_BATCH, type CaseTitlesPage } from "../../staff/wire";
import { audit } from "../audit/audit";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";

export interface CaseTitlesQuery {
  /** The last report id of the previous batch; none for the first. */
  after?: string;
  /** Rows in this batch, 1 to CASE_TITLES_MAX_BATCH. */
  limit: number;
}

/** The query parameters the route declares, with what they mean. */
export const CASE_TITLES_QUERY: Record<string, string> = {
  after: "the `next` of the previous batch (a report id); leave out for the first batch",
  limit: `rows in the batch, 1 to ${CASE_TITLES_MAX_BATCH} (default ${CASE_TITLES_BATCH})`,
};

/** Reads `after` and `limit`; a malformed value is refused (400 bad_query) rather than silently read as another. */
export function caseTitlesQuery(q: URLSearchParams): CaseTitlesQuery {
  const after = q.get("after");
  const limit = q.get("limit");
  if (after !== null && !isUuid(after)) throw new ApiError(400, "bad_query", "after: not a report id", { after: "not a report id" });
  if (limit !== null && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= CASE_TITLES_MAX_BATCH))
    throw new ApiError(400, "bad_query", `limit: a whole number from 1 to ${CASE_TITLES_MAX_BATCH}`, {
      limit: `a whole number from 1 to ${CASE_TITLES_MAX_BATCH}`,
    });
  return { after: after ?? undefined, limit: limit === null ? CASE_TITLES_BATCH : Number(limit) };
}

export async function listCaseTitles(s: Services, staffUserId: string, q: CaseTitlesQuery): Promise<CaseTitlesPage> {
  const limit = Math.min(Math.max(1, Math.floor(q.limit)), CASE_TITLES_MAX_BATCH);
  const mine = eq(reportKeyEnvelopes.staffUserId, staffUserId);
  const [rows, total] = await Promise.all([
    s.db
      .select({
        id: reports.id,
        caseNumber: reports.caseNumber,
        status: reports.status,
        receivedOn: reports.receivedOn,
        titleCt: reports.titleCt,
        envelope: reportKeyEnvelopes.envelope,
      })
      .from(reportKeyEnvelopes)
      .innerJoin(reports, eq(reports.id, reportKeyEnvelopes.reportId))
      .where(q.after ? and(mine, gt(reportKeyEnvelopes.reportId, q.after)) : mine)
      .orderBy(asc(reportKeyEnvelopes.reportId))
      // One more than asked: whether there is a next batch, without a count per batch.
      .limit(limit + 1),
    q.after ? Promise.resolve(null) : s.db.select({ n: count() }).from(reportKeyEnvelopes).where(mine),
  ]);
  const batch = rows.slice(0, limit);
  await audit(s.db, s, { actorType: "staff", actorId: staffUserId, action: "inbox.titles_listed", details: { rows: batch.length } }, s.now());
  return {
    total: total ? (total[0]?.n ?? 0) : null,
    next: rows.length > limit ? batch.at(-1)!.id : null,
    rows: batch.map((r) => ({
      id: r.id,
      caseNumber: r.caseNumber,
      status: r.status,
      receivedOn: r.receivedOn,
      title: toBase64Url(r.titleCt),
      envelope: toBase64Url(r.envelope),
    })),
  };
}
