// The reporter's identity behind a recorded reason (ADR 052). Nothing of the
// identity reaches this browser until the investigator records a reason: a
// code from the administrators' list and a free text encrypted here under the
// case key. With approval required, a second investigator who can read the
// case sees the reason (never the identity) and approves or refuses it. Every
// access is listed here, audited, and shown to the reporter by day and reason.
import { useCallback, useEffect, useState } from "react";
import type { ReporterIdentity } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import type { IdentityState } from "../../shared/identity-wire";
import type { CaseContext } from "../../staff/case-actions";
import { decideIdentity, identityState, openReleasedIdentity, reasonText, requestIdentity } from "../../staff/identity-access";
import type { StaffCaseView } from "../../staff/wire";
import { errorCode, useAction } from "../use-action";
import { TableScroll } from "../table-scroll";
import { UserText } from "../user-text";
import { formOf } from "./section";

/** Errors with words of their own; anything else shows its code. */
const ERRORS = new Set(["bad_reason", "already_released", "request_pending", "own_request", "not_pending", "no_identity", "reason_required"]);

export const REASON_TEXT_MAX = 2000;

export function IdentitySection(props: {
  c: Pick<StaffCaseView, "id" | "consentAffiliateIdentity" | "hasIdentity" | "auditTrail">;
  ctx: CaseContext;
  /** The signed-in investigator: their own pending request cannot be decided by them. */
  me: string;
  names: ReadonlyMap<string, string>;
  /** The opened identity for the rest of the page (sharing); null until released. */
  onIdentity?: (identity: ReporterIdentity | null) => void;
}) {
  const { c, ctx, me, names, onIdentity } = props;
  const { t, tx, locale, when, day } = useI18n();
  const [state, setState] = useState<IdentityState | null>(null);
  const [identity, setIdentity] = useState<ReporterIdentity | null>(null);
  const action = useAction((e) => {
    const code = errorCode(e);
    return ERRORS.has(code) ? t(`identity.errors.${code}` as MessageKey) : t("staff.errors.generic", { code });
  });
  const load = useCallback(async () => {
    const next = await identityState(ctx.client, c.id);
    const opened = openReleasedIdentity(next, ctx.keys, c.id);
    setState(next);
    setIdentity(opened);
    onIdentity?.(opened);
  }, [ctx.client, ctx.keys, c.id, onIdentity]);
  // Again whenever the case reloads (its history grows with every decision).
  const latest = c.auditTrail[0]?.seq ?? 0;
  useEffect(() => {
    void action.run(load);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, latest]);

  const name = (id: string | null) => <UserText text={(id && names.get(id)) ?? t("audit.actor.unknown")} />;
  const label = (l: { ko: string; en: string }) => <UserText text={locale === "ko" ? l.ko : l.en} />;
  const mine = state?.accesses.filter((a) => a.staffUserId === me) ?? [];
  const waiting = mine.some((a) => a.state === "pending");
  const pendingOthers = state?.accesses.filter((a) => a.state === "pending" && a.staffUserId !== me) ?? [];

  return (
    <>
      {action.error ? (
        <p className="notice notice--error" role="alert" data-testid="identity-error">
          {action.error}
        </p>
      ) : null}
      {action.notice ? (
        <p className="notice" role="status">
          {action.notice}
        </p>
      ) : null}
      {!c.hasIdentity ? (
        <p data-testid="identity-none">{t("staff.case.noIdentity")}</p>
      ) : identity ? (
        <>
          <dl className="dates" data-testid="identity-released">
            <dt>{t("report.reporterName")}</dt>
            <dd>
              <UserText text={identity.name} fallback="—" />
            </dd>
            <dt>{t("report.email")}</dt>
            <dd>
              <UserText text={identity.email} kind="identifier" fallback="—" />
            </dd>
            <dt>{t("report.phone")}</dt>
            <dd>
              <UserText text={identity.phone} kind="identifier" fallback="—" />
            </dd>
          </dl>
          {identity.email ? <p className="hint">{identity.notify?.email ? t("notify.reporter.wanted") : t("notify.reporter.notWanted")}</p> : null}
        </>
      ) : state?.released ? (
        <p className="notice notice--error">{t("staff.case.unreadable")}</p>
      ) : (
        <>
          <p className="hint">{t("identity.withheld")}</p>
          {state?.requireApproval ? <p className="hint">{t("identity.approvalRequired")}</p> : null}
          {waiting ? (
            <p className="notice" data-testid="identity-waiting">
              {t("identity.waiting")}{" "}
              <button type="button" className="link-button" disabled={action.busy} onClick={() => void action.run(load)}>
                {t("identity.checkAgain")}
              </button>
            </p>
          ) : state ? (
            <form
              data-testid="identity-request"
              onSubmit={(e) => {
                const { form, data } = formOf(e);
                const code = String(data.get("reasonCode") ?? "");
                const text = String(data.get("reasonText") ?? "").trim();
                void action.run(async () => {
                  if (!text) throw Object.assign(new Error("reason"), { code: "reason_required" });
                  const r = await requestIdentity(ctx.client, ctx.keys, c.id, code, text);
                  form.reset();
                  await load();
                  return r.state === "released" ? t("identity.released") : t("identity.requested");
                });
              }}
            >
              <p>
                <label htmlFor="identity-reason-code">{t("identity.reasonCode")}</label>
                <select id="identity-reason-code" name="reasonCode" required>
                  {state.reasons.map((r) => (
                    <option key={r.code} value={r.code}>
                      {locale === "ko" ? r.ko : r.en}
                    </option>
                  ))}
                </select>
              </p>
              <p>
                <label htmlFor="identity-reason-text">{t("identity.reasonText")}</label>
                <textarea id="identity-reason-text" name="reasonText" required maxLength={REASON_TEXT_MAX} rows={3} aria-describedby="identity-reason-hint" />
                <span id="identity-reason-hint" className="hint">
                  {t("identity.reasonHint")}
                </span>
              </p>
              <button type="submit" className="button" disabled={action.busy}>
                {state.requireApproval ? t("identity.ask") : t("identity.open")}
              </button>
            </form>
          ) : null}
        </>
      )}
      <p className="hint" data-testid="identity-share-rule">
        {t("staff.case.consentAffiliate", { value: c.consentAffiliateIdentity ? "✓" : "✗" })} {t("identity.shareRule")}
      </p>

      {pendingOthers.length > 0 ? (
        <>
          <h3>{t("identity.pendingTitle")}</h3>
          <ul data-testid="identity-pending">
            {pendingOthers.map((a) => (
              <li key={a.id}>
                {tx("identity.pendingItem", { who: name(a.staffUserId), reason: label(a.reasonLabel), when: when(a.requestedAt) })}
                <blockquote className="pre">
                  <UserText text={reasonText(ctx.keys, c.id, a)} kind="prose" fallback={t("staff.case.unreadable")} />
                </blockquote>
                <button
                  type="button"
                  className="button"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => (await decideIdentity(ctx.client, c.id, a.id, "approve"), await load(), t("identity.approvedNotice")))
                  }
                >
                  {t("identity.approve")}
                </button>{" "}
                <button
                  type="button"
                  className="button"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => (await decideIdentity(ctx.client, c.id, a.id, "refuse"), await load(), t("identity.refusedNotice")))
                  }
                >
                  {t("identity.refuse")}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {state && state.accesses.length > 0 ? (
        <TableScroll label={t("identity.historyTitle")}>
          <table data-testid="identity-accesses">
            <caption>{t("identity.historyTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("identity.col.who")}</th>
                <th scope="col">{t("identity.col.reason")}</th>
                <th scope="col">{t("identity.col.state")}</th>
                <th scope="col">{t("identity.col.when")}</th>
              </tr>
            </thead>
            <tbody>
              {state.accesses.map((a) => (
                <tr key={a.id}>
                  <td>{name(a.staffUserId)}</td>
                  <td>{label(a.reasonLabel)}</td>
                  <td>
                    {t(`identity.state.${a.state}` as MessageKey)}
                    {a.decidedBy ? <> ({name(a.decidedBy)})</> : null}
                  </td>
                  <td>{a.releasedOn ? day(a.releasedOn) : when(a.requestedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
    </>
  );
}
