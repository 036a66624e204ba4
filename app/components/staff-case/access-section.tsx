// Giving a colleague access: the case's keys are sealed in this browser to their public key.
import { useState } from "react";
import { useI18n } from "../../i18n/react";
import { grantAccess, listGrantCandidates, type CaseContext, type GrantCandidate } from "../../staff/case-actions";
import { UserText } from "../user-text";
import { ActionResult } from "./section-action";
import { type ActProps } from "./section";

export function AccessSection(props: ActProps & { ctx: CaseContext }) {
  const { ctx, act, busy } = props;
  const { t, tx } = useI18n();
  const [candidates, setCandidates] = useState<GrantCandidate[] | null>(null);
  return (
    <>
      <p className="hint">{t("staff.case.access.intro")}</p>
      <p>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void act(async () => setCandidates(await listGrantCandidates(ctx)), { notice: null, reload: false })}
        >
          {t("staff.case.access.list")}
        </button>
      </p>
      {candidates ? (
        candidates.length === 0 ? (
          <p>{t("staff.case.access.none")}</p>
        ) : (
          <ul>
            {candidates.map((p) => (
              <li key={p.id}>
                <UserText text={p.displayName} />{" "}
                <button
                  type="button"
                  className="link-button"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await grantAccess(ctx, p);
                      setCandidates(null);
                    })
                  }
                >
                  {tx("staff.case.access.grant", { name: <UserText text={p.displayName} /> })}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <ActionResult />
    </>
  );
}
