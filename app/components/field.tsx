import type { ReactNode } from "react";
import { useI18n } from "../i18n/react";

/**
 * A labelled control with its hint and error wired up through aria-describedby. The error is announced
 * (role=alert) unless `quietError`: a form with an error summary announces the summary only.
 */
export function Field(props: {
  name: string;
  label: string;
  required?: boolean;
  hint?: string;
  error?: string;
  quietError?: boolean;
  /** Prefix of the control's id (default `f-`): the form without JavaScript shares the page with the other one. */
  idPrefix?: string;
  children: (aria: { id: string; "aria-describedby"?: string; "aria-invalid"?: true; required?: boolean }) => ReactNode;
}) {
  const { t } = useI18n();
  const id = `${props.idPrefix ?? "f-"}${props.name}`;
  const described = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={`field${props.error ? " field--error" : ""}`}>
      <label htmlFor={id}>
        {props.label} <span className={props.required ? "tag tag--required" : "tag"}>{props.required ? t("report.required") : t("report.optional")}</span>
      </label>
      {props.hint ? (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p className="error-text" id={`${id}-error`} role={props.quietError ? undefined : "alert"}>
          {props.error}
        </p>
      ) : null}
      {props.children({
        id,
        "aria-describedby": described || undefined,
        "aria-invalid": props.error ? true : undefined,
        required: props.required,
      })}
    </div>
  );
}
