// Follow-up with the receipt code. Everything happens in the browser: the
// receipt is checked and turned into a look-up value here, the case is
// decrypted here, and the keys live in memory only. The view ends on log-out,
// after 15 minutes without activity, and when the tab closes.
import { useCallback, useEffect, useRef, useState } from "react";
import { CaseView } from "../components/case-view";
import { ReceiptLogin } from "../components/receipt-login";
import type { MessageKey } from "../i18n";
import type { DecryptedCase, FollowupSession } from "../reporter/followup-client";

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
    const timer = setInterval(() => {
      if (Date.now() - lastActivity.current > session.idleSeconds * 1000) end("status.errors.idle");
    }, 5_000);
    // Closing or leaving the tab ends the session on the server too.
    const onHide = () => {
      const token = session.beaconToken;
      if (token) navigator.sendBeacon("/api/followup/session/end", new Blob([token], { type: "text/plain" }));
      session.forget();
    };
    window.addEventListener("pagehide", onHide);
    return () => {
      for (const e of ACTIVITY_EVENTS) document.removeEventListener(e, touch);
      clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
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
