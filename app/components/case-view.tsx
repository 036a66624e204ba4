// The reporter's view of their case, decrypted in this browser: status and
// deadlines, the report, files, the dialogue, privacy requests, log out.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { failureReason, formatBytes, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { DecryptedCase, FollowupSession } from "../reporter/followup-client";
import { CaseProvisions, CaseReport, CaseStanding, DialogueList, PrivacyRequestList } from "./case-sections";
import { IdentityAccesses } from "./identity-accesses";
import { attachedFiles } from "../reporter/validate-draft";
import { Field } from "./field";
import { CleaningNeedsReview, FileCleaningList, useFileCleaning } from "./file-cleaning";
import { LeaveDialog } from "./leave-dialog";
import { Notices } from "./notices";
import { PowNotice } from "./pow-notice";
import { loadFollowup } from "./receipt-login";
import { saveAsFile } from "./save-file";
import { SubmissionProgressView, useSubmissionProgress } from "./submission-progress";
import { useLeaveWarning } from "./use-leave-warning";
import { UserText } from "./user-text";
import { VoiceRecorder } from "./voice-recorder";

const MESSAGE_MAX = 10_000;
type PrivacyKind = "access" | "correction" | "deletion" | "suspension";

export function CaseView(props: { session: FollowupSession; initial: DecryptedCase; onLogout: (reason?: MessageKey) => void }) {
  const { t, tx, locale, day: dayOr } = useI18n();
  const { session } = props;
  const [c, setC] = useState(props.initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Files being added: one progress display for all of them, a cancel, and a warning before the page is left.
  const submission = useSubmissionProgress({ offline: "status.files.offline" });
  const cleaning = useFileCleaning();
  const cancelling = useRef<AbortController | null>(null);
  const leaving = useLeaveWarning(busy === "files");
  useEffect(() => () => cancelling.current?.abort(), []);
  const heading = useRef<HTMLHeadingElement>(null);
  // A privacy request waits here while its effect is shown; it is sent only when confirmed.
  const [pendingPrivacy, setPendingPrivacy] = useState<{ kind: PrivacyKind; detail: string | null; form: HTMLFormElement } | null>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const privacySubmit = useRef<HTMLButtonElement>(null);
  const day = (d: string | null) => dayOr(d, t("status.dates.none"));

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (pendingPrivacy) confirmHeading.current?.focus();
  }, [pendingPrivacy]);

  const run = async (what: string, fn: () => Promise<string | null>) => {
    setBusy(what);
    setError(null);
    setStatus(null);
    try {
      const done = await fn();
      setC(await session.refresh());
      setStatus(done);
      return true;
    } catch (e) {
      const { code, fields } = e as { code?: string; fields?: Record<string, string> };
      if (code === "session_expired" || code === "no_session" || code === "session_ended") {
        props.onLogout("status.errors.expired");
        return false;
      }
      if (code === "cancelled") {
        setStatus(t("status.files.cancelled"));
        return false;
      }
      if (code === "metadata_review") {
        setError(t("metadata.review"));
        return false;
      }
      if (code === "too_many_posts") {
        setError(t("status.errors.tooManyPosts", { minutes: fields?.retryAfterMinutes ?? "60" }));
        return false;
      }
      setError(t("status.errors.failed", { reason: failureReason(t, code) }));
      return false;
    } finally {
      setBusy(null);
      submission.stop();
      cancelling.current = null;
    }
  };

  const onMessage = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = String(new FormData(form).get("message") ?? "").trim();
    if (!text || [...text].length > MESSAGE_MAX) return;
    if (await run("message", async () => (await session.sendMessage(text), t("status.sent")))) form.reset();
  };

  const onFiles = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const files = attachedFiles(new FormData(form));
    if (files.length === 0) return;
    const controller = new AbortController();
    cancelling.current = controller;
    submission.start();
    const added = await run("files", async () => {
      const m = await loadFollowup();
      // Each file as cleaned of identifying metadata, or its original where the reporter chose it (ADR 045).
      if (await cleaning.failedUnseen(files)) throw new CleaningNeedsReview();
      const toSend = await cleaning.chosen(files);
      submission.withFiles(m.wireBytes(toSend));
      await session.addFiles(toSend.map(m.fromBrowserFile), submission.onProgress, controller.signal);
      return t("status.files.added", { count: files.length });
    });
    if (added) {
      form.reset();
      cleaning.reset();
    }
  };

  const onPrivacy = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const kind = String(data.get("privacyKind") ?? "") as PrivacyKind;
    const detail = String(data.get("privacyDetail") ?? "").trim() || null;
    if (!["access", "correction", "deletion", "suspension"].includes(kind)) return;
    if (kind === "correction" && !detail) {
      setError(t("report.errors.item", { field: t("status.privacy.detail"), problem: t("report.errors.required") }));
      return;
    }
    setError(null);
    setPendingPrivacy({ kind, detail, form });
  };

  const confirmPrivacy = async () => {
    if (!pendingPrivacy) return;
    const { kind, detail, form } = pendingPrivacy;
    const ok = await run("privacy", async () => {
      const r = await session.requestPrivacy(kind, detail);
      if (kind === "access") await downloadAll();
      return t("status.privacy.sent", { date: day(r.dueOn) });
    });
    setPendingPrivacy(null);
    if (ok) form.reset();
    // The confirmation held the focus and is gone: back to the request form's button, under the result's notice.
    privacySubmit.current?.focus();
  };

  const cancelPrivacy = () => {
    setPendingPrivacy(null);
    privacySubmit.current?.focus();
  };

  // The reporter's own copy (their right of access): a ZIP from the export builder (ADR 054), loaded on demand.
  const downloadAll = async () => {
    const [{ buildAccessExport }, fresh] = await Promise.all([import("../reporter/access-export"), session.refresh()]);
    const built = await buildAccessExport({
      c: fresh,
      download: async (id) => (await session.downloadAttachment(id)).blob,
      words: { t, locale, day: dayOr },
      now: new Date(),
    });
    saveAsFile(built.fileName, new Blob([built.zip as BlobPart], { type: "application/zip" }));
  };

  const download = async (id: string) => {
    await run("download", async () => {
      const { meta, blob } = await session.downloadAttachment(id);
      saveAsFile(meta.name, blob);
      return null;
    });
  };

  return (
    <div className="page case-view">
      <h1 ref={heading} tabIndex={-1}>
        {t("status.case", { number: c.caseNumber })}
      </h1>
      <p className="hint">{t("status.idleWarning")}</p>
      <p>
        <button type="button" className="button" onClick={() => props.onLogout()}>
          {t("status.logout")}
        </button>
      </p>
      <Notices status={status} error={error} />
      {submission.stage ? (
        <SubmissionProgressView stage={submission.stage} offline="status.files.offline" onCancel={() => cancelling.current?.abort()} />
      ) : null}
      <div role="status" aria-live="polite" className="visually-hidden">
        {submission.announcement}
      </div>
      <LeaveDialog blocker={leaving} messages="status.files.leave" />
      <PowNotice />

      <CaseStanding c={c} />

      <CaseReport c={c} />

      <section aria-labelledby="files">
        <h2 id="files">{t("status.files")}</h2>
        {c.attachments.length === 0 ? <p>{t("status.files.none")}</p> : null}
        <ul className="file-list">
          {c.attachments.map((a) => (
            <li key={a.id}>
              <button type="button" className="link-button" onClick={() => download(a.id)} disabled={busy !== null}>
                {tx("status.files.download", { name: <UserText text={a.name} kind="identifier" /> })}
              </button>{" "}
              <span className="hint">
                ({formatBytes(a.size, locale)}
                {a.source === "investigator" ? `, ${t("status.files.fromInvestigator")}` : ""})
              </span>
            </li>
          ))}
        </ul>
        <form method="post" onSubmit={onFiles} noValidate>
          <Field name="attachments" label={t("status.files.add")}>
            {(aria) => <input type="file" name="attachments" multiple {...aria} onChange={(e) => cleaning.select(Array.from(e.currentTarget.files ?? []))} />}
          </Field>
          <FileCleaningList cleaning={cleaning} idPrefix="followup-files" disabled={busy !== null} />
          <VoiceRecorder disabled={busy !== null} />
          <button type="submit" className="button" disabled={busy !== null}>
            {t("status.files.upload")}
          </button>
        </form>
      </section>

      <section aria-labelledby="dialogue">
        <h2 id="dialogue">{t("status.dialogue")}</h2>
        {c.messages.length === 0 ? <p>{t("status.dialogue.none")}</p> : null}
        <p>
          <button type="button" className="button" onClick={() => void run("refresh", async () => null)} disabled={busy !== null}>
            {t("status.refresh")}
          </button>
        </p>
        <DialogueList messages={c.messages} />
        <form method="post" onSubmit={onMessage} noValidate>
          <Field name="message" label={t("status.message")} hint={t("status.message.hint", { max: MESSAGE_MAX })}>
            {(aria) => <textarea name="message" rows={5} maxLength={MESSAGE_MAX} {...aria} />}
          </Field>
          <button type="submit" className="button button--primary" disabled={busy !== null}>
            {t("status.send")}
          </button>
        </form>
      </section>

      <section aria-labelledby="privacy">
        <h2 id="privacy">{t("status.privacy")}</h2>
        <p>{t("status.privacy.intro")}</p>
        {/* A change to the request withdraws the explanation shown for the previous one. */}
        <form method="post" onSubmit={onPrivacy} onChange={() => setPendingPrivacy(null)} noValidate>
          <fieldset>
            <legend>{t("status.privacy.kind")}</legend>
            {(["access", "correction", "deletion", "suspension"] as const).map((k) => (
              <div className="checkbox" key={k}>
                <input type="radio" id={`pk-${k}`} name="privacyKind" value={k} required />
                <label htmlFor={`pk-${k}`}>{t(`status.privacy.kind.${k}`)}</label>
              </div>
            ))}
          </fieldset>
          <Field name="privacyDetail" label={t("status.privacy.detail")}>
            {(aria) => <textarea name="privacyDetail" rows={3} maxLength={MESSAGE_MAX} {...aria} />}
          </Field>
          <button type="submit" className="button" disabled={busy !== null} ref={privacySubmit}>
            {t("status.privacy.submit")}
          </button>{" "}
          <button type="button" className="button" onClick={() => void run("download", async () => (await downloadAll(), null))} disabled={busy !== null}>
            {t("status.privacy.download")}
          </button>
          {pendingPrivacy ? (
            <section className="notice confirm" aria-labelledby="privacy-confirm-title" data-testid="privacy-confirm">
              <h3 id="privacy-confirm-title" ref={confirmHeading} tabIndex={-1}>
                {t("status.privacy.confirm.title")}
              </h3>
              <p>
                <strong>{t(`status.privacy.kind.${pendingPrivacy.kind}`)}</strong>
              </p>
              <p>{t(`status.privacy.confirm.${pendingPrivacy.kind}`)}</p>
              <button type="button" className="button button--primary" onClick={() => void confirmPrivacy()} disabled={busy !== null}>
                {t("status.privacy.confirm.send")}
              </button>{" "}
              <button type="button" className="button" onClick={cancelPrivacy} disabled={busy !== null}>
                {t("status.privacy.confirm.cancel")}
              </button>
            </section>
          ) : null}
        </form>
        <PrivacyRequestList requests={c.privacyRequests} />
      </section>

      {c.identity?.email ? (
        <section aria-labelledby="email-updates">
          <h2 id="email-updates">{t("status.email.title")}</h2>
          {c.emailNotifications ? (
            <>
              <p data-testid="email-updates">{c.identity.notify?.email ? t("status.email.on") : t("status.email.off")}</p>
              <button
                type="button"
                className="button"
                disabled={busy !== null}
                onClick={() => void run("email", async () => (await session.setEmailUpdates(!c.identity?.notify?.email, locale), t("status.email.saved")))}
              >
                {c.identity.notify?.email ? t("status.email.turnOff") : t("status.email.turnOn")}
              </button>
            </>
          ) : (
            <p>{t("status.email.unavailable")}</p>
          )}
        </section>
      ) : null}

      <CaseProvisions c={c} />
      <IdentityAccesses c={c} />
    </div>
  );
}
