// The fields of a share package as shared (after redaction), for the
// investigators' record of a share and the reviewer's view alike.
import { Fragment } from "react";
import type { SharePackage } from "../../crypto";
import { type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { UserText } from "./user-text";

const IDENTITY = ["name", "email", "phone"] as const;

export function SharedFields(props: { pkg: SharePackage; testIdPrefix?: string; fileNames?: boolean }) {
  const { t, locale, day } = useI18n();
  const f = props.pkg.fields;
  const id = (what: string) => (props.testIdPrefix ? `${props.testIdPrefix}-${what}` : undefined);
  return (
    <>
      <dl className="dates" data-testid={id("fields")}>
        {f.title !== undefined ? (
          <>
            <dt>{t("share.item.title")}</dt>
            <dd className="pre" data-testid={id("title")}>
              <UserText text={f.title} />
            </dd>
          </>
        ) : null}
        {f.category ? (
          <>
            <dt>{t("share.item.category")}</dt>
            <dd>
              <UserText text={locale === "ko" ? f.category.ko : f.category.en} />
            </dd>
          </>
        ) : null}
        {f.description !== undefined ? (
          <>
            <dt>{t("share.item.description")}</dt>
            <dd className="pre" data-testid={id("description")}>
              <UserText text={f.description} kind="prose" />
            </dd>
          </>
        ) : null}
        {f.details !== undefined ? (
          <>
            <dt>{t("share.item.details")}</dt>
            <dd className="pre">
              <UserText text={f.details} kind="prose" />
            </dd>
          </>
        ) : null}
        {f.period ? (
          <>
            <dt>{t("share.item.period")}</dt>
            <dd>
              {day(f.period.from)} – {day(f.period.to)}
            </dd>
          </>
        ) : null}
        {props.fileNames && props.pkg.files.length > 0 ? (
          <>
            <dt>{t("share.item.attachments")}</dt>
            <dd>
              {props.pkg.files.map((x, i) => (
                <Fragment key={x.id}>
                  {i > 0 ? ", " : null}
                  <UserText text={x.name} kind="identifier" />
                </Fragment>
              ))}
            </dd>
          </>
        ) : null}
        {IDENTITY.filter((k) => f[k] !== undefined).map((k) => (
          <div key={k}>
            <dt>{t(`share.item.${k}` as MessageKey)}</dt>
            <dd>
              <UserText text={f[k]} kind={k === "name" ? "name" : "identifier"} fallback="—" />
            </dd>
          </div>
        ))}
      </dl>
      {props.pkg.redacted.length > 0 ? (
        <p className="hint">{t("share.redacted", { fields: props.pkg.redacted.map((r) => t(`share.item.${r}`)).join(", ") })}</p>
      ) : null}
    </>
  );
}
