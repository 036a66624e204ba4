// Activating a staff account from an invitation, or the first-run setup
// (first administrator and first investigator). Keys are made here.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { ApiError } from "../.server/platform/http";
import { invitationInfo } from "../.server/staff/invitations";
import { services } from "../.server/platform/services";
import { Field } from "../components/field";
import { UserText } from "../components/user-text";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { TitledHandle } from "../root";

export const handle: TitledHandle = {
  title: ({ data }) => ({
    key: (data as { info?: { kind?: string } | null } | undefined)?.info?.kind === "setup" ? "activate.title.setup" : "activate.title.invite",
  }),
};

export async function loader({ params, context }: LoaderFunctionArgs) {
  try {
    return { token: params.token ?? "", info: await invitationInfo(services(context), params.token ?? "") };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { token: "", info: null };
    throw error;
  }
}

type Slot = { key: "admin" | "investigator" | "invite"; role: "admin" | "investigator" | "affiliate"; email: string | null; name: string };

export default function Activate() {
  const { token, info } = useLoaderData<typeof loader>();
  const { t, tx, href } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ email: string; recoveryKey: string }[] | null>(null);

  if (!info) {
    return (
      <div className="page narrow">
        <h1>{t("activate.title.invite")}</h1>
        <p className="notice notice--error">{t("activate.errors.invalid")}</p>
      </div>
    );
  }
  const slots: Slot[] =
    info.kind === "setup"
      ? [
          { key: "admin", role: "admin", email: null, name: "" },
          { key: "investigator", role: "investigator", email: null, name: "" },
        ]
      : [{ key: "invite", role: info.role ?? "investigator", email: info.email, name: info.displayName ?? "" }];

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError(null);
    const entries = slots.map((slot) => ({
      slot,
      email: slot.email ?? String(data.get(`${slot.key}-email`) ?? "").trim(),
      name: String(data.get(`${slot.key}-name`) ?? "").trim(),
      password: String(data.get(`${slot.key}-password`) ?? ""),
      repeat: String(data.get(`${slot.key}-repeat`) ?? ""),
    }));
    setBusy(true);
    try {
      const [{ passwordProblem }, { makeAccountKeys }, crypto] = await Promise.all([
        import("../staff/password-strength"),
        import("../staff/account-keys"),
        import("../../crypto"),
      ]);
      await crypto.loadSodium();
      for (const e of entries) {
        if (e.password !== e.repeat) throw new Error(t("activate.errors.mismatch"));
        const weak = await passwordProblem(e.password, [e.email, e.name]);
        if (weak) throw new Error(t("activate.errors.weak", { reason: weak }));
      }
      const made = [];
      for (const e of entries) {
        const id = crypto.newRecordId();
        const { material, recoveryKey } = await makeAccountKeys(id, e.password);
        made.push({
          account: { id, email: e.email, displayName: e.name || e.email.split("@")[0]!, role: e.slot.role, keys: material },
          recoveryKey,
          email: e.email,
        });
      }
      const response = await fetch(`/api/staff/activate/${token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ accounts: made.map((m) => m.account) }),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new Error(
          body?.error?.code === "invalid_link"
            ? t("activate.errors.invalid")
            : t("staff.errors.generic", { code: body?.error?.code ?? String(response.status) }),
        );
      }
      setDone(made.map((m) => ({ email: m.email, recoveryKey: m.recoveryKey })));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div className="page narrow">
        <h1>{t("activate.done")}</h1>
        <p>{t("activate.recoveryIntro")}</p>
        {done.map((d) => (
          <div key={d.email} className="card card--warn">
            <h2>{tx("activate.recovery", { email: <UserText text={d.email} kind="identifier" /> })}</h2>
            <p>
              <code data-testid="recovery-key">{d.recoveryKey}</code>
            </p>
          </div>
        ))}
        <p>
          <Link className="button button--primary" to={href("/staff/login")}>
            {t("activate.toLogin")}
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div className="page narrow">
      <h1>{info.kind === "setup" ? t("activate.title.setup") : t("activate.title.invite")}</h1>
      <p>{info.kind === "setup" ? t("activate.intro.setup") : t("activate.intro.invite", { role: t(`role.${info.role ?? "investigator"}` as MessageKey) })}</p>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" onSubmit={onSubmit} noValidate>
        {slots.map((slot) => (
          <fieldset key={slot.key} disabled={busy}>
            <legend>
              <h2>
                {slot.key === "invite" ? (
                  <UserText text={slot.email} kind="identifier" />
                ) : (
                  t(slot.key === "admin" ? "activate.admin" : "activate.investigator")
                )}
              </h2>
            </legend>
            {slot.email === null ? (
              <Field name={`${slot.key}-email`} label={t("staff.email")} required>
                {(aria) => <input type="email" name={`${slot.key}-email`} autoComplete="off" {...aria} />}
              </Field>
            ) : null}
            <Field name={`${slot.key}-name`} label={t("activate.displayName")}>
              {(aria) => <input type="text" name={`${slot.key}-name`} defaultValue={slot.name} maxLength={100} {...aria} />}
            </Field>
            <Field name={`${slot.key}-password`} label={t("activate.passwordNew")} required hint={t("activate.passwordHint")}>
              {(aria) => <input type="password" name={`${slot.key}-password`} autoComplete="new-password" {...aria} />}
            </Field>
            <Field name={`${slot.key}-repeat`} label={t("activate.passwordRepeat")} required>
              {(aria) => <input type="password" name={`${slot.key}-repeat`} autoComplete="new-password" {...aria} />}
            </Field>
          </fieldset>
        ))}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t("activate.working") : t("activate.submit")}
        </button>
      </form>
    </div>
  );
}
