// An archived case as an administrator reads it: decrypted here, read-only;
// files are decrypted as they download and saved, never rendered.
import { useMemo, useState } from "react";
import { isCryptoError, type StaffKeyPair } from "../../crypto";
import { archivedFileDecryptor, openArchive, type ArchiveWire } from "../admin/archive-reader";
import { formatBytes, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { decryptResponseToBlob } from "../reporter/decrypt-download";
import type { StaffClient } from "../staff/staff-client";
import { Notices } from "./notices";
import { saveAsFile } from "./save-file";
import { UserText } from "./user-text";

export function ArchivedCaseView(props: { wire: ArchiveWire; client: StaffClient; keys: StaffKeyPair }) {
  const { wire } = props;
  const { t, tx, locale, day, when } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const pkg = useMemo(() => {
    try {
      return openArchive(wire, props.keys);
    } catch (e) {
      if (isCryptoError(e)) return null;
      throw e;
    }
  }, [wire, props.keys]);
  if (!pkg) return <p className="notice notice--error">{t("archive.unreadable")}</p>;

  const download = (fileId: string, name: string) =>
    void (async () => {
      try {
        const response = await props.client.raw(`/api/admin/archives/${wire.id}/files/${fileId}`);
        saveAsFile(name, await decryptResponseToBlob(response, archivedFileDecryptor(wire, pkg, props.keys, fileId), "application/octet-stream"));
      } catch (e) {
        setError(t("staff.errors.generic", { code: (e as { code?: string }).code ?? "unknown" }));
      }
    })();

  return (
    <article>
      <h1>{t("archive.heading", { caseNumber: wire.caseNumber })}</h1>
      <p>{t("archive.meta", { archived: day(wire.archivedOn), basis: t(`retention.basis.${wire.legalBasis}` as MessageKey), until: day(wire.retainUntil) })}</p>
      <Notices status={null} error={error} />
      <section aria-labelledby="ar-report">
        <h2 id="ar-report">{t("staff.case.report")}</h2>
        <dl className="dates">
          <dt>{t("share.item.title")}</dt>
          <dd className="pre" data-testid="archive-title">
            <UserText text={pkg.title} fallback={t("staff.case.unreadable")} />
          </dd>
          {pkg.category ? (
            <>
              <dt>{t("share.item.category")}</dt>
              <dd>
                <UserText text={locale === "ko" ? pkg.category.ko : pkg.category.en} />
              </dd>
            </>
          ) : null}
          <dt>{t("share.item.description")}</dt>
          <dd className="pre" data-testid="archive-description">
            <UserText text={pkg.body?.description} kind="prose" fallback="—" />
          </dd>
          <dt>{t("share.item.details")}</dt>
          <dd className="pre">
            <UserText text={pkg.body?.details || null} kind="prose" fallback="—" />
          </dd>
          <dt>{t("share.item.period")}</dt>
          <dd>
            {day(pkg.body?.periodFrom ?? null)} – {day(pkg.body?.periodTo ?? null)}
          </dd>
          {pkg.outcome ? (
            <>
              <dt>{t("staff.case.outcome")}</dt>
              <dd>{t(`staff.case.outcome.${pkg.outcome}` as MessageKey)}</dd>
            </>
          ) : null}
          <dt>{t("archive.caseDates")}</dt>
          <dd>
            {day(pkg.dates.receivedOn)} → {day(pkg.dates.closedOn)}
          </dd>
        </dl>
        <h3>{t("staff.case.identity")}</h3>
        {pkg.identity ? (
          <dl className="dates">
            <dt>{t("report.reporterName")}</dt>
            <dd>
              <UserText text={pkg.identity.name} fallback="—" />
            </dd>
            <dt>{t("report.email")}</dt>
            <dd>
              <UserText text={pkg.identity.email} kind="identifier" fallback="—" />
            </dd>
            <dt>{t("report.phone")}</dt>
            <dd>
              <UserText text={pkg.identity.phone} kind="identifier" fallback="—" />
            </dd>
          </dl>
        ) : (
          <p>{t("staff.case.noIdentity")}</p>
        )}
      </section>
      <section aria-labelledby="ar-files">
        <h2 id="ar-files">{t("staff.case.files")}</h2>
        <ul className="file-list">
          {pkg.files.map((f) => (
            <li key={f.id}>
              <button type="button" className="link-button" onClick={() => download(f.id, f.name)}>
                {tx("staff.case.download", { name: <UserText text={f.name} kind="identifier" /> })}
              </button>{" "}
              <span className="hint">({formatBytes(f.size, locale)})</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="ar-dialogue">
        <h2 id="ar-dialogue">{t("staff.case.dialogue")}</h2>
        <ol className="dialogue" data-testid="archive-dialogue">
          {pkg.messages.map((m, i) => (
            <li key={i} className={`dialogue__item dialogue__item--${m.author === "reporter" ? "reporter" : "investigator"}`}>
              <p className="dialogue__meta">
                <strong>{m.author === "reporter" ? t("staff.case.reporter") : t("staff.case.investigator")}</strong> · {day(m.sentOn)}
              </p>
              <p className="pre">
                <UserText text={m.text} kind="prose" fallback={t("staff.case.unreadable")} />
              </p>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="ar-notes">
        <h2 id="ar-notes">{t("staff.case.notes")}</h2>
        <ul>
          {pkg.notes.map((n, i) => (
            <li key={i}>
              <span className="hint">{when(n.createdAt)}</span>
              <p className="pre">
                <UserText text={n.text} kind="prose" fallback={t("staff.case.unreadable")} />
              </p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="ar-privacy">
        <h2 id="ar-privacy">{t("staff.case.privacy")}</h2>
        <ul>
          {pkg.privacyRequests.map((p, i) => (
            <li key={i}>
              {t(`status.privacy.kind.${p.kind}` as MessageKey)} · {day(p.requestedOn)} → {day(p.answeredOn)}
              {p.detail ? (
                <p className="pre">
                  <UserText text={p.detail} kind="prose" />
                </p>
              ) : null}
              {p.answer ? (
                <p className="pre">
                  <UserText text={p.answer} kind="prose" />
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="ar-provisions">
        <h2 id="ar-provisions">{t("share.provisions")}</h2>
        <ul>
          {pkg.provisions.map((p, i) => (
            <li key={i}>
              {day(p.providedOn)} · {t(`affiliate.name.${p.affiliate}` as MessageKey)} · {p.items.map((x) => t(`share.item.${x}` as MessageKey)).join(", ")}
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
