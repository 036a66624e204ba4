// One case for an investigator, decrypted in this browser: the report and
// files, the dialogue with the reporter, internal notes, the workflow, and
// privacy requests. Every change is encrypted here before it is sent.
import { useNavigate, useRevalidator } from "@remix-run/react";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import {
  AttachmentDecryptor,
  decryptBody,
  decryptFileMeta,
  decryptIdentity,
  decryptJson,
  decryptMessage,
  decryptPrivacyText,
  decryptTitle,
  encryptJson,
  encryptMessage,
  encryptPrivacyText,
  fromBase64Url,
  newRecordId,
  sealReportKeys,
  toBase64Url,
  unwrapFileKey,
  type StaffKeyPair,
  type StaffPublicKey,
} from "../../crypto";
import { formatBytes, formatDay, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { attempt, openCaseKeys } from "../staff/decrypt";
import type { StaffClient } from "../staff/staff-client";
import type { staffCaseView } from "../.server/casework/casework";
import { decryptResponseToBlob } from "../reporter/decrypt-download";
import { CaseRetention, RetentionBasisSelect, type Hold } from "./case-retention";
import { CaseShares, type CaseProvision, type CaseShare } from "./case-shares";
import { Field } from "./field";
import { Notices } from "./notices";
import { saveAsFile } from "./save-file";
import { showControls, UserText } from "./user-text";
import { newNotification, notifyReporter, type PendingNotification, type ReporterEvent } from "../staff/notify-reporter";

export type StaffCase = Awaited<ReturnType<typeof staffCaseView>>;

const NEXT: Record<string, string[]> = {
  received: ["acknowledged", "closed"],
  acknowledged: ["in_review", "investigating", "closed"],
  in_review: ["investigating", "closed"],
  investigating: ["in_review", "closed"],
  closed: [],
};
const OUTCOMES = ["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"] as const;

function Section(props: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** Errors with a message of their own; anything else shows its code. */
const SHARE_ERRORS = new Set(["no_reviewers", "no_identity_consent", "bad_retention", "legal_hold", "no_admins", "not_closed"]);

export interface SharingProps {
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionYears: number;
  caseRetentionOn: string | null;
  categoryNames: { ko: string; en: string } | null;
}

export function StaffCaseView(props: {
  c: StaffCase;
  client: StaffClient;
  keys: StaffKeyPair;
  names: Map<string, string>;
  category: string;
  sharing: SharingProps;
  retention: { holds: Hold[]; retentionOn: string | null };
}) {
  const { c, client } = props;
  const { t, tx, locale, href } = useI18n();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [unsent, setUnsent] = useState<PendingNotification | null>(null);
  const [mailNotice, setMailNotice] = useState<string | null>(null);
  const [candidates, setCandidates] = useState<{ id: string; displayName: string; publicKey: string }[] | null>(null);
  const day = (d: string | null) => (d ? formatDay(d, locale) : "—");
  const keys = useMemo(() => openCaseKeys(c.envelope, c.id, props.keys), [c.envelope, c.id, props.keys]);

  useEffect(() => {
    if (keys) void client.caseOp(c.id, "events", { event: "decrypted" }).catch(() => {});
  }, [keys, client, c.id]);

  if (!keys) return <p className="notice notice--error">{t("staff.case.unreadable")}</p>;
  const rk = keys.reportKey;
  const title = attempt(() => decryptTitle(rk, c.id, fromBase64Url(c.title)));
  const body = attempt(() => decryptBody(rk, c.id, fromBase64Url(c.body)));
  const identity = c.identity ? attempt(() => decryptIdentity(rk, c.id, fromBase64Url(c.identity!))) : null;
  const labels = c.labels ? (attempt(() => decryptJson(keys.caseKey, { purpose: "labels", id: c.id }, fromBase64Url(c.labels!))) as string[] | null) : [];

  const act = async (fn: () => Promise<unknown>, form?: HTMLFormElement) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      form?.reset();
      setNotice(t("staff.case.saved"));
      revalidator.revalidate();
    } catch (e) {
      const code = (e as { code?: string }).code ?? "unknown";
      setError(SHARE_ERRORS.has(code) ? t(`share.errors.${code}` as MessageKey) : t("staff.errors.generic", { code }));
    } finally {
      setBusy(false);
    }
  };
  // A content-free e-mail to the reporter, if they asked for one; a failure stays on screen with a retry that keeps the id.
  const tellReporter = async (pending: PendingNotification) => {
    try {
      const r = await notifyReporter(client, c.id, identity, pending);
      if (!r) return;
      setUnsent(null);
      setMailNotice(r.delivered ? t("notify.reporter.sent") : t("notify.reporter.notConfigured"));
    } catch {
      setUnsent(pending);
      setMailNotice(null);
    }
  };
  const andTell = (event: ReporterEvent | null) => (event ? tellReporter(newNotification(event)) : Promise.resolve());

  const formOf = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    return { form: e.currentTarget, data: new FormData(e.currentTarget) };
  };

  const sendMessage = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("message") ?? "").trim();
    if (!text) return;
    const id = newRecordId();
    const kind = data.get("question") === "on" ? "question" : "message";
    void act(async () => {
      await client.caseOp(c.id, "messages", { id, body: toBase64Url(encryptMessage(rk, c.id, id, { author: "investigator", kind, text })) });
      await andTell(kind);
    }, form);
  };
  const addNote = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("note") ?? "").trim();
    if (!text) return;
    const id = newRecordId();
    void act(() => client.caseOp(c.id, "notes", { id, body: toBase64Url(encryptJson(keys.caseKey, { purpose: "note", id: c.id, subId: id }, { text })) }), form);
  };
  const changeStatus = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const to = String(data.get("to") ?? "");
    if (!to) return;
    const outcome = String(data.get("outcome") ?? "") || undefined;
    const summaryText = String(data.get("summary") ?? "").trim();
    const id = newRecordId();
    const summary = to === "closed" && summaryText ? { id, body: toBase64Url(encryptMessage(rk, c.id, id, { author: "investigator", kind: "message", text: summaryText })) } : undefined;
    void act(async () => {
      await client.caseOp(c.id, "status", { to, outcome, summary });
      await andTell(to === "acknowledged" ? "acknowledged" : to === "closed" ? "closed" : null);
    }, form);
  };
  const saveHandling = (e: FormEvent<HTMLFormElement>) => {
    const { data } = formOf(e);
    const assignee = String(data.get("assignee") ?? "");
    const priority = String(data.get("priority") ?? "normal");
    const list = String(data.get("labels") ?? "")
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean);
    void act(async () => {
      await client.caseOp(c.id, "assign", { assigneeId: assignee || null });
      await client.caseOp(c.id, "priority", { priority });
      await client.caseOp(c.id, "labels", { labels: toBase64Url(encryptJson(keys.caseKey, { purpose: "labels", id: c.id }, list)) });
    });
  };
  const answer = (requestId: string) => (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("answer") ?? "").trim();
    if (!text) return;
    void act(async () => {
      await client.caseOp(c.id, "privacy-answer", { requestId, answer: toBase64Url(encryptPrivacyText(rk, c.id, requestId, "answer", text)) });
      await andTell("privacy_answer");
    }, form);
  };
  /** A deletion request: granting destroys the case now (unless a hold applies); refusing names the statute. */
  const DeletionDecision = ({ requestId }: { requestId: string }) => (
    <div className="deletion-decision">
      <h3>{t("staff.case.privacy.deletion")}</h3>
      <button
        type="button"
        className="button button--danger"
        disabled={busy}
        onClick={() => {
          if (!window.confirm(t("staff.case.privacy.grant.confirm"))) return;
          void act(async () => {
            const r = await client.caseOp<{ outcome: string }>(c.id, "privacy-deletion", { requestId, decision: "grant" });
            if (r.outcome === "granted") navigate(href("/staff"));
          });
        }}
      >
        {t("staff.case.privacy.grant")}
      </button>
      <form
        method="post"
        noValidate
        onSubmit={(e) => {
          const { form, data } = formOf(e);
          const basis = String(data.get("basis") ?? "");
          if (basis) void act(() => client.caseOp(c.id, "privacy-deletion", { requestId, decision: "refuse", basis }), form);
        }}
      >
        <RetentionBasisSelect name={`refuse-basis-${requestId}`} label={t("staff.case.privacy.refuse")} />
        <button type="submit" className="button" disabled={busy}>
          {t("staff.case.privacy.refuse.submit")}
        </button>
      </form>
    </div>
  );

  const download = (a: StaffCase["attachments"][number]) =>
    void act(async () => {
      const meta = decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta));
      const fileKey = unwrapFileKey(rk, c.id, a.id, fromBase64Url(a.fileKey));
      const response = await client.raw(`/api/staff/cases/${c.id}/attachments/${a.id}`);
      const decryptor = new AttachmentDecryptor(fileKey, { reportId: c.id, attachmentId: a.id });
      // Always a download, typed as opaque bytes: never rendered in this page.
      saveAsFile(meta.name, await decryptResponseToBlob(response, decryptor, "application/octet-stream"));
    });

  return (
    <div className="staff-case">
      <h1>
        {c.caseNumber}:{" "}
        <span data-testid="staff-case-title">
          <UserText text={title} fallback={t("staff.case.unreadable")} />
        </span>
      </h1>
      <p>
        <UserText text={props.category} /> ·{" "}
        <span data-testid="staff-case-status">
          {t(`staff.status.${c.status}` as MessageKey)}
          {c.outcome ? ` (${t(`staff.case.outcome.${c.outcome}` as MessageKey)})` : ""}
        </span>{" "}
        ·{" "}
        {t("staff.case.deadlines", { ack: day(c.ackDueOn), feedback: day(c.feedbackDueOn) })}
        {c.overdue ? <strong className="overdue-mark"> {t("staff.inbox.overdueMark")}</strong> : null}
      </p>
      <Notices status={notice} error={error} />
      {mailNotice ? (
        <p className="notice" role="status" data-testid="reporter-mail">
          {mailNotice}
        </p>
      ) : null}
      {unsent ? (
        <p className="notice notice--error" role="alert" data-testid="reporter-mail-failed">
          {t("notify.reporter.failed")}{" "}
          <button type="button" className="button" disabled={busy} onClick={() => void tellReporter(unsent)}>
            {t("notify.reporter.retry")}
          </button>
        </p>
      ) : null}

      <Section id="s-report" title={t("staff.case.report")}>
        {body ? (
          <>
            <p className="pre" data-testid="staff-case-description">
              <UserText text={body.description} kind="prose" />
            </p>
            {body.details ? (
              <p className="pre">
                <UserText text={body.details} kind="prose" />
              </p>
            ) : null}
            {body.periodFrom || body.periodTo ? (
              <p>
                {t("report.period")}: {day(body.periodFrom)} – {day(body.periodTo)}
              </p>
            ) : null}
          </>
        ) : (
          <p className="hint">{t("staff.case.unreadable")}</p>
        )}
        <h3>{t("staff.case.identity")}</h3>
        {identity ? (
          <dl className="dates">
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
        ) : (
          <p>{t("staff.case.noIdentity")}</p>
        )}
        <p className="hint">{t("staff.case.consentAffiliate", { value: c.consentAffiliateIdentity ? "✓" : "✗" })}</p>
        {identity?.email ? <p className="hint">{identity.notify?.email ? t("notify.reporter.wanted") : t("notify.reporter.notWanted")}</p> : null}
      </Section>

      <Section id="s-files" title={t("staff.case.files")}>
        <ul className="file-list">
          {c.attachments.map((a) => {
            const meta = attempt(() => decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta)));
            return (
              <li key={a.id}>
                {meta ? (
                  <button type="button" className="link-button" onClick={() => download(a)} disabled={busy}>
                    {tx("staff.case.download", { name: <UserText text={meta.name} kind="identifier" /> })}
                  </button>
                ) : (
                  t("staff.case.unreadable")
                )}{" "}
                <span className="hint">({formatBytes(meta?.size ?? a.ciphertextBytes, locale)})</span>
              </li>
            );
          })}
        </ul>
      </Section>

      <form
        method="post"
        noValidate
        onSubmit={(e) => {
          const { form, data } = formOf(e);
          const files = data.getAll("attachments").filter((f): f is File => f instanceof File && f.name !== "");
          if (files.length === 0) return;
          void act(async () => {
            const m = await import("../staff/staff-client");
            await client.addFiles(c.id, rk, files.map(m.fromBrowserFile));
          }, form);
        }}
      >
        <Field name="attachments" label={t("status.files.add")}>
          {(aria) => <input type="file" name="attachments" multiple {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("status.files.upload")}
        </button>
      </form>

      <Section id="s-dialogue" title={t("staff.case.dialogue")}>
        <ol className="dialogue" data-testid="staff-dialogue">
          {c.messages.map((m) => {
            const plain = attempt(() => decryptMessage(rk, c.id, m.id, fromBase64Url(m.body), m.author));
            return (
              <li key={m.id} className={`dialogue__item dialogue__item--${m.author === "reporter" ? "reporter" : "investigator"}`}>
                <p className="dialogue__meta">
                  <strong>{m.author === "reporter" ? t("staff.case.reporter") : <UserText text={props.names.get(m.staffUserId ?? "")} fallback={t("staff.case.investigator")} />}</strong>
                  {plain?.kind === "question" ? ` · ${t("status.dialogue.question")}` : ""} · {day(m.sentOn)}
                </p>
                {plain ? (
                  <p className="pre">
                    <UserText text={plain.text} kind="prose" />
                  </p>
                ) : (
                  <p className="hint">{t("staff.case.unreadable")}</p>
                )}
              </li>
            );
          })}
        </ol>
        {c.status !== "closed" ? (
          <form method="post" onSubmit={sendMessage} noValidate>
            <Field name="message" label={t("staff.case.message")}>
              {(aria) => <textarea name="message" rows={4} maxLength={10_000} {...aria} />}
            </Field>
            <div className="checkbox">
              <input type="checkbox" id="f-question" name="question" />
              <label htmlFor="f-question">{t("staff.case.asQuestion")}</label>
            </div>
            <button type="submit" className="button button--primary" disabled={busy}>
              {t("staff.case.send")}
            </button>
          </form>
        ) : null}
      </Section>

      <Section id="s-notes" title={t("staff.case.notes")}>
        <ul data-testid="staff-notes">
          {c.notes.map((n) => {
            const plain = attempt(() => decryptJson(keys.caseKey, { purpose: "note", id: c.id, subId: n.id }, fromBase64Url(n.body))) as { text?: string } | null;
            return (
              <li key={n.id}>
                <span className="hint">
                  <UserText text={props.names.get(n.staffUserId)} /> · {new Date(n.createdAt).toLocaleString(locale)}
                </span>
                <p className="pre">
                  <UserText text={plain?.text} kind="prose" fallback={t("staff.case.unreadable")} />
                </p>
              </li>
            );
          })}
        </ul>
        <form method="post" onSubmit={addNote} noValidate>
          <Field name="note" label={t("staff.case.note")}>
            {(aria) => <textarea name="note" rows={3} maxLength={10_000} {...aria} />}
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {t("staff.case.addNote")}
          </button>
        </form>
      </Section>

      <Section id="s-workflow" title={t("staff.case.workflow")}>
        {NEXT[c.status]!.length > 0 ? (
          <form method="post" onSubmit={changeStatus} noValidate>
            <Field name="to" label={t("staff.case.moveTo")}>
              {(aria) => (
                <select name="to" defaultValue="" {...aria}>
                  <option value="" disabled>
                    —
                  </option>
                  {NEXT[c.status]!.map((s) => (
                    <option key={s} value={s}>
                      {t(`staff.status.${s}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field name="outcome" label={t("staff.case.outcome")}>
              {(aria) => (
                <select name="outcome" defaultValue="" {...aria}>
                  <option value="">—</option>
                  {OUTCOMES.map((o) => (
                    <option key={o} value={o}>
                      {t(`staff.case.outcome.${o}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field name="summary" label={t("staff.case.summary")}>
              {(aria) => <textarea name="summary" rows={3} maxLength={10_000} {...aria} />}
            </Field>
            <button type="submit" className="button button--primary" disabled={busy}>
              {t("staff.case.apply")}
            </button>
          </form>
        ) : null}
        <form method="post" onSubmit={saveHandling} noValidate>
          <Field name="assignee" label={t("staff.case.assignee")}>
            {(aria) => (
              <select name="assignee" defaultValue={c.assigneeId ?? ""} {...aria}>
                <option value="">{t("staff.case.nobody")}</option>
                {c.team.map((m) => (
                  <option key={m.id} value={m.id}>
                    {showControls(m.displayName)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="priority" label={t("staff.case.priority")}>
            {(aria) => (
              <select name="priority" defaultValue={c.priority} {...aria}>
                {(["low", "normal", "high", "urgent"] as const).map((p) => (
                  <option key={p} value={p}>
                    {t(`staff.case.priority.${p}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="labels" label={t("staff.case.labels")}>
            {(aria) => <input type="text" name="labels" defaultValue={(labels ?? []).join(", ")} maxLength={500} {...aria} />}
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {t("staff.case.save")}
          </button>
        </form>
      </Section>

      <Section id="s-privacy" title={t("staff.case.privacy")}>
        <ul>
          {c.privacyRequests.map((p) => {
            const detail = p.detail ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "request", fromBase64Url(p.detail!))) : null;
            const ans = p.answer ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "answer", fromBase64Url(p.answer!))) : null;
            return (
              <li key={p.id} className={p.overdue ? "overdue" : ""}>
                {t("staff.case.privacy.due", { kind: t(`status.privacy.kind.${p.kind}` as MessageKey), requested: day(p.requestedOn), due: day(p.dueOn) })}
                {p.overdue ? <strong className="overdue-mark"> {t("staff.inbox.overdueMark")}</strong> : null}
                {detail ? (
                  <p className="pre">
                    <UserText text={detail} kind="prose" />
                  </p>
                ) : null}
                {p.outcome ? (
                  <p data-testid="privacy-decision">
                    {p.outcome === "granted"
                      ? t("staff.case.privacy.granted")
                      : t(`status.privacy.refused.${p.refusalReason ?? "legal_hold"}`, { date: day(p.answeredOn), basis: p.refusalBasis ? t(`retention.basis.${p.refusalBasis}` as MessageKey) : "" })}
                  </p>
                ) : null}
                {p.kind === "deletion" && p.state === "open" ? <DeletionDecision requestId={p.id} /> : null}
                {p.state === "answered" && !p.outcome ? (
                  <p className="pre">
                    {t("staff.case.privacy.answer")}: <UserText text={ans} kind="prose" fallback={t("staff.case.unreadable")} />
                  </p>
                ) : p.state === "answered" ? null : (
                  <form method="post" onSubmit={answer(p.id)} noValidate>
                    <Field name={`answer-${p.id}`} label={t("staff.case.privacy.answer")}>
                      {(aria) => <textarea name="answer" rows={2} maxLength={10_000} {...aria} />}
                    </Field>
                    <button type="submit" className="button" disabled={busy}>
                      {t("staff.case.privacy.send")}
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      </Section>

      <Section id="s-access" title={t("staff.case.access")}>
        <p className="hint">{t("staff.case.access.intro")}</p>
        <p>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void act(async () => setCandidates(await client.get<{ id: string; displayName: string; publicKey: string }[]>(`/api/staff/cases/${c.id}/grants`)))}
          >
            {t("staff.case.access.list")}
          </button>
        </p>
        {candidates ? (
          candidates.length === 0 ? (
            <p>{t("staff.case.access.none")}</p>
          ) : (
            <ul>
              {candidates.map((p) => (
                <li key={p.id}>
                  <UserText text={p.displayName} />{" "}
                  <button
                    type="button"
                    className="link-button"
                    disabled={busy}
                    onClick={() =>
                      void act(async () => {
                        // The keys are sealed here, to the colleague's public key; the server only stores the envelope.
                        const envelope = sealReportKeys(keys, c.id, fromBase64Url(p.publicKey) as StaffPublicKey);
                        await client.caseOp(c.id, "grants", { granteeId: p.id, envelope: toBase64Url(envelope) });
                        setCandidates(null);
                      })
                    }
                  >
                    {tx("staff.case.access.grant", { name: <UserText text={p.displayName} /> })}
                  </button>
                </li>
              ))}
            </ul>
          )
        ) : null}
      </Section>

      <CaseShares
        c={{
          id: c.id,
          caseNumber: c.caseNumber,
          consentAffiliateIdentity: c.consentAffiliateIdentity,
          category: props.sharing.categoryNames,
          title,
          body,
          identity,
          files: c.attachments.flatMap((a) => {
            const meta = attempt(() => decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta)));
            return meta ? [{ id: a.id, ...meta, fileKeyWrapped: a.fileKey }] : [];
          }),
        }}
        keys={keys}
        client={client}
        shares={props.sharing.shares}
        provisions={props.sharing.provisions}
        retentionYears={props.sharing.retentionYears}
        caseRetentionOn={props.sharing.caseRetentionOn}
        names={props.names}
        act={(fn, form) => act(fn, form)}
        busy={busy}
      />

      <CaseRetention
        c={{ ...c, provisions: props.sharing.provisions }}
        keys={keys}
        client={client}
        holds={props.retention.holds}
        retentionOn={props.retention.retentionOn}
        retentionYears={props.sharing.retentionYears}
        category={props.sharing.categoryNames}
        names={props.names}
        act={(fn, form) => act(fn, form)}
        busy={busy}
      />

      <Section id="s-audit" title={t("staff.case.audit")}>
        <ol className="audit-trail">
          {c.auditTrail.map((e) => (
            <li key={e.seq}>
              {new Date(e.at).toLocaleString(locale)} · <UserText text={props.names.get(e.actorId ?? "")} fallback="system" /> · <code>{e.action}</code>
            </li>
          ))}
        </ol>
      </Section>
    </div>
  );
}
