// Staff pages render their decrypted content only once the private key is
// unlocked in this browser's memory; after a reload that takes the password.
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import type { StaffKeyPair } from "../../crypto";
import { useI18n } from "../i18n/react";
import type { StaffClient } from "../staff/staff-client";
import { Field } from "./field";
import { useAction } from "./use-action";

export const loadStaffClient = () => import("../staff/staff-client");

export function StaffKeyGate(props: { children: (client: StaffClient, keys: StaffKeyPair) => ReactNode }) {
  const { t } = useI18n();
  const [client, setClient] = useState<StaffClient | null>(null);
  const [, setUnlocked] = useState(0);
  const { busy, error, run } = useAction((e) => {
    const code = (e as { code?: string }).code;
    return code === "wrong_password" ? t("staff.errors.wrong_password") : t("staff.errors.generic", { code: code ?? "unknown" });
  });

  useEffect(() => {
    void loadStaffClient().then((m) => setClient(m.staffClient()));
  }, []);

  if (!client) return <p>{t("report.loadingCrypto")}</p>;
  if (client.keyPair) return <>{props.children(client, client.keyPair)}</>;

  const onUnlock = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    await run(async () => {
      await client.unlock(password);
      setUnlocked((n) => n + 1);
    });
  };
  return (
    <section aria-labelledby="unlock" className="narrow">
      <h2 id="unlock">{t("staff.unlock.title")}</h2>
      <p>{t("staff.unlock.intro")}</p>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" onSubmit={onUnlock} noValidate>
        <Field name="password" label={t("staff.password")} required>
          {(aria) => <input type="password" name="password" autoComplete="current-password" {...aria} />}
        </Field>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t("staff.signin.deriving") : t("staff.unlock.submit")}
        </button>
      </form>
    </section>
  );
}
