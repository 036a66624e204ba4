// The reporter's follow-up view (with and without JavaScript): each time their identity was released to an
// investigator, the day and the reason code's words (ADR 052). Never who, and never the investigator's free text.
import type { DecryptedCase } from "../intake/followup-view";
import { useI18n } from "../i18n/react";
import { useDay } from "./case-sections";
import { UserText } from "./user-text";

export function IdentityAccesses({ c }: { c: Pick<DecryptedCase, "identity" | "identityAccesses"> }) {
  const { t, tx, locale } = useI18n();
  const day = useDay();
  if (!c.identity && c.identityAccesses.length === 0) return null;
  return (
    <section aria-labelledby="identity-accesses">
      <h2 id="identity-accesses">{t("status.identityAccess.title")}</h2>
      <p>{t("status.identityAccess.intro")}</p>
      {c.identityAccesses.length === 0 ? (
        <p data-testid="identity-accesses-none">{t("status.identityAccess.none")}</p>
      ) : (
        <ul data-testid="identity-accesses">
          {c.identityAccesses.map((a, i) => (
            <li key={`${a.releasedOn}-${a.reasonCode}-${i}`}>
              {tx("status.identityAccess.item", { date: day(a.releasedOn), reason: <UserText text={locale === "ko" ? a.label.ko : a.label.en} /> })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
