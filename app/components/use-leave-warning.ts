// Warns before a page that holds something unsaved is left. Leaving the document (reload, closing the tab,
// typing an address) gets the browser's own `beforeunload` question, whose text browsers no longer let a page
// choose; a link inside the portal never unloads the document, so the router's blocker catches it and the
// page asks in its own words (`blocker.state === "blocked"`: `proceed()` or `reset()`).
import { useBlocker, type Blocker } from "@remix-run/react";
import { useEffect } from "react";

/** While `active`: the browser asks before the document is reloaded, closed or replaced. */
function useUnloadWarning(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set; its text is ignored.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [active]);
}

/** While `active`: the browser asks before the document goes, and links to another page are held in the returned blocker. */
export function useLeaveWarning(active: boolean): Blocker {
  useUnloadWarning(active);
  // The same page with another query (the language switch) keeps the component and its state: nothing is lost.
  return useBlocker(({ currentLocation, nextLocation }) => active && nextLocation.pathname !== currentLocation.pathname);
}
