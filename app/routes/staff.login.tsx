// Staff sign-in: password (turned into keys in this browser), then the
// authenticator code, or its enrolment at the first sign-in.
import { Link, useNavigate } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Field } from "../components/field";
import { SignInPowStatus } from "../components/pow-notice";
import { errorCode, useAction } from "../components/use-action";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { PowState } from "../shared/pow-wire";
import type { TotpSetup } from "../staff/staff-client";
import type { TitledHandle } from "../root";

const loadStaff = () => import("../staff/staff-client");

/** Where each role starts. */
const homeOf = (role: string | undefined) => (role === "admin" ? "/admin" : role === "affiliate" ? "/affiliate" : "/staff");

type Step = { kind: "password" } | { kind: "totp" } | { kind: "setup"; setup: TotpSetup } | { kind: "codes"; codes: string[] };

export const handle: TitledHandle = { title: "staffPages.title.login" };

export default function StaffLogin() {
  const { t, href } = useI18n();
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const { busy, error, run } = useAction((e) => {
    const code = errorCode(e);
    // On the code step a wait is the account's own, after wrong codes, and no proof of work goes past it (ADR 035).
    if (code === "too_many_attempts" && step.kind === "totp") return t("staff.errors.too_many_codes");
    const key = `staff.errors.${code}` as MessageKey;
    return ["invalid_credentials", "invalid_code", "too_many_attempts", "wrong_password"].includes(code) ? t(key) : t("staff.errors.generic", { code });
  });
  // Past a sign-in back-off the step is sent again with a proof of work solved here (ADR 035).
  const [pow, setPow] = useState<PowState>({ solving: false });
  const [hydrated, setHydrated] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => setHydrated(true), []);
  useEffect(() => heading.current?.focus(), [step.kind]);

  const onPassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void run(async () => {
      const { staffClient } = await loadStaff();
      const next = await staffClient().signIn(String(data.get("email") ?? ""), String(data.get("password") ?? ""), { onPow: setPow });
      if (next === "totp") setStep({ kind: "totp" });
      else setStep({ kind: "setup", setup: await staffClient().beginTotpSetup() });
    });
  };

  const onCode = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const code = String(data.get("code") ?? "").replace(/\s/g, "");
    const recoveryCode = String(data.get("recoveryCode") ?? "").trim();
    void run(async () => {
      const { staffClient } = await loadStaff();
      if (step.kind === "setup") {
        setStep({ kind: "codes", codes: await staffClient().finishTotpSetup(code) });
      } else {
        const user = await staffClient().secondFactor(recoveryCode ? { recoveryCode } : { code });
        navigate(href(homeOf(user.role)));
      }
    });
  };

  return (
    <div className="page narrow">
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      <SignInPowStatus state={pow} />
      {step.kind === "password" ? (
        <>
          <h1 ref={heading} tabIndex={-1}>
            {t("staff.signin")}
          </h1>
          <p>{t("staff.signin.intro")}</p>
          <form method="post" onSubmit={onPassword} noValidate>
            <Field name="email" label={t("staff.email")} required>
              {(aria) => <input type="email" name="email" autoComplete="username" {...aria} />}
            </Field>
            <Field name="password" label={t("staff.password")} required>
              {(aria) => <input type="password" name="password" autoComplete="current-password" {...aria} />}
            </Field>
            <button type="submit" className="button button--primary" disabled={!hydrated || busy}>
              {busy ? t("staff.signin.deriving") : t("staff.signin.submit")}
            </button>
          </form>
          <p>
            <Link to={href("/staff/recover")}>{t("recover.link")}</Link>
          </p>
        </>
      ) : null}
      {step.kind === "totp" || step.kind === "setup" ? (
        <>
          <h1 ref={heading} tabIndex={-1}>
            {step.kind === "setup" ? t("staff.totpSetup.title") : t("staff.totp")}
          </h1>
          {step.kind === "setup" ? (
            <>
              <p>{t("staff.totpSetup.intro")}</p>
              <p>
                <img src={step.setup.qrSvgDataUrl} alt={t("staff.totpSetup.qr")} width={220} height={220} />
              </p>
              <p>
                {t("staff.totpSetup.key")}: <code data-testid="totp-secret">{step.setup.secret}</code>
              </p>
            </>
          ) : null}
          <form method="post" onSubmit={onCode} noValidate>
            <Field name="code" label={t("staff.totp")} hint={t("staff.totp.hint")}>
              {(aria) => <input type="text" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} {...aria} />}
            </Field>
            {step.kind === "totp" ? (
              <Field name="recoveryCode" label={t("staff.recovery")}>
                {(aria) => <input type="text" name="recoveryCode" autoComplete="off" {...aria} />}
              </Field>
            ) : null}
            <button type="submit" className="button button--primary" disabled={busy}>
              {t("staff.totp.submit")}
            </button>
          </form>
        </>
      ) : null}
      {step.kind === "codes" ? (
        <>
          <h1 ref={heading} tabIndex={-1}>
            {t("staff.recoveryCodes.title")}
          </h1>
          <p>{t("staff.recoveryCodes.intro")}</p>
          <ul className="codes" data-testid="recovery-codes">
            {step.codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void loadStaff().then((m) => navigate(href(homeOf(m.staffClient().user?.role))))}
          >
            {t("staff.continue")}
          </button>
        </>
      ) : null}
    </div>
  );
}
