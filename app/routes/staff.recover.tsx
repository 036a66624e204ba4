// Reset a forgotten password with the recovery key, in this browser.
import { Link } from "@remix-run/react";
import { useState } from "react";
import { Field } from "../components/field";
import { NewPasswordForm } from "../components/password-form";
import { SignInPowStatus } from "../components/pow-notice";
import { useI18n } from "../i18n/react";
import type { PowState } from "../shared/pow-wire";
import type { TitledHandle } from "../root";

export const handle: TitledHandle = { title: "staffPages.title.recover" };

export default function Recover() {
  const { t, href } = useI18n();
  const [done, setDone] = useState(false);
  // Past a sign-in back-off both requests are sent again with a proof of work solved here (ADR 035).
  const [pow, setPow] = useState<PowState>({ solving: false });
  return (
    <div className="page narrow">
      <h1>{t("recover.title")}</h1>
      <p>{t("recover.intro")}</p>
      <SignInPowStatus state={pow} />
      {done ? (
        <p className="notice" role="status">
          {t("recover.done")} <Link to={href("/staff/login")}>{t("staff.signin")}</Link>
        </p>
      ) : (
        <NewPasswordForm
          submitLabel={t("recover.submit")}
          context={(d) => [String(d.get("email") ?? "")]}
          extra={
            <>
              <Field name="email" label={t("staff.email")} required>
                {(aria) => <input type="email" name="email" autoComplete="username" {...aria} />}
              </Field>
              <Field name="recoveryKey" label={t("recover.key")} required>
                {(aria) => <input type="text" name="recoveryKey" autoComplete="off" spellCheck={false} {...aria} />}
              </Field>
            </>
          }
          onSubmit={async (data, password) => {
            const m = await import("../staff/staff-client");
            await m.recoverWithKey({ onPow: setPow }, String(data.get("email") ?? ""), String(data.get("recoveryKey") ?? ""), password);
            setDone(true);
          }}
        />
      )}
    </div>
  );
}
