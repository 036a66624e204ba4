// Follow-up with the receipt code. Everything happens in the browser: the
// receipt is checked and turned into a look-up value here, the case is
// decrypted here, and the keys live in memory only. The view ends on log-out,
// after 15 minutes without activity, and when the tab closes.
import { useCallback, useEffect, useRef, useState } from "react";
import { CaseView } from "../components/case-view";
import { ReceiptLogin } from "../components/receipt-login";
import type { MessageKey } from "../i18n";
import { describedAs } from "../i18n/meta";
import type { DecryptedCase, FollowupSession } from "../reporter/followup-client";

export const meta = describedAs("meta.description.status");

const ACTIVITY_EVENTS = ["pointerdown", "keydown", "input", "scroll"] as const;

export default function StatusPage() {
  const [opened, setOpened] = useState<{ session: FollowupSession; case: DecryptedCase } | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const lastActivity = useRef(Date.now());

  const end = useCallback(
    (why: MessageKey) => {
      if (opened) void opened.session.logout();
      setOpened(null);
      setNotice(why);
    },
    [opened],
  );

  useEffect(() => {
    if (!opened) return;
    const { session } = opened;
    const touch = () => {
      lastActivity.current = Date.now();
    };
    touch();
    for (const e of ACTIVITY_EVENTS) document.addEventListener(e, touch, { passive: true });
    let lastPing = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (session.busy) lastActivity.current = now; // an upload or a send in progress is activity
      if (now - lastActivity.current > session.idleSeconds * 1000) {
        end("status.errors.idle");
        return;
      }
      // Active reporters keep their server session: the server only sees requests.
      if (now - lastPing > 60_000 && now - lastActivity.current < 60_000) {
        lastPing = now;
        session.keepAlive().catch(() => {});
      }
    }, 5_000);
    // Closing or leaving the tab ends the session on the server too.
    const onHide = () => {
      const token = session.beaconToken;
      if (token) navigator.sendBeacon("/api/followup/session/end", new Blob([token], { type: "text/plain" }));
      session.forget();
    };
    window.addEventListener("pagehide", onHide);
    // A page restored from the back/forward cache would show the decrypted case again: reload instead.
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) window.location.reload();
    };
    window.addEventListener("pageshow", onShow);
    return () => {
      for (const e of ACTIVITY_EVENTS) document.removeEventListener(e, touch);
      clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
      window.removeEventListener("pageshow", onShow);
    };
  }, [opened, end]);

  if (opened) {
    return <CaseView session={opened.session} initial={opened.case} onLogout={(reason) => end(reason ?? "status.loggedOut")} />;
  }
  return (
    <ReceiptLogin
      notice={notice}
      onOpened={(session, c) => {
        setNotice(null);
        setOpened({ session, case: c });
      }}
    />
  );
}
