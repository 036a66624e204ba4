// The life of a case on the investigator's case page: when it will be
// destroyed, legal holds that stop that, and moving a closed case into the
// separate archive (built and encrypted here for the administrators).
import { useNavigate } from "@remix-run/react";
import { type FormEvent } from "react";
import type { ReportKeys } from "../../crypto";
import { type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { archiveCase, type ArchivableCase } from "../staff/archive-builder";
import { liftHold, placeHold, type HoldReason } from "../staff/case-actions";
import type { StaffClient } from "../staff/staff-client";
import { RETENTION_BASIS_CODES } from "../staff/wire";
import { Field } from "./field";
import { ActionResult, type ActProps } from "./staff-case/section-action";
import { UserText } from "./user-text";

export const HOLD_REASONS = ["litigation", "regulatory_inquiry", "law_enforcement", "internal_investigation"] as const;

export interface Hold {
  id: string;
  reason: (typeof HOLD_REASONS)[number];
  placedOn: string;
  placedBy: string;
  liftedOn: string | null;
  liftedBy: string | null;
}

export function RetentionBasisSelect(props: { name: string; label: string }) {
  const { t } = useI18n();
  return (
    <Field name={props.name} label={props.label} required>
      {(aria) => (
        <select name="basis" defaultValue="" {...aria}>
          <option value="" disabled>
            —
          </option>
          {RETENTION_BASIS_CODES.map((b) => (
            <option key={b} value={b}>
              {t(`retention.basis.${b}`)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CaseRetention(
  props: ActProps & {
    c: ArchivableCase & { status: string };
    keys: ReportKeys;
    client: StaffClient;
    holds: Hold[];
    retentionOn: string | null;
    retentionYears: number;
    category: { ko: string; en: string } | null;
    names: Map<string, string>;
  },
) {
  const { c, act, busy } = props;
  const { t, tx, href, day } = useI18n();
  const navigate = useNavigate();
  const active = props.holds.filter((h) => h.liftedOn === null);
  const ctx = { client: props.client, reportId: c.id, keys: props.keys };

  const onPlaceHold = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const reason = String(new FormData(form).get("reason") ?? "") as HoldReason | "";
    if (reason) void act(() => placeHold(ctx, reason), { form, slot: "hold" });
  };
  const archive = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const basis = String(new FormData(e.currentTarget).get("basis") ?? "") as (typeof RETENTION_BASIS_CODES)[number];
    if (!basis || !window.confirm(t("retention.archive.confirm"))) return;
    void act(
      async () => {
        await archiveCase(props.client, c, props.keys, props.category, basis);
        navigate(href("/staff"));
      },
      { slot: "archive" },
    );
  };

  return (
    <>
      <p data-testid="case-retention">
        {active.length > 0
          ? t("retention.held")
          : props.retentionOn
            ? t("retention.keptUntil", { date: day(props.retentionOn) })
            : t("retention.keptAfterClosing", { years: props.retentionYears })}
      </p>
      <h3>{t("retention.holds")}</h3>
      {props.holds.length === 0 ? <p>{t("retention.hold.none")}</p> : null}
      <ul data-testid="case-holds">
        {props.holds.map((h) => (
          <li key={h.id}>
            {h.liftedOn
              ? t("retention.hold.lifted", { reason: t(`retention.hold.reason.${h.reason}`), placed: day(h.placedOn), lifted: day(h.liftedOn) })
              : tx("retention.hold.active", {
                  reason: t(`retention.hold.reason.${h.reason}`),
                  date: day(h.placedOn),
                  name: <UserText text={props.names.get(h.placedBy)} />,
                })}{" "}
            {h.liftedOn ? null : (
              <button type="button" className="link-button" disabled={busy} onClick={() => void act(() => liftHold(ctx, h.id), { slot: h.id })}>
                {t("retention.hold.lift")}
              </button>
            )}
            <ActionResult slot={h.id} />
          </li>
        ))}
      </ul>
      <form method="post" noValidate onSubmit={onPlaceHold}>
        <p className="hint">{t("retention.hold.intro")}</p>
        <Field name="hold-reason" label={t("retention.hold.reason")} required>
          {(aria) => (
            <select name="reason" defaultValue="" {...aria}>
              <option value="" disabled>
                —
              </option>
              {HOLD_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`retention.hold.reason.${r}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("retention.hold.place")}
        </button>
        <ActionResult slot="hold" />
      </form>
      <h3>{t("retention.archive")}</h3>
      <p className="hint">{t("retention.archive.intro")}</p>
      {c.status !== "closed" ? (
        <p>{t("retention.archive.closedOnly")}</p>
      ) : active.length > 0 ? (
        <p>{t("retention.archive.held")}</p>
      ) : (
        <form method="post" noValidate onSubmit={archive}>
          <RetentionBasisSelect name="archive-basis" label={t("retention.archive.basis")} />
          <button type="submit" className="button button--danger" disabled={busy}>
            {t("retention.archive.submit")}
          </button>
        </form>
      )}
      <ActionResult slot="archive" />
    </>
  );
}
