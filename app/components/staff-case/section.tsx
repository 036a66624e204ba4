// What the sections of the investigator's case page share.
import type { FormEvent } from "react";

export type { ActOptions, ActProps } from "./section-action";

/** The submitted form and its data, with the browser's own submission stopped. */
export function formOf(e: FormEvent<HTMLFormElement>) {
  e.preventDefault();
  return { form: e.currentTarget, data: new FormData(e.currentTarget) };
}
