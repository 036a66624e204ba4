// Audit entries in words (issue 20): every action the server can write (AUDIT_ACTIONS, which
// AuditEntry.action is typed by, so no writer can use another) has a sentence in English and Korean
// with the same placeholders, and renders with the actor's name, the case and its details in words:
// no code, no JSON, no placeholder left. The sentences are rendered with React's server renderer and
// the real catalogs.
import { createElement, Fragment, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, type AuditAction } from "../../app/.server/audit/audit";
import { auditSentence, type AuditEventView } from "../../app/components/audit-event";
import { formatDay, isMessageKey, translator, type Locale } from "../../app/i18n";
import { en } from "../../app/i18n/en";
import { ko } from "../../app/i18n/ko";

const ACTOR = "00000000-0000-4000-8000-00000000000a";
const OTHER = "00000000-0000-4000-8000-00000000000b";
const CATEGORY = "00000000-0000-4000-8000-00000000000c";
const names = new Map([
  [ACTOR, "Kang Min-ji"],
  [OTHER, "Yoon Seo-yeon"],
]);

/** Details as the writers give them (ids, codes, counts, days); one set covers every key, `reason` differs by action. */
const DETAILS: AuditEventView["details"] = {
  via: "totp_setup",
  staffUserId: OTHER,
  granteeId: OTHER,
  assigneeId: OTHER,
  role: "investigator",
  author: "affiliate",
  from: "received",
  to: "closed",
  outcome: "substantiated",
  priority: "high",
  event: "question",
  affiliate: "cloud",
  items: "title,attachments",
  legalBasis: "consent",
  retainUntil: "2030-01-31",
  categoryId: CATEGORY,
  active: false,
  page: 2,
  rows: 50,
  failures: 5,
  windowMinutes: 15,
  clients: 3,
  count: 4,
  version: 2,
  unkeyedEntries: 12,
  shareId: "00000000-0000-4000-8000-0000000000ff",
};
const OVERRIDES: Partial<Record<AuditAction, AuditEventView["details"]>> = {
  "hold.placed": { reason: "litigation" },
  "case.destroyed": { reason: "retention" },
  "privacy.deletion_refused": { reason: "legal_retention", basis: "national_tax" },
  "case.archived": { basis: "national_tax" },
  "archive.destroyed": { legalBasis: "national_tax" },
  "auth.backoff_cleared": { via: "cli" },
  "staff.created": { via: "invitation" },
  "mask.revealed": { maskId: "00000000-0000-4000-8000-0000000000ee", reason: "investigation_need" },
  "mask.lifted": { maskId: "00000000-0000-4000-8000-0000000000ee", reason: "masked_in_error" },
  "case.exported": { parts: "report,notes,history,files", exportId: "00000000-0000-4000-8000-0000000000ee" },
  // Identity access (ADR 052): the reason code in words.
  "identity.requested": { reason: "protection_measures" },
  "identity.approved": { reason: "protection_measures" },
  "identity.refused": { reason: "legal_obligation" },
  "identity.released": { reason: "reporter_consent" },
  "identity.settings_changed": { requireApproval: true, reasons: 3 },
};

function render(action: string, locale: Locale, entry: Partial<AuditEventView> = {}): string {
  const t = translator(locale);
  const e: AuditEventView = {
    actorType: "staff",
    actorId: ACTOR,
    action,
    caseNumber: "COR-AB12-CD34",
    details: { ...DETAILS, ...OVERRIDES[action as AuditAction] },
    ...entry,
  };
  const node = auditSentence(e, {
    t,
    names,
    categories: new Map([[CATEGORY, locale === "ko" ? "횡령" : "Embezzlement"]]),
    affiliates: new Map([["cloud", locale === "ko" ? "오케스트로 클라우드" : "OKESTRO Cloud"]]),
    day: (d) => formatDay(d, locale),
  });
  return markup(node).replace(/<[^>]*>/g, "");
}

