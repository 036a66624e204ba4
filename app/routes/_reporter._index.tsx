import { Link } from "@remix-run/react";
import { describedAs } from "../i18n/meta";
import { useI18n } from "../i18n/react";

export const meta = describedAs("meta.description.landing");

export default function Landing() {
  const { t, href, deadlines } = useI18n();
  return (
    <div className="page landing">
      <h1>{t("landing.title")}</h1>
      <p className="lead">{t("landing.intro")}</p>
      <p>
        <Link className="button button--primary" to={href("/report")}>
          {t("landing.cta")}
        </Link>
      </p>
      <p>
        <Link to={href("/status")}>{t("landing.followup")}</Link>
      </p>

      <section aria-labelledby="how">
        <h2 id="how">{t("landing.how.title")}</h2>
        <ol>
          <li>{t("landing.how.1")}</li>
          <li>{t("landing.how.2")}</li>
          <li>{t("landing.how.3", deadlines)}</li>
        </ol>
      </section>

      <section aria-labelledby="collect">
        <h2 id="collect">{t("landing.collect.title")}</h2>
        <p>{t("landing.collect.body", deadlines)}</p>
        <p>
          <Link to={href("/privacy")}>{t("landing.privacyLink")}</Link>
        </p>
      </section>

      <section aria-labelledby="anonymous">
        <h2 id="anonymous">{t("landing.anonymous.title")}</h2>
        <p>{t("landing.anonymous.body")}</p>
      </section>

      <div className="two-columns">
        <section aria-labelledby="protects" className="card card--good">
          <h2 id="protects">{t("landing.protects.title")}</h2>
          <ul>
            <li>{t("landing.protects.1")}</li>
            <li>{t("landing.protects.2")}</li>
            <li>{t("landing.protects.3")}</li>
            <li>{t("landing.protects.4")}</li>
          </ul>
        </section>
        <section aria-labelledby="limits" className="card card--warn">
          <h2 id="limits">{t("landing.limits.title")}</h2>
          <ul>
            <li>{t("landing.limits.1")}</li>
            <li>{t("landing.limits.2")}</li>
            <li>{t("landing.limits.3")}</li>
            <li>{t("landing.limits.4")}</li>
          </ul>
        </section>
      </div>

      <section aria-labelledby="acrc">
        <h2 id="acrc">{t("landing.acrc.title")}</h2>
        <p>{t("landing.acrc.body")}</p>
      </section>
    </div>
  );
}
