// What the sections of the investigator's case page share.
import type { FormEvent, ReactNode } from "react";

export function Section(props: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** The page's action runner, handed to every section that changes the case. */
export interface ActProps {
  /** Runs an action with the page's busy/notice/error handling; on success resets `form` and reloads the case. */
  act: (fn: () => Promise<unknown>, form?: HTMLFormElement) => Promise<void>;
  busy: boolean;
}

/** The submitted form and its data, with the browser's own submission stopped. */
export function formOf(e: FormEvent<HTMLFormElement>) {
  e.preventDefault();
  return { form: e.currentTarget, data: new FormData(e.currentTarget) };
}