const markup = (node: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, node));
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("audit sentences", () => {
  it("the list holds each action once", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(AUDIT_ACTIONS.length).toBeGreaterThan(40);
  });

  it.each([...AUDIT_ACTIONS])("%s has a sentence in English and Korean with the same placeholders", (action) => {
    const key = `audit.event.${action}`;
    expect(isMessageKey(key), `no sentence for ${action}: add "${key}" to app/i18n/en.ts and ko.ts`).toBe(true);
    const enText = (en as Record<string, string>)[key]!;
    const koText = (ko as Record<string, string>)[key]!;
    expect(placeholders(koText)).toEqual(placeholders(enText));
    expect(placeholders(enText)).toContain("actor");
  });

  it.each([...AUDIT_ACTIONS])("%s renders in words with the actor's name and the case", (action) => {
    for (const locale of ["en", "ko"] as const) {
      const text = render(action, locale);
      const template = translator(locale)(`audit.event.${action}` as never);
      expect(text, `${action} (${locale}): ${text}`).not.toMatch(/[{}]|—|undefined|null|\[object/);
      expect(text).not.toContain(action);
      expect(text).toContain("Kang Min-ji");
      if (template.includes("{case}")) expect(text).toContain("COR-AB12-CD34");
      if (template.includes("{account}") || template.includes("{assignee}")) expect(text).toContain("Yoon Seo-yeon");
      // Codes in the details are words: none of the details' code values is shown as it is.
      // (English words may equal a code, as "investigator" or "question" do; Korean ones never do.)
      const codes = [
        "totp_setup",
        "substantiated",
        "received",
        "legal_retention",
        "national_tax",
        "litigation",
        "attachments",
        "investigation_need",
        "masked_in_error",
      ];
      for (const code of locale === "ko" ? [...codes, "investigator", "question", "affiliate", "cloud", "consent"] : codes)
        expect(text, `${action} (${locale}) shows the code ${code}`).not.toContain(code);
    }
  });

  it("names an export's parts in words", () => {
    expect(render("case.exported", "en", { details: { parts: "report,notes,history" } })).toBe(
      "Kang Min-ji exported case COR-AB12-CD34 as a signed ZIP (report, internal notes, status history).",
    );
    expect(render("case.exported", "ko", { details: { parts: "report,notes,history" } })).toBe(
      "Kang Min-ji이(가) 사건 COR-AB12-CD34을(를) 서명된 ZIP으로 내보냈습니다 (제보 내용, 내부 메모, 상태 이력).",
    );
  });

  it("turns the details into words, e.g. a sign-in after setting up two-factor authentication", () => {
    expect(render("auth.login", "en", { details: { via: "totp_setup" } })).toBe("Kang Min-ji signed in after setting up two-factor authentication.");
    expect(render("auth.login", "ko", { details: { via: "totp_setup" } })).toBe("Kang Min-ji이(가) 2단계 인증을 설정하고 로그인했습니다.");
    expect(render("case.status", "en", { details: { from: "investigating", to: "closed", outcome: "referred" } })).toBe(
      "Kang Min-ji moved case COR-AB12-CD34 from Investigating to Closed, with the outcome “Referred elsewhere”.",
    );
    expect(render("case.assigned", "en", { details: { assigneeId: null } })).toBe("Kang Min-ji assigned case COR-AB12-CD34 to nobody.");
  });

  it("names the portal for its own entries and a role-less 'staff member' for an account it does not know", () => {
    expect(render("share.expired", "en", { actorType: "system", actorId: null })).toMatch(/^The portal ended a share of case COR-AB12-CD34/);
    expect(render("share.expired", "ko", { actorType: "system", actorId: null })).toMatch(/^포털 시스템이\(가\)/);
    expect(render("case.opened", "en", { actorId: "00000000-0000-4000-8000-000000000099" })).toBe("A staff member opened case COR-AB12-CD34.");
  });

  it("names an action this version does not know, as text", () => {
    expect(render("future.thing<b>", "en")).toBe("Entry of a kind this version does not describe: future.thing&lt;b&gt;");
    expect(
      markup(auditSentence({ actorType: "staff", actorId: null, action: "<b>x</b>", details: {} }, { t: translator("en"), names, day: (d) => d })),
    ).not.toContain("<b>");
  });

  it("shows a name with hidden direction controls as markers, not applied", () => {
    const text = render("case.opened", "en", { actorId: OTHER, details: {} }).replace("Yoon Seo-yeon", "");
    expect(text).toBe(" opened case COR-AB12-CD34.");
    const hostile = markup(
      auditSentence(
        { actorType: "staff", actorId: ACTOR, action: "case.opened", caseNumber: "COR-AB12-CD34", details: {} },
        { t: translator("en"), names: new Map([[ACTOR, "Lee\u202Eeel"]]), day: (d) => d },
      ),
    );
    expect(hostile).not.toContain("\u202E");
    expect(hostile).toContain('<bdi class="user-text"');
  });
});
