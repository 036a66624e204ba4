// The page's own question when a link inside the portal would leave something unsaved (the receipt code) or
// unfinished (files being sent): a modal dialog over the router's blocker from useLeaveWarning. The browser asks
// for everything else (reload, closing the tab) through beforeunload. Without `go` there is no way out but to stay.
import { useEffect, useRef } from "react";
import type { useLeaveWarning } from "./use-leave-warning";

export function LeaveDialog(props: { blocker: ReturnType<typeof useLeaveWarning>; id: string; title: string; body: string; stay: string; go: string | null }) {
  const { blocker, id } = props;
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
      <h2 id={`${id}-title`}>{props.title}</h2>
      <p id={`${id}-body`}>{props.body}</p>
      <p className="receipt__actions">
        <button type="button" className="button button--primary" onClick={() => dialog.current?.close()}>
          {props.stay}
        </button>
        {props.go !== null ? (
          <button type="button" className="button" onClick={() => blocker.proceed?.()}>
            {props.go}
          </button>
        ) : null}
      </p>
    </dialog>
  );
}
