// The header of every staff, affiliate and administration page: the role as it is (administrator,
// ethics investigator, or the reviewer of an affiliate named from the data), the name, links to the
// role's home and the account page, and the sign-out button.
//
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

/** What the header shows of the signed-in person (staffBadge on the server). */
export interface StaffHeaderBadge {
  displayName: string;
  role: "admin" | "investigator" | "affiliate";
  affiliate: { nameKo: string; nameEn: string } | null;
}

const HOME = { admin: "/admin", investigator: "/staff", affiliate: "/affiliate" } as const;

export function StaffHeader(props: { me: StaffHeaderBadge }) {
  const { me } = props;
  const { t, tx, href, locale } = useI18n();
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

  const role =
    me.role === "affiliate"
      ? tx("staff.role.affiliate", {
          affiliate: <UserText text={me.affiliate ? (locale === "ko" ? me.affiliate.nameKo : me.affiliate.nameEn) : null} fallback="—" />,
        })
      : t(`staff.role.${me.role}`);
  return (
    <div className="staff-bar">
      <p className="staff-bar__who">
        <span className="visually-hidden">{t("staff.signedInAs")}: </span>
        <span data-testid="staff-role">{role}</span> ·{" "}
        <strong>
          <UserText text={me.displayName} />
        </strong>
      </p>
      <nav aria-label={t("staff.nav.label")}>
        <ul className="staff-bar__links">
          <li>
            <Link to={href(HOME[me.role])}>{t("staff.home")}</Link>
          </li>
          <li>
            <Link to={href("/staff/account")}>{t("staff.account")}</Link>
          </li>
        </ul>
      </nav>
      <button type="button" className="button staff-bar__signout" onClick={() => void signOut()}>
        {t("staff.signout")}
      </button>
    </div>
  );
}
