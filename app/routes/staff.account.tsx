// Change password: the private key is re-wrapped in this browser. And the
// choice between single notification e-mails and a daily digest.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { services } from "../.server/platform/services";
import { ANY_STAFF, requireStaffPage } from "../.server/staff/guards";
import { staffBadge } from "../.server/staff/badge";
import { notificationMode } from "../.server/notifications/list";
import { Field } from "../components/field";
import { Notices } from "../components/notices";
import { NewPasswordForm } from "../components/password-form";
import { StaffHeader } from "../components/staff-header";
import { useAction } from "../components/use-action";
import { loadStaffClient } from "../components/staff-key-gate";
import { useI18n } from "../i18n/react";
import type { TitledHandle } from "../root";

export const handle: TitledHandle = { title: "staffPages.title.account" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const staff = await requireStaffPage(s, request, ANY_STAFF);
  return {
    me: { ...(await staffBadge(s, staff)), email: staff.email },
    notify: { mode: await notificationMode(s, staff.id), smtp: s.mailer.configured, digestHour: s.config.NOTIFY_DIGEST_HOUR },
  };
}

function NotificationPrefs(props: { mode: "immediate" | "digest"; smtp: boolean; digestHour: number }) {
  const { t } = useI18n();
  const { notice: status, error, run } = useAction((e) => t("staff.errors.generic", { code: (e as Error).message }));
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const mode = String(new FormData(event.currentTarget).get("mode") ?? "immediate");
    void run(async () => {
      const r = await fetch("/api/staff/notification-prefs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ mode }),
        credentials: "same-origin",
      });
      if (!r.ok) {
        const body = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
        throw new Error(body?.error?.code ?? String(r.status));
      }
      return t("notify.staff.prefs.saved");
    });
  };
  return (
    <section aria-labelledby="notify-prefs">
      <h2 id="notify-prefs">{t("notify.staff.prefs.title")}</h2>
      {props.smtp ? null : <p className="hint">{t("notify.staff.noSmtp")}</p>}
      <form method="post" onSubmit={save}>
        <fieldset>
          <legend>{t("notify.staff.prefs.title")}</legend>
          <label className="checkbox">
            <input type="radio" name="mode" value="immediate" defaultChecked={props.mode === "immediate"} /> {t("notify.staff.prefs.immediate")}
          </label>
          <label className="checkbox">
            <input type="radio" name="mode" value="digest" defaultChecked={props.mode === "digest"} />{" "}
            {t("notify.staff.prefs.digest", { hour: props.digestHour })}
          </label>
        </fieldset>
        <button type="submit" className="button">
          {t("notify.staff.prefs.save")}
        </button>
      </form>
      <Notices status={status} error={error} />
    </section>
  );
}

export default function Account() {
  const { me, notify } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <div className="page narrow">
      <StaffHeader me={me} />
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
      <NotificationPrefs mode={notify.mode} smtp={notify.smtp} digestHour={notify.digestHour} />
    </div>
  );
}
