// The receipt form of the follow-up page. The code is checked here (length,
// characters, check symbol) before anything is sent, and never sent itself.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { parseReceipt } from "../../crypto/receipt-code";
import { failureReason, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { DecryptedCase, FollowupSession } from "../reporter/followup-client";
import { Field } from "./field";
import { announcePow, PowNotice } from "./pow-notice";
import { warmOnIntent } from "./warm-on-intent";

export const loadFollowup = () => import("../reporter/followup-client");

export function ReceiptLogin(props: { notice: MessageKey | null; onOpened: (s: FollowupSession, c: DecryptedCase) => void }) {
  const { t, href } = useI18n();
  const [hydrated, setHydrated] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setHydrated(true);
    // The cipher loads once the reporter starts on the form, not during page load (ADR 042).
    return warmOnIntent(() => void loadFollowup().then((m) => m.preloadCrypto()));
  }, []);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("receipt") ?? "");
    const parsed = parseReceipt(code);
    if (!parsed.ok) {
      setError(t(`status.errors.${parsed.problem}` as MessageKey));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const m = await loadFollowup();
      // The session keeps these options: its posts announce their proofs of work too.
      const opened = await m.openCase(parsed.code, { onPow: announcePow });
      props.onOpened(opened.session, opened.case);
    } catch (e) {
      const err = e as { code?: string; fields?: Record<string, string> };
      if (err.code === "not_found") setError(t("status.errors.notFound"));
      else if (err.code === "too_many_attempts") setError(t("status.errors.tooMany", { minutes: err.fields?.retryAfterMinutes ?? "15" }));
      else setError(t("status.errors.failed", { reason: failureReason(t, err.code) }));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <h1>{t("status.title")}</h1>
      {props.notice ? (
        <p className="notice" role="status">
          {t(props.notice)}
        </p>
      ) : null}
      <p>{t("status.intro")}</p>
      {/* Only a browser that runs no scripts shows this: a scripted page never offers the path where the server sees
          the code, not even before it has hydrated (ADR 044). */}
      <noscript>
        <section className="notice" aria-labelledby="noscript-title" data-testid="noscript">
          <h2 id="noscript-title">{t("status.noscript.title")}</h2>
          <p>{t("status.noscript.text")}</p>
          <p>
            <a href={href("/status/plain")}>{t("status.noscript.link")}</a>
          </p>
        </section>
      </noscript>
      <form method="post" noValidate onSubmit={onSubmit} className="receipt-form">
        <Field name="receipt" label={t("status.receipt")} required hint={t("status.receipt.hint")} error={error ?? undefined}>
          {(aria) => (
            <input
              ref={input}
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
        <button type="submit" className="button button--primary" disabled={!hydrated || busy}>
          {busy ? t("status.opening") : t("status.open")}
        </button>
        <PowNotice />
      </form>
    </div>
  );
}
