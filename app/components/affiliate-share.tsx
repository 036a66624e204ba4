// A share as its affiliate reviewer reads it: the fields and files the
// investigator chose, decrypted here, read-only; and the feedback thread with
// the ethics team, encrypted here before it is sent.
import { useRevalidator } from "@remix-run/react";
import { useMemo, type FormEvent } from "react";
import { isCryptoError, type StaffKeyPair } from "../../crypto";
import { downloadShared, fileDecryptor, openShare, sendFeedback, type AffiliateShareWire } from "../affiliate/share-reader";
import { formatBytes } from "../i18n";
import { useI18n } from "../i18n/react";
import { decryptResponseToBlob } from "../reporter/decrypt-download";
import type { StaffClient } from "../staff/staff-client";
import { Field } from "./field";
import { Notices } from "./notices";
import { saveAsFile } from "./save-file";
import { SharedFields } from "./shared-fields";
import { errorCode, useAction } from "./use-action";
import { UserText } from "./user-text";

export function AffiliateShareView(props: {
  wire: AffiliateShareWire;
  client: StaffClient;
  keys: StaffKeyPair;
  names: Map<string, string>;
  retentionYears: number;
}) {
  const { wire, client } = props;
  const { t, tx, locale, day, when } = useI18n();
  const revalidator = useRevalidator();
  const action = useAction((e) => t("staff.errors.generic", { code: errorCode(e) }));
  const { busy, notice, error } = action;
  const opened = useMemo(() => {
    try {
      return openShare(wire, props.keys);
    } catch (e) {
      if (isCryptoError(e)) return null;
      throw e;
    }
  }, [wire, props.keys]);

  const run = (fn: () => Promise<void>, done?: string) =>
    action.run(async () => {
      await fn();
      return done;
    });

  if (!opened) return <p className="notice notice--error">{t("affiliate.share.unreadable")}</p>;
  const f = opened.pkg.fields;
  const identity = (["name", "email", "phone"] as const).filter((k) => f[k] !== undefined);

  const download = (id: string, name: string) =>
    void run(async () => {
      const blob = await decryptResponseToBlob(await downloadShared(client, wire.id, id), fileDecryptor(opened, id), "application/octet-stream");
      saveAsFile(name, blob);
    });
  const onFeedback = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const text = String(new FormData(form).get("feedback") ?? "").trim();
    if (!text) return;
    void run(async () => {
      await sendFeedback(client, opened, text);
      form.reset();
      revalidator.revalidate();
    }, t("affiliate.share.feedback.sent"));
  };

  return (
    <article className="affiliate-share">
      <h1>{t("affiliate.share.heading", { caseNumber: wire.caseNumber })}</h1>
      <p>
        {t("affiliate.share.meta", { shared: day(wire.sharedOn), version: wire.version, updated: day(wire.updatedOn) })} ·{" "}
        {t(`share.purpose.${opened.pkg.purpose}`)} · {t("share.retention")}:{" "}
        {wire.retentionOn ? day(wire.retentionOn) : t("share.retention.default", { years: props.retentionYears })}
      </p>
      <Notices status={notice} error={error} />
      {opened.pkg.purposeNote ? (
        <section aria-labelledby="a-note">
          <h2 id="a-note">{t("affiliate.share.note")}</h2>
          <p className="pre">
            <UserText text={opened.pkg.purposeNote} kind="prose" />
          </p>
        </section>
      ) : null}
      <section aria-labelledby="a-report">
        <h2 id="a-report">{t("staff.case.report")}</h2>
        <SharedFields pkg={opened.pkg} testIdPrefix="affiliate" />
        {identity.length === 0 ? <p className="hint">{t("affiliate.share.pseudonymised")}</p> : null}
      </section>
      <section aria-labelledby="a-files">
        <h2 id="a-files">{t("affiliate.share.files")}</h2>
        {opened.pkg.files.length === 0 ? (
          <p>{t("affiliate.share.noFiles")}</p>
        ) : (
          <ul className="file-list">
            {opened.pkg.files.map((file) => (
              <li key={file.id}>
                <button type="button" className="link-button" disabled={busy} onClick={() => download(file.id, file.name)}>
                  {tx("affiliate.share.download", { name: <UserText text={file.name} kind="identifier" /> })}
                </button>{" "}
                <span className="hint">({formatBytes(file.size, locale)})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="a-feedback">
        <h2 id="a-feedback">{t("share.feedback")}</h2>
        {opened.feedback.length === 0 ? <p className="hint">{t("share.feedback.none")}</p> : null}
        <ol className="dialogue" data-testid="affiliate-feedback">
          {opened.feedback.map((m) => (
            <li key={m.id} className={`dialogue__item dialogue__item--${m.author === "affiliate" ? "reporter" : "investigator"}`}>
              <p className="dialogue__meta">
                <strong>
                  {m.author === "affiliate" ? (
                    <UserText text={props.names.get(m.staffUserId ?? "")} fallback={t("affiliate.share.reviewer")} />
                  ) : (
                    t("share.feedback.ethics")
                  )}
                </strong>{" "}
                · {when(m.createdAt)}
              </p>
              <p className="pre">
                <UserText text={m.text} kind="prose" fallback={t("staff.case.unreadable")} />
              </p>
            </li>
          ))}
        </ol>
        <form method="post" noValidate onSubmit={onFeedback}>
          <Field name="feedback" label={t("affiliate.share.feedback.label")} hint={t("affiliate.share.feedback.hint")}>
            {(aria) => <textarea name="feedback" rows={4} maxLength={10_000} {...aria} />}
          </Field>
          <button type="submit" className="button button--primary" disabled={busy}>
            {t("share.feedback.send")}
          </button>
        </form>
      </section>
    </article>
  );
}
