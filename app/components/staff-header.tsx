// Signs the tab out after 30 minutes without a pointer, key, input or scroll
// event (the server's idle limit), so the private key leaves memory when the
// session would end. Reloads a page restored from the back/forward cache
// (`pageshow` with `persisted`), which then asks for the password instead of
// showing decrypted content again.
import { Link, useNavigate } from "@remix-run/react";
import { useEffect } from "react";
import { useI18n } from "../i18n/react";
import { loadStaffClient } from "./staff-key-gate";
import { UserText } from "./user-text";

/** Matches the server's idle limit (STAFF_IDLE_MINUTES): the key leaves memory when the session would end. */
const IDLE_MS = 30 * 60_000;
const ACTIVITY = ["pointerdown", "keydown", "input", "scroll"] as const;

export function StaffHeader(props: { name: string }) {
  const { t, href } = useI18n();
  const navigate = useNavigate();
  const signOut = async () => {
    const m = await loadStaffClient();
    await m.staffClient().signOut();
    navigate(href("/staff/login"));
  };

  useEffect(() => {
    let last = Date.now();
    const touch = () => {
      last = Date.now();
    };
    for (const e of ACTIVITY) document.addEventListener(e, touch, { passive: true });
    const timer = setInterval(() => {
      if (Date.now() - last > IDLE_MS) void signOut();
    }, 15_000);
    // A page restored from the back/forward cache would show decrypted content again: reload it.
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) window.location.reload();
    };
    window.addEventListener("pageshow", onShow);
    return () => {
      for (const e of ACTIVITY) document.removeEventListener(e, touch);
      clearInterval(timer);
      window.removeEventListener("pageshow", onShow);
    };
    // signOut is stable enough for this purpose; re-arming on every render is not wanted.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <p className="staff-bar">
      <span>
        {t("staff.title")}:{" "}
        <strong>
          <UserText text={props.name} />
        </strong>{" "}
        · <Link to={href("/staff/account")}>{t("staff.account")}</Link>
      </span>{" "}
      <button type="button" className="button" onClick={() => void signOut()}>
        {t("staff.signout")}
      </button>
    </p>
  );
}
