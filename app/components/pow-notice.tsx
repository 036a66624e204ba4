// What the reporter sees while the browser solves a proof of work (ADR 032):
// a calm line in a polite live region, another when the portal asks for more
// work than usual. The follow-up session announces its proofs here from
// outside React (`announcePow`, passed as the client's `onPow`).
import { useEffect, useState } from "react";
import type { PowState } from "../shared/pow-wire";
import { useI18n } from "../i18n/react";

const listeners = new Set<(state: PowState) => void>();

/** The `onPow` of the follow-up client: every mounted PowNotice shows it. */
export function announcePow(state: PowState): void {
  for (const listener of listeners) listener(state);
}

/** The message for a proof of work under way, or nothing. */
export function PowMessage(props: { state: PowState }) {
  const { t } = useI18n();
  if (!props.state.solving) return null;
  return (
    <p className="notice" data-testid="pow-notice">
      {t(props.state.level > 0 ? "pow.busy" : "pow.working")}
    </p>
  );
}

/** The staff sign-in pages' live region: what the browser does while it works past a sign-in back-off (ADR 035). */
export function SignInPowStatus(props: { state: PowState }) {
  const { t } = useI18n();
  return (
    <div role="status" aria-live="polite">
      {props.state.solving ? (
        <p className="notice" data-testid="pow-notice">
          {t("staff.signin.pow")}
        </p>
      ) : null}
    </div>
  );
}

/** A live region that follows `announcePow`. */
export function PowNotice() {
  const [state, setState] = useState<PowState>({ solving: false });
  useEffect(() => {
    listeners.add(setState);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return (
    <div role="status" aria-live="polite">
      <PowMessage state={state} />
    </div>
  );
}
