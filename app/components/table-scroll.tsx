// A wide table's own scrolling box (issue 20, WCAG 1.4.10 reflow): on a narrow screen the table scrolls
// sideways inside this box and the page does not. The box is a labelled region that takes keyboard focus,
// so it can be scrolled with the arrow keys and a screen reader names it (axe: scrollable-region-focusable).
import type { ReactNode } from "react";

export function TableScroll(props: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}
