// The follow-up page without JavaScript (ADR 044): plain HTML forms that post
// to `/status/plain`, each answered with a whole page. Every form of an opened
// case carries the session in a hidden field; nothing is kept in the browser.
// The page says, before anything is typed, that the server sees the contents
// for a moment on this path and that JavaScript gives end-to-end encryption.
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { PlainNotice, PlainPage } from "../intake/followup-view";
import { CaseProvisions, CaseReport, CaseStanding, DialogueList, PrivacyRequestList } from "./case-sections";
import { IdentityAccesses } from "./identity-accesses";
import { Field } from "./field";
import { Notices } from "./notices";
import { UserText } from "./user-text";

const MESSAGE_MAX = 10_000;
const PRIVACY_KINDS = ["access", "correction", "deletion", "suspension"] as const;

function useNotice() {
  const { t, day } = useI18n();
  return (n: PlainNotice | null) => {
    if (!n) return null;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(n.params ?? {})) {
      if (name === "date") params.date = day(value);
      else if (name.endsWith("Key")) params[name.slice(0, -3)] = t(value as MessageKey);
      else params[name] = value;
    }
    return t(n.key as MessageKey, params);
  };
}

/** What this path means, said before anything is typed. */
function PlainWarning() {
  const { t, href } = useI18n();
  return (
    <section className="notice" aria-labelledby="plain-warning" data-testid="plain-warning">
      <h2 id="plain-warning">{t("status.plain.warning.title")}</h2>
      <p>{t("status.plain.warning.text")}</p>
      <p>{t("status.plain.warning.js")}</p>
      <p>
        <a href={href("/status")}>{t("status.plain.withJs")}</a>
      </p>
    </section>
  );
}

export function PlainSignIn(props: { page: Extract<PlainPage, { view: "signin" }> | null }) {
  const { t, href } = useI18n();
  const notice = useNotice();
  const error = notice(props.page?.error ?? null);
  return (
    <div className="page">
      <h1>{t("status.plain.title")}</h1>
      {props.page?.notice ? (
        <p className="notice" role="status">
          {notice(props.page.notice)}
        </p>
      ) : null}
      <p>{t("status.plain.intro")}</p>
      <PlainWarning />
      <form method="post" action={href("/status/plain")} className="receipt-form">
        <input type="hidden" name="intent" value="open" />
        <Field name="receipt" label={t("status.receipt")} required hint={t("status.receipt.hint")} error={error ?? undefined}>
          {(aria) => (
            <input
              type="text"
              name="receipt"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={40}
              className="receipt-input"
              {...aria}
            />
          )}
        </Field>
        <button type="submit" className="button button--primary">
          {t("status.open")}
        </button>
      </form>
    </div>
  );
}

/** The hidden fields every form of an opened case posts. */
function Carry(props: { session: string; intent: string }) {
  return (
    <>
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name="session" value={props.session} />
    </>
  );
}

