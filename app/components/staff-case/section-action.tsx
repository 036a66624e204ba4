// Each section of the case page runs its own actions and shows their outcome inside itself, next to the control
// that was used ("Saved." or the error, and the e-mail to the reporter that followed), instead of one notice at the
// top of a long page. A section's controls are busy while one of its actions runs; other sections stay usable.
// A control names its place with a `slot`; <ActionResult slot> sits next to it. Its polite live region is on the
// page before anything is said in it, so a result is announced once, when it appears; errors are alerts.
import { useRevalidator } from "@remix-run/react";
import { createContext, useContext, useRef, useState, type ReactNode } from "react";
import { isUploadRefusal, type MessageKey, type Translate } from "../../i18n";
import { useI18n } from "../../i18n/react";
import type { ReporterEvent } from "../../staff/notify-reporter";
import { errorCode } from "../use-action";
import type { ReporterMail, TellReporter } from "./reporter-mail";

/** Where an action's result goes, and what happens around it. */
export interface ActOptions {
  /** Reset after success. */
  form?: HTMLFormElement;
  /** The <ActionResult slot> next to the control (default "main"). */
  slot?: string;
  /** The success message; null for actions that change nothing (a download, a listing). Default "Saved.". */
  notice?: string | null;
  /** Whether the case is loaded again afterwards (default true; each load is a `case.opened` in the audit log). */
  reload?: boolean;
}

/** The section's action runner, handed to every component that changes the case. */
export interface ActProps {
  /** Runs an action with the section's busy/result handling; on success resets the form and reloads the case. */
  act: (fn: () => Promise<unknown>, options?: ActOptions) => Promise<void>;
  busy: boolean;
}

/** Errors with a message of their own; anything else shows its code. */
const SHARE_ERRORS = new Set(["no_reviewers", "no_identity_consent", "bad_retention", "legal_hold", "no_admins", "not_closed"]);

/** What an action threw, in words. */
export function describeCaseError(t: Translate, e: unknown): string {
  const code = errorCode(e);
  if (isUploadRefusal(code)) return t("staff.errors.upload", { reason: t(`upload.errors.${code}`) });
  return SHARE_ERRORS.has(code) ? t(`share.errors.${code}` as MessageKey) : t("staff.errors.generic", { code });
}

interface Result {
  slot: string;
  notice: string | null;
  error: string | null;
}

interface SectionActionState extends ActProps {
  sectionKey: string;
  result: Result | null;
  tell: TellReporter;
  mail: ReporterMail;
}

const SectionActionContext = createContext<SectionActionState | null>(null);

function useSectionAction(): SectionActionState {
  const state = useContext(SectionActionContext);
  if (!state) throw new Error("a case section's control outside its <SectionActions>");
  return state;
}

/** The action state of one section, for the controls and results inside it. */
export function SectionActions(props: { sectionKey: string; mail: ReporterMail; children: (state: ActProps & { tell: TellReporter }) => ReactNode }) {
  const { t } = useI18n();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  // The slot of the action under way: the reporter's e-mail it sends is reported there too.
  const current = useRef("main");

  const act: ActProps["act"] = async (fn, options = {}) => {
    const slot = options.slot ?? "main";
    current.current = slot;
    setBusy(true);
    setResult(null);
    try {
      await fn();
      options.form?.reset();
      if (options.reload !== false) revalidator.revalidate();
      setResult({ slot, notice: options.notice === undefined ? t("staff.case.saved") : options.notice, error: null });
    } catch (e) {
      setResult({ slot, notice: null, error: describeCaseError(t, e) });
    } finally {
      setBusy(false);
    }
  };
  const tell: TellReporter = (event: ReporterEvent | null) => props.mail.tell(event, { section: props.sectionKey, slot: current.current });
  const state: SectionActionState = { sectionKey: props.sectionKey, act, busy, result, tell, mail: props.mail };
  return <SectionActionContext.Provider value={state}>{props.children({ act, busy, tell })}</SectionActionContext.Provider>;
}

/** The action runner of the section a control sits in (for controls that open a page-wide dialog, like masks). */
export function useSectionAct(): ActProps {
  const { act, busy } = useSectionAction();
  return { act, busy };
}

/** The outcome of the section's last action, when it was started from `slot`: placed next to that control. */
export function ActionResult(props: { slot?: string }) {
  const { t } = useI18n();
  const { result, mail, sectionKey, busy } = useSectionAction();
  const slot = props.slot ?? "main";
  const mine = result?.slot === slot ? result : null;
  const mailHere = mail.from?.section === sectionKey && mail.from.slot === slot;
  return (
    <div className="action-result" data-testid={`action-result-${slot}`}>
      <div role="status" aria-live="polite">
        {mine?.notice ? (
          <p className="notice" data-testid="action-notice">
            {mine.notice}
          </p>
        ) : null}
        {mailHere && mail.notice ? (
          <p className="notice" data-testid="reporter-mail">
            {mail.notice}
          </p>
        ) : null}
      </div>
      {mine?.error ? (
        <p className="notice notice--error" role="alert" data-testid="action-error">
          {mine.error}
        </p>
      ) : null}
      {mailHere && mail.unsent ? (
        <p className="notice notice--error" role="alert" data-testid="reporter-mail-failed">
          {t("notify.reporter.failed")}{" "}
          <button type="button" className="button" disabled={busy} onClick={mail.retry}>
            {t("notify.reporter.retry")}
          </button>
        </p>
      ) : null}
    </div>
  );
}
