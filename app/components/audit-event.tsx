// An audit entry as a sentence in the reader's language (issue 20): who did what, to which case, with the
// entry's details in words ({"via":"totp_setup"} becomes "after setting up two-factor authentication").
// Used by the administrators' audit log and the case history. Each action the server writes
// (AUDIT_ACTIONS in app/.server/audit/audit.ts) has a catalog sentence `audit.event.<action>`;
// test/unit/audit-sentences.test.ts fails for one without. Names, case numbers and unknown codes are
// rendered as user text (isolated, controls shown), never as markup. Ids in the details (share, hold,
// request, file) are left out: they mean nothing to a reader.
import type { ReactNode } from "react";
import { isMessageKey, type Translate } from "../i18n";
import { interpolate, useI18n } from "../i18n/react";
import { renderUserText } from "./user-text";

export interface AuditEventView {
  actorType: string;
  actorId: string | null;
  action: string;
  /** The case the entry is about, when there is one. */
  caseNumber?: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

export interface AuditWords {
  t: Translate;
  /** Display names of staff by id: the actor and the accounts the details name. */
  names: ReadonlyMap<string, string>;
  /** Report category names (reader's language) by id, for `category.saved`. */
  categories?: ReadonlyMap<string, string>;
  /** Affiliate names (reader's language) by slug. */
  affiliates?: ReadonlyMap<string, string>;
  /** A calendar day in the reader's language. */
  day(d: string): string;
}

/** The sentence for one entry; an action this version has no sentence for is named as it is. */
export function auditSentence(e: AuditEventView, w: AuditWords): ReactNode {
  const { t } = w;
  const d = e.details ?? {};
  const text = (value: string, kind: "name" | "identifier" = "identifier") => renderUserText({ text: value, kind }, t);
  /** A code in words when the catalog has `prefix + code`, else the code itself, as user text. */
  const word = (prefix: string, code: unknown): ReactNode => {
    if (code === null || code === undefined) return "—";
    const key = `${prefix}${String(code)}`;
    return isMessageKey(key) ? t(key) : text(String(code));
  };
  const person = (id: unknown, unknown: ReactNode): ReactNode => {
    const name = typeof id === "string" ? w.names.get(id) : undefined;
    return name !== undefined ? text(name, "name") : unknown;
  };
  const actor: ReactNode = e.actorId
    ? person(e.actorId, t("audit.actor.unknown"))
    : e.actorType === "system"
      ? t("audit.actor.system")
      : t("audit.actor.unknown");
  const key = `audit.event.${e.action}`;
  if (!isMessageKey(key)) return interpolate(t("audit.unrecognised"), { action: text(e.action) });

  const sharing = e.action.startsWith("share.");
  // A share names its legal basis (consent or the policy); an archive and a refusal the statute.
  const basis = sharing ? d.legalBasis : (d.basis ?? d.legalBasis);
  const category = typeof d.categoryId === "string" ? w.categories?.get(d.categoryId) : undefined;
  const categoryName = category !== undefined ? text(category, "name") : "—";
  const params: Record<string, ReactNode> = {
    actor,
    case: e.caseNumber ? text(e.caseNumber) : "—",
    account: person(d.staffUserId ?? d.granteeId, t("audit.account.unknown")),
    assignee: d.assigneeId ? person(d.assigneeId, t("audit.account.unknown")) : t("audit.nobody"),
    via: word("audit.via.", d.via),
    role: word("role.", d.role),
    author: word("role.", d.author),
    from: word("staff.status.", d.from),
    to: word("staff.status.", d.to),
    outcome: d.outcome ? interpolate(t("audit.outcome"), { outcome: word("staff.case.outcome.", d.outcome) }) : "",
    priority: word("staff.case.priority.", d.priority),
    event: word("audit.reporterEvent.", d.event),
    affiliate:
      typeof d.affiliate === "string" && w.affiliates?.has(d.affiliate) ? text(w.affiliates.get(d.affiliate)!, "name") : word("affiliate.name.", d.affiliate),
    items:
      typeof d.items === "string"
        ? d.items
            .split(",")
            .filter(Boolean)
            .map((i) => {
              const k = `share.item.${i}`;
              return isMessageKey(k) ? t(k) : i;
            })
            .join(", ")
        : "—",
    parts:
      typeof d.parts === "string"
        ? d.parts
            .split(",")
            .filter(Boolean)
            .map((p) => {
              const k = `export.short.${p}`;
              return isMessageKey(k) ? t(k) : p;
            })
            .join(", ")
        : "—",
    basis: sharing ? word("share.basis.", basis) : word("retention.basis.", basis),
    until: typeof d.retainUntil === "string" ? w.day(d.retainUntil) : "—",
    change:
      d.categoryId === null || d.categoryId === undefined
        ? t("audit.category.added")
        : interpolate(t(d.active === true ? "audit.category.on" : d.active === false ? "audit.category.off" : "audit.category.renamed"), {
            category: categoryName,
          }),
    approval: d.requireApproval === true ? t("identity.audit.approvalOn") : t("identity.audit.approvalOff"),
    reason: e.action.startsWith("mask.")
      ? word("mask.reason.", d.reason)
      : e.action.startsWith("identity.")
        ? word("identity.reason.", d.reason)
        : e.action === "hold.placed"
          ? word("retention.hold.reason.", d.reason)
          : e.action === "case.destroyed"
            ? word("admin.stats.reason.", d.reason)
            : e.action === "privacy.deletion_refused"
              ? d.reason === "legal_retention"
                ? interpolate(t("audit.refusal.legal_retention"), { basis: word("retention.basis.", basis) })
                : word("audit.refusal.", d.reason)
              : "—",
  };
  for (const [name, value] of Object.entries({
    page: d.page,
    rows: d.rows,
    failures: d.failures,
    minutes: d.windowMinutes,
    clients: d.clients,
    count: d.count,
    version: d.version,
    entries: d.unkeyedEntries,
    reasons: d.reasons,
  }))
    params[name] = typeof value === "number" ? String(value) : "—";
  return interpolate(t(key), params);
}

export function AuditSentence(props: { entry: AuditEventView } & Omit<AuditWords, "t" | "day">) {
  const { t, day } = useI18n();
  return <>{auditSentence(props.entry, { ...props, t, day: (x) => day(x) })}</>;
}
