// The page's own question when a link inside the portal would leave something unsaved (the receipt code) or
// unfinished (files being sent): a modal dialog over the router's blocker from useLeaveWarning. The browser asks
// for everything else (reload, closing the tab) through beforeunload. With `stayOnly` there is no way out but to stay.
import { useEffect, useRef } from "react";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { useLeaveWarning } from "./use-leave-warning";

/** Each page's texts: `<messages>.title`, `.body`, `.stay` and `.go` in the catalogs. */
type LeaveMessages = "receipt.leave" | "report.leave" | "status.files.leave";

export function LeaveDialog(props: {
  blocker: ReturnType<typeof useLeaveWarning>;
  messages: LeaveMessages;
  /** Another text than `<messages>.body` for the moment. */
  body?: MessageKey;
  /** No way out but to stay: leaving now would lose what cannot be had again. */
  stayOnly?: boolean;
}) {
  const { t } = useI18n();
  const { blocker, messages } = props;
  const id = messages.replace(/\./g, "-");
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (blocker.state === "blocked" && !d.open) d.showModal();
    if (blocker.state !== "blocked" && d.open) d.close();
  }, [blocker.state]);
  return (
    // Closing it any way (Escape too) means staying.
    <dialog ref={dialog} className="leave-dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} onClose={() => blocker.reset?.()}>
      <h2 id={`${id}-title`}>{t(`${messages}.title`)}</h2>
      <p id={`${id}-body`}>{t(props.body ?? `${messages}.body`)}</p>
      <p className="receipt__actions">
        <button type="button" className="button button--primary" onClick={() => dialog.current?.close()}>
          {t(`${messages}.stay`)}
        </button>
        {props.stayOnly ? null : (
          <button type="button" className="button" onClick={() => blocker.proceed?.()}>
            {t(`${messages}.go`)}
          </button>
        )}
      </p>
    </dialog>
  );
}
