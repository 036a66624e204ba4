// Inbox filters from a URL's query string; anything unknown is ignored.
import { isUuid } from "../../crypto/encoding";
import type { InboxFilter } from "./wire";

const STATUSES = ["received", "acknowledged", "in_review", "investigating", "closed", "open"] as const;

/** The query parameters inboxQuery reads, with what they mean (the inbox route declares them). */
export const INBOX_QUERY: Record<string, string> = {
  status: `one of ${STATUSES.join(", ")}`,
  category: "category id",
  assignee: "me, none or a staff user id",
  overdue: "1: only cases past their deadline",
  flood: "hide: without the cases that came in a flood of reports; only: just those",
  case: "case number (COR-XXXX-XXXX)",
  sort: "deadline (default) or received",
  page: "page number, from 1",
};

export function inboxQuery(q: URLSearchParams): InboxFilter {
  const status = q.get("status");
  const category = q.get("category");
  const assignee = q.get("assignee");
  const page = Number(q.get("page") ?? "1");
  return {
    status: (STATUSES as readonly string[]).includes(status ?? "") ? (status as InboxFilter["status"]) : undefined,
    categoryId: category && isUuid(category) ? category : undefined,
    assignee: assignee === "me" || assignee === "none" || (assignee && isUuid(assignee)) ? assignee : undefined,
    overdue: q.get("overdue") === "1",
    flood: q.get("flood") === "hide" || q.get("flood") === "only" ? (q.get("flood") as "hide" | "only") : undefined,
    caseNumber: /^COR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i.test(q.get("case") ?? "") ? q.get("case")! : undefined,
    sort: q.get("sort") === "received" ? "received" : "deadline",
    page: Number.isSafeInteger(page) && page > 0 && page < 100_000 ? page : 1,
  };
}
