// Administration, settings: the reasons investigators choose from before a reporter's identity is released
// to them, and whether a second investigator must approve each access (ADR 052). Codes stay as they are once
// saved (accesses name them); a reason can be reworded or retired, and new ones added.
import { useState } from "react";
import { useI18n } from "../i18n/react";
import type { IdentitySettings } from "../shared/identity-wire";
import { adminPost, useAdminAction } from "./admin-page";
import { Notices } from "./notices";
import { TableScroll } from "./table-scroll";

type Row = IdentitySettings["reasons"][number] & { saved: boolean };

export function AdminIdentitySettings(props: { settings: IdentitySettings }) {
  const { t } = useI18n();
  const { message, error, run } = useAdminAction();
  const [approval, setApproval] = useState(props.settings.requireApproval);
  const [rows, setRows] = useState<Row[]>(props.settings.reasons.map((r) => ({ ...r, saved: true })));
  const edit = (i: number, change: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <section aria-labelledby="set-identity" data-testid="identity-settings">
      <h2 id="set-identity">{t("identity.settings.title")}</h2>
      <p className="hint">{t("identity.settings.intro")}</p>
      <Notices status={message} error={error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(() =>
            adminPost("/api/admin/identity-access", {
              requireApproval: approval,
              reasons: rows.map(({ code, ko, en, active }) => ({ code: code.trim(), ko, en, active })),
            }),
          );
        }}
      >
        <p>
          <label>
            <input type="checkbox" name="requireApproval" checked={approval} onChange={(e) => setApproval(e.currentTarget.checked)} />{" "}
            {t("identity.settings.approval")}
          </label>
        </p>
        <TableScroll label={t("identity.settings.reasons")}>
          <table>
            <caption>{t("identity.settings.reasons")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("identity.settings.code")}</th>
                <th scope="col">{t("admin.categories.ko")}</th>
                <th scope="col">{t("admin.categories.en")}</th>
                <th scope="col">{t("identity.settings.offered")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td>
                    {r.saved ? (
                      <code>{r.code}</code>
                    ) : (
                      <input
                        type="text"
                        aria-label={t("identity.settings.code")}
                        required
                        pattern="[a-z][a-z0-9_]{0,39}"
                        title={t("identity.settings.codeHint")}
                        value={r.code}
                        onChange={(e) => edit(i, { code: e.currentTarget.value })}
                      />
                    )}
                  </td>
                  <td>
                    <input
                      type="text"
                      aria-label={`${t("admin.categories.ko")} (${r.code})`}
                      required
                      maxLength={100}
                      value={r.ko}
                      onChange={(e) => edit(i, { ko: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="text"
                      aria-label={`${t("admin.categories.en")} (${r.code})`}
                      required
                      maxLength={100}
                      value={r.en}
                      onChange={(e) => edit(i, { en: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${t("identity.settings.offered")} (${r.code})`}
                      checked={r.active}
                      onChange={(e) => edit(i, { active: e.currentTarget.checked })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <p>
          <button type="button" className="button" onClick={() => setRows([...rows, { code: "", ko: "", en: "", active: true, saved: false }])}>
            {t("identity.settings.add")}
          </button>{" "}
          <button type="submit" className="button button--primary">
            {t("identity.settings.save")}
          </button>
        </p>
      </form>
    </section>
  );
}
