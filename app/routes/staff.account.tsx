// Change password: the private key is re-wrapped in this browser.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { services } from "../.server/services";
import { ANY_STAFF, requireStaffPage } from "../.server/staff-http";
import { Field } from "../components/field";
import { NewPasswordForm } from "../components/password-form";
import { StaffHeader } from "../components/staff-header";
import { loadStaffClient } from "../components/staff-key-gate";
import { useI18n } from "../i18n/react";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaffPage(services(context), request, ANY_STAFF);
  return { me: { displayName: staff.displayName, email: staff.email } };
}

export default function Account() {
  const { me } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <div className="page narrow">
      <StaffHeader name={me.displayName} />
      <h1>{t("account.title")}</h1>
      {done ? (
        <p className="notice" role="status">
          {t("account.done")}
        </p>
      ) : null}
      <NewPasswordForm
        submitLabel={t("account.submit")}
        context={() => [me.email, me.displayName]}
        extra={
          <Field name="current" label={t("account.current")} required>
            {(aria) => <input type="password" name="current" autoComplete="current-password" {...aria} />}
          </Field>
        }
        onSubmit={async (data, password) => {
          const m = await loadStaffClient();
          await m.staffClient().changePassword(String(data.get("current") ?? ""), password);
          setDone(true);
        }}
      />
    </div>
  );
}
