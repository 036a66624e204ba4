import type { ReactNode } from "react";

/** The outcome of the last action: a polite live region for progress and success, an alert for errors. */
export function Notices(props: { status: string | null; error: string | null; children?: ReactNode }) {
  return (
    <>
      <div role="status" aria-live="polite">
        {props.status ? <p className="notice">{props.status}</p> : null}
        {props.children}
      </div>
      {props.error ? (
        <p className="notice notice--error" role="alert">
          {props.error}
        </p>
      ) : null}
    </>
  );
}
