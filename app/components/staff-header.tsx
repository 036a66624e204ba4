import { Link, useNavigate } from "@remix-run/react";
import { useI18n } from "../i18n/react";
import { loadStaffClient } from "./staff-key-gate";

export function StaffHeader(props: { name: string }) {
  const { t, href } = useI18n();
  const navigate = useNavigate();
  const signOut = async () => {
    const m = await loadStaffClient();
    await m.staffClient().signOut();
    navigate(href("/staff/login"));
  };
  return (
    <p className="staff-bar">
      <span>
        {t("staff.title")}: <strong>{props.name}</strong> · <Link to={href("/staff/account")}>{t("staff.account")}</Link>
      </span>{" "}
      <button type="button" className="button" onClick={() => void signOut()}>
        {t("staff.signout")}
      </button>
    </p>
  );
}
