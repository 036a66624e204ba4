// Sharing a case with OKESTRO Cloud or OKESTRO AGI, on the investigator's case
// page: the share form (items, redaction, purpose, retention), the case's
// shares with their reviewers, feedback, update and revocation, and the record
// of provision. Everything the affiliate gets is built and encrypted here.
import { Fragment, useState, type FormEvent, type ReactNode } from "react";
import {
  decryptFeedback,
  fromBase64Url,
  IDENTITY_ITEMS,
  SHARE_PURPOSES,
  unwrapFeedbackKeyForCase,
  type ReportBody,
  type ReporterIdentity,
  type ReportKeys,
  type SharePackage,
  type SharePurpose,
} from "../../crypto";
import { type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { attempt } from "../staff/decrypt";
import * as builder from "../staff/share-builder";
import type { StaffClient } from "../staff/staff-client";
import type { CaseProvision, CaseShare } from "../staff/wire";
import { Field } from "./field";
import { SharedFields } from "./shared-fields";
import { ActionResult, type ActProps } from "./staff-case/section-action";
import { UserText } from "./user-text";
import { TableScroll } from "./table-scroll";

export type { CaseProvision, CaseShare };

type TextField = "title" | "description" | "details";
const TEXT_FIELDS: TextField[] = ["title", "description", "details"];
const REDACTION = "█████";

export interface SharedCaseContent {
  id: string;
  caseNumber: string;
  consentAffiliateIdentity: boolean;
  category: { ko: string; en: string } | null;
  title: string | null;
  body: ReportBody | null;
  /** The identity as released to this investigator after a recorded reason (ADR 052); null before. */
  identity: ReporterIdentity | null;
  /** Whether the reporter gave contact details at all. */
  hasIdentity?: boolean;
  files: { id: string; name: string; type: string; size: number; fileKeyWrapped: string }[];
  /** Body fields with masked passages (ADR 053): `body` has them as markers; a share of them counts as redacted. */
  maskedFields?: readonly string[];
  /** A share package as staff may see it: the masked passages hidden (in a share made before the masks). */
  maskPackage?: (pkg: SharePackage) => SharePackage;
}

/** The share's package opened, with masked passages hidden (ADR 053). */
function openPackage(c: SharedCaseContent, keys: ReportKeys, share: CaseShare): SharePackage | null {
  const pkg = attempt(() => builder.openSharedPackage(keys, c.id, share));
  return pkg && c.maskPackage ? c.maskPackage(pkg) : pkg;
}

interface Props extends ActProps {
  c: SharedCaseContent;
  keys: ReportKeys;
  client: StaffClient;
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionYears: number;
  /** RETENTION_YEARS after the case closed, once it has (computed by the server, as it enforces it). */
  caseRetentionOn: string | null;
  names: Map<string, string>;
}

export function CaseShares(props: Props) {
  const { c, keys, client, act, busy } = props;
  const { t, tx, day, when } = useI18n();
  const [editing, setEditing] = useState<{ share: CaseShare | null } | null>(null);
  const affiliateName = (slug: string) => t(`affiliate.name.${slug}` as MessageKey);
  const itemsText = (items: string[]) => items.map((i) => t(`share.item.${i}` as MessageKey)).join(", ");
  const retentionText = (on: string | null) => (on ? day(on) : t("share.retention.default", { years: props.retentionYears }));

  return (
    <>
      <p className="hint">{t("share.intro")}</p>
      {props.shares.length === 0 ? <p>{t("share.list.empty")}</p> : null}
      <ul className="share-list" data-testid="case-shares">
        {props.shares.map((share) => {
          const pkg = openPackage(c, keys, share);
          const feedbackKey = attempt(() => unwrapFeedbackKeyForCase(keys.caseKey, c.id, share.id, fromBase64Url(share.feedbackKey)));
          const state = share.state !== "active" ? share.state : share.expired ? "expired" : "active";
          return (
            <li key={share.id} className="share" data-testid={`share-${share.affiliate}`}>
              <h3>
                {affiliateName(share.affiliate)} · <span data-testid="share-state">{t(`share.state.${state}`)}</span>
              </h3>
              <p>
                {t("share.meta", { version: share.version, created: day(share.createdOn), updated: day(share.updatedOn) })} ·{" "}
                {t(`share.purpose.${share.purpose}`)} · {t(`share.basis.${share.legalBasis}`)} · {t("share.retention")}: {retentionText(share.retentionOn)}
              </p>
              {share.state === "active" ? (
                <>
                  <p>
                    {tx("share.holders", {
                      names:
                        share.holders.length === 0
                          ? "—"
                          : share.holders.map((h, i) => (
                              <Fragment key={h.id}>
                                {i > 0 ? ", " : null}
                                <UserText text={h.displayName} />
                              </Fragment>
                            )),
                    })}
                  </p>
                  {share.identityWithheld ? (
                    <p className="notice" data-testid="share-identity-withheld">
                      {t("shareWithheld.notice")}
                    </p>
                  ) : null}
                  {share.awaiting.length > 0 && !share.identityWithheld ? (
                    <p>
                      {t("share.awaiting")}{" "}
                      {share.awaiting.map((r) => (
                        <button
                          key={r.id}
                          type="button"
                          className="link-button"
                          disabled={busy}
                          onClick={() => void act(() => builder.grantShare(client, c.id, keys, share, r), { slot: share.id })}
                        >
                          {tx("share.grant", { name: <UserText text={r.displayName} /> })}
                        </button>
                      ))}
                    </p>
                  ) : null}
                  {pkg ? <SharedPackageView pkg={pkg} /> : null}
                  <p>
                    <button type="button" className="button" disabled={busy || !pkg} onClick={() => setEditing({ share })}>
                      {t("share.update")}
                    </button>{" "}
                    <button
                      type="button"
                      className="button button--danger"
                      disabled={busy}
                      onClick={() => {
                        if (window.confirm(t("share.revoke.confirm")))
                          void act(() => client.caseOp(c.id, "share-revoke", { shareId: share.id }), { slot: share.id });
                      }}
                    >
                      {t("share.revoke")}
                    </button>
                  </p>
                </>
              ) : null}
              <h4>{t("share.feedback")}</h4>
              {share.feedback.length === 0 ? <p className="hint">{t("share.feedback.none")}</p> : null}
              <ol className="dialogue" data-testid="share-feedback">
                {share.feedback.map((f) => {
                  const plain = feedbackKey ? attempt(() => decryptFeedback(feedbackKey, share.id, f.id, fromBase64Url(f.body), f.author)) : null;
                  return (
                    <li key={f.id} className={`dialogue__item dialogue__item--${f.author === "affiliate" ? "reporter" : "investigator"}`}>
                      <p className="dialogue__meta">
                        <strong>
                          {f.author === "affiliate" ? (
                            <>
                              <UserText text={props.names.get(f.staffUserId)} /> ({affiliateName(share.affiliate)})
                            </>
                          ) : (
                            <UserText text={props.names.get(f.staffUserId)} fallback={t("share.feedback.ethics")} />
                          )}
                        </strong>{" "}
                        · {when(f.createdAt)}
                      </p>
                      <p className="pre">
                        <UserText text={plain?.text} kind="prose" fallback={t("staff.case.unreadable")} />
                      </p>
                    </li>
                  );
                })}
              </ol>
              {share.state === "active" && !share.expired ? (
                <form
                  method="post"
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    const form = e.currentTarget;
                    const text = String(new FormData(form).get("reply") ?? "").trim();
                    if (text) void act(() => builder.replyToFeedback(client, c.id, keys, share, text), { form, slot: share.id });
                  }}
                >
                  <Field name={`reply-${share.id}`} label={t("share.feedback.reply")}>
                    {(aria) => <textarea name="reply" rows={2} maxLength={10_000} {...aria} />}
                  </Field>
                  <button type="submit" className="button" disabled={busy}>
                    {t("share.feedback.send")}
                  </button>
                </form>
              ) : null}
              <ActionResult slot={share.id} />
            </li>
          );
        })}
      </ul>

      {editing ? (
        <ShareForm {...props} share={editing.share} onDone={() => setEditing(null)} />
      ) : (
        <p>
          <button type="button" className="button button--primary" disabled={busy} onClick={() => setEditing({ share: null })}>
            {t("share.new")}
          </button>
        </p>
      )}
      <ActionResult slot="share-form" />

      {props.provisions.length > 0 ? (
        <>
          <h3>{t("share.provisions")}</h3>
          <p className="hint">{t("share.provisions.intro")}</p>
          <TableScroll label={t("share.provisions")}>
            <table data-testid="provisions">
              <thead>
                <tr>
                  <th scope="col">{t("share.provisions.date")}</th>
                  <th scope="col">{t("share.provisions.affiliate")}</th>
                  <th scope="col">{t("share.provisions.items")}</th>
                  <th scope="col">{t("share.provisions.purpose")}</th>
                  <th scope="col">{t("share.provisions.basis")}</th>
                  <th scope="col">{t("share.provisions.retention")}</th>
                  <th scope="col">{t("share.provisions.by")}</th>
                  <th scope="col">{t("share.provisions.status")}</th>
                </tr>
              </thead>
              <tbody>
                {props.provisions.map((p) => (
                  <tr key={`${p.affiliate}-${p.providedOn}-${p.version}-${p.items.join()}`}>
                    <td>{day(p.providedOn)}</td>
                    <td>{affiliateName(p.affiliate)}</td>
                    <td>{itemsText(p.items)}</td>
                    <td>{t(`share.purpose.${p.purpose}`)}</td>
                    <td>{t(`share.basisShort.${p.legalBasis}`)}</td>
                    <td>{retentionText(p.retainUntil)}</td>
                    <td>
                      <UserText text={props.names.get(p.providedBy)} />
                    </td>
                    <td>{p.endReason ? t(`share.provisions.ended.${p.endReason}`, { date: day(p.endedOn) }) : t("share.provisions.current")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}
    </>
  );
}

function SharedPackageView({ pkg }: { pkg: SharePackage }) {
  const { t } = useI18n();
  return (
    <details>
      <summary>{t("share.shown")}</summary>
      <SharedFields pkg={pkg} fileNames />
    </details>
  );
}

/** The share form; for an update it starts from what the current version holds (its redactions included). */
function ShareForm(props: Props & { share: CaseShare | null; onDone: () => void }) {
  const { c, keys, client, share } = props;
  const { t, locale, day } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const previous = share ? openPackage(c, keys, share) : null;
  const had = (item: string) => (share ? share.items.includes(item) : false);
  const identityAllowed = c.consentAffiliateIdentity && c.identity !== null;
  const original: Record<TextField, string> = { title: c.title ?? "", description: c.body?.description ?? "", details: c.body?.details ?? "" };
  const start = (f: TextField) => previous?.fields[f] ?? original[f];

  const redact = (field: TextField) => {
    const area = document.getElementById(`share-text-${field}`) as HTMLTextAreaElement | null;
    if (!area || area.selectionStart === area.selectionEnd) return;
    area.setRangeText(REDACTION, area.selectionStart, area.selectionEnd, "end");
    area.focus();
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const items = new Set(data.getAll("item").map(String));
    const fileIds = new Set(data.getAll("file").map(String));
    if (items.size === 0 && fileIds.size === 0) {
      setError(t("share.nothingSelected"));
      return;
    }
    const fields: SharePackage["fields"] = {};
    const redacted: SharePackage["redacted"] = [];
    for (const f of TEXT_FIELDS) {
      if (!items.has(f)) continue;
      const text = String(data.get(`text-${f}`) ?? "");
      fields[f] = text;
      if (text !== original[f] || c.maskedFields?.includes(f)) redacted.push(f);
    }
    if (items.has("category") && c.category) fields.category = c.category;
    if (items.has("period") && c.body) fields.period = { from: c.body.periodFrom, to: c.body.periodTo };
    if (identityAllowed) for (const k of IDENTITY_ITEMS) if (items.has(k)) fields[k as "name"] = c.identity![k as "name"];
    const selection: builder.ShareSelection = {
      affiliate: (share?.affiliate ?? String(data.get("affiliate") ?? "cloud")) as "cloud" | "agi",
      purpose: String(data.get("purpose") ?? "fact_finding") as SharePurpose,
      purposeNote: String(data.get("purposeNote") ?? "").trim() || null,
      retainUntil: String(data.get("retainUntil") ?? "") || null,
      fields,
      redacted,
      files: c.files.filter((f) => fileIds.has(f.id)),
    };
    setError(null);
    void props.act(
      async () => {
        await (share ? builder.updateShare(client, c, keys, share, selection) : builder.createShare(client, c, keys, selection));
        props.onDone();
      },
      { slot: "share-form" },
    );
  };

  const box = (item: string, label: ReactNode, disabled = false) => (
    <div className="checkbox" key={item}>
      <input type="checkbox" id={`share-item-${item}`} name="item" value={item} defaultChecked={had(item)} disabled={disabled} />
      <label htmlFor={`share-item-${item}`}>{label}</label>
    </div>
  );

  return (
    <form method="post" noValidate onSubmit={submit} className="share-form" aria-labelledby="share-form-title">
      <h3 id="share-form-title">{share ? t("share.form.update", { affiliate: t(`affiliate.name.${share.affiliate}` as MessageKey) }) : t("share.form.new")}</h3>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {share ? null : (
        <fieldset>
          <legend>{t("share.affiliate")}</legend>
          {(["cloud", "agi"] as const).map((a, i) => (
            <div className="checkbox" key={a}>
              <input type="radio" id={`share-aff-${a}`} name="affiliate" value={a} defaultChecked={i === 0} />
              <label htmlFor={`share-aff-${a}`}>{t(`affiliate.name.${a}`)}</label>
            </div>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>{t("share.items")}</legend>
        {box("title", t("share.item.title"))}
        {box(
          "category",
          <>
            {t("share.item.category")}
            {c.category ? (
              <>
                {" "}
                (<UserText text={locale === "ko" ? c.category.ko : c.category.en} />)
              </>
            ) : null}
          </>,
        )}
        {box("description", t("share.item.description"))}
        {box("details", t("share.item.details"))}
        {box("period", t("share.item.period"))}
        {c.files.map((f) => (
          <div className="checkbox" key={f.id}>
            <input type="checkbox" id={`share-file-${f.id}`} name="file" value={f.id} defaultChecked={share?.attachmentIds.includes(f.id) ?? false} />
            <label htmlFor={`share-file-${f.id}`}>
              {t("share.item.attachments")}: <UserText text={f.name} kind="identifier" />
            </label>
          </div>
        ))}
        {IDENTITY_ITEMS.map((k) => box(k, t(`share.item.${k}` as MessageKey), !identityAllowed))}
        <p className="hint" data-testid="share-identity-note">
          {!(c.hasIdentity ?? c.identity !== null)
            ? t("share.identity.none")
            : !c.consentAffiliateIdentity
              ? t("share.identity.noConsent")
              : identityAllowed
                ? t("share.identity.consent")
                : t("identity.shareNeedsAccess")}
        </p>
      </fieldset>
      <fieldset>
        <legend>{t("share.texts")}</legend>
        <p className="hint">{t("share.redact.hint")}</p>
        {TEXT_FIELDS.map((f) => (
          <div key={f}>
            <label htmlFor={`share-text-${f}`}>{t(`share.item.${f}`)}</label>
            <textarea id={`share-text-${f}`} name={`text-${f}`} rows={f === "title" ? 1 : 4} defaultValue={start(f)} />
            <button type="button" className="link-button" onClick={() => redact(f)}>
              {t("share.redact", { field: t(`share.item.${f}`) })}
            </button>
          </div>
        ))}
      </fieldset>
      <Field name="share-purpose" label={t("share.purpose")} required>
        {(aria) => (
          <select name="purpose" defaultValue={share?.purpose ?? "fact_finding"} {...aria}>
            {SHARE_PURPOSES.map((p) => (
              <option key={p} value={p}>
                {t(`share.purpose.${p}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field name="share-purpose-note" label={t("share.purposeNote")}>
        {(aria) => <textarea name="purposeNote" rows={2} maxLength={2000} defaultValue={previous?.purposeNote ?? ""} {...aria} />}
      </Field>
      <p>
        {t("share.retention")}: {day(props.caseRetentionOn, t("share.retention.default", { years: props.retentionYears }))}
      </p>
      <Field name="share-retain-until" label={t("share.retainUntil")}>
        {(aria) => <input type="date" name="retainUntil" defaultValue={share?.retainUntil ?? ""} {...aria} />}
      </Field>
      <button type="submit" className="button button--primary" disabled={props.busy}>
        {t("share.submit")}
      </button>{" "}
      <button type="button" className="button" onClick={props.onDone}>
        {t("share.cancel")}
      </button>
    </form>
  );
}