export function PlainCaseView({ page }: { page: Extract<PlainPage, { view: "case" }> }) {
  const { t, href } = useI18n();
  const notice = useNotice();
  const c = page.case;
  const action = href("/status/plain");
  const error = notice(page.error);
  return (
    <div className="page case-view">
      <h1>{t("status.case", { number: c.caseNumber })}</h1>
      <p className="hint">{t("status.plain.session")}</p>
      <form method="post" action={action}>
        <Carry session={page.session} intent="logout" />
        <button type="submit" className="button">
          {t("status.logout")}
        </button>
      </form>
      <Notices status={notice(page.notice)} error={page.errorFor === null ? error : null} />

      <CaseStanding c={c} />
      <CaseReport c={c} />

      <section aria-labelledby="files">
        <h2 id="files">{t("status.files")}</h2>
        {c.attachments.length === 0 ? <p>{t("status.files.none")}</p> : null}
        <ul className="file-list">
          {c.attachments.map((a) => (
            <li key={a.id}>
              <UserText text={a.name} kind="identifier" />
              {a.source === "investigator" ? <span className="hint"> ({t("status.files.fromInvestigator")})</span> : null}
            </li>
          ))}
        </ul>
        <p className="hint">{t("status.plain.files")}</p>
        {/* The hidden fields come first: the server checks the session before it reads any file (plain-files.ts). */}
        <form method="post" action={action} encType="multipart/form-data">
          <Carry session={page.session} intent="files" />
          <Field
            name="attachments"
            label={t("status.plain.files.add")}
            hint={t("status.plain.files.note")}
            error={page.errorFor === "files" ? (error ?? undefined) : undefined}
          >
            {(aria) => <input type="file" name="attachments" multiple {...aria} />}
          </Field>
          <button type="submit" className="button">
            {t("status.plain.files.upload")}
          </button>
        </form>
      </section>

      <section aria-labelledby="dialogue">
        <h2 id="dialogue">{t("status.dialogue")}</h2>
        {c.messages.length === 0 ? <p>{t("status.dialogue.none")}</p> : null}
        <form method="post" action={action}>
          <Carry session={page.session} intent="refresh" />
          <button type="submit" className="button">
            {t("status.plain.refresh")}
          </button>
        </form>
        <DialogueList messages={c.messages} />
        <form method="post" action={action}>
          <Carry session={page.session} intent="message" />
          <input type="hidden" name="id" value={page.nextId} />
          <Field
            name="message"
            label={t("status.message")}
            hint={t("status.plain.message.hint", { max: MESSAGE_MAX })}
            error={page.errorFor === "message" ? (error ?? undefined) : undefined}
          >
            {(aria) => <textarea name="message" rows={5} maxLength={MESSAGE_MAX} defaultValue={page.draft} {...aria} />}
          </Field>
          <p className="hint" data-testid="plain-send-note">
            {t("status.plain.send.note")}
          </p>
          <button type="submit" className="button button--primary">
            {t("status.plain.send")}
          </button>
        </form>
      </section>

      <section aria-labelledby="privacy">
        <h2 id="privacy">{t("status.privacy")}</h2>
        <p>{t("status.privacy.intro")}</p>
        <p className="hint">{t("status.plain.privacy.note")}</p>
        {page.confirm ? (
          <section className="notice confirm" aria-labelledby="privacy-confirm-title" data-testid="privacy-confirm">
            <h3 id="privacy-confirm-title">{t("status.privacy.confirm.title")}</h3>
            <p>
              <strong>{t(`status.privacy.kind.${page.confirm.kind}`)}</strong>
            </p>
            <p>{t(`status.privacy.confirm.${page.confirm.kind}`)}</p>
            <form method="post" action={action}>
              <Carry session={page.session} intent="privacy-confirm" />
              <input type="hidden" name="id" value={page.confirm.id} />
              <input type="hidden" name="privacyKind" value={page.confirm.kind} />
              <input type="hidden" name="privacyDetail" value={page.confirm.detail ?? ""} />
              <button type="submit" className="button button--primary">
                {t("status.privacy.confirm.send")}
              </button>
            </form>
            <form method="post" action={action}>
              <Carry session={page.session} intent="refresh" />
              <button type="submit" className="button">
                {t("status.privacy.confirm.cancel")}
              </button>
            </form>
          </section>
        ) : (
          <form method="post" action={action}>
            <Carry session={page.session} intent="privacy" />
            {page.errorFor === "privacy" && error ? (
              <p className="notice notice--error" role="alert">
                {error}
              </p>
            ) : null}
            <fieldset>
              <legend>{t("status.privacy.kind")}</legend>
              {PRIVACY_KINDS.map((k) => (
                <div className="checkbox" key={k}>
                  <input type="radio" id={`pk-${k}`} name="privacyKind" value={k} />
                  <label htmlFor={`pk-${k}`}>{t(`status.privacy.kind.${k}`)}</label>
                </div>
              ))}
            </fieldset>
            <Field name="privacyDetail" label={t("status.privacy.detail")}>
              {(aria) => <textarea name="privacyDetail" rows={3} maxLength={MESSAGE_MAX} {...aria} />}
            </Field>
            <button type="submit" className="button">
              {t("status.privacy.submit")}
            </button>
          </form>
        )}
        <PrivacyRequestList requests={c.privacyRequests} />
      </section>

      <CaseProvisions c={c} />
      <IdentityAccesses c={c} />
    </div>
  );
}
