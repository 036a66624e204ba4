// A new-password form shared by password change and recovery: checks the
// policy in this browser (the server never sees the password).
import { useState, type FormEvent, type ReactNode } from "react";
import { useI18n } from "../i18n/react";
import { Field } from "./field";

export function NewPasswordForm(props: {
  extra: ReactNode;
  submitLabel: string;
  context: (data: FormData) => string[];
  onSubmit: (data: FormData, password: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const password = String(data.get("newPassword") ?? "");
    setError(null);
    if (password !== String(data.get("repeat") ?? "")) return setError(t("activate.errors.mismatch"));
    setBusy(true);
    try {
      const { passwordProblem } = await import("../staff/password-strength");
      const weak = await passwordProblem(password, props.context(data));
      if (weak) return setError(t("activate.errors.weak", { reason: weak }));
      await props.onSubmit(data, password);
      form.reset();
    } catch (e) {
      const code = (e as { code?: string }).code ?? "unknown";
      setError(
        code === "wrong_password" || code === "invalid_credentials"
          ? t("staff.errors.wrong_password")
          : code === "invalid_recovery"
            ? t("staff.errors.invalid_recovery")
            : code === "too_many_attempts"
              ? t("staff.errors.too_many_attempts")
              : t("staff.errors.generic", { code }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form method="post" onSubmit={submit} noValidate>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {props.extra}
      <Field name="newPassword" label={t("account.new")} required hint={t("activate.passwordHint")}>
        {(aria) => <input type="password" name="newPassword" autoComplete="new-password" {...aria} />}
      </Field>
      <Field name="repeat" label={t("account.repeat")} required>
        {(aria) => <input type="password" name="repeat" autoComplete="new-password" {...aria} />}
      </Field>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? t("activate.working") : props.submitLabel}
      </button>
    </form>
  );
}
