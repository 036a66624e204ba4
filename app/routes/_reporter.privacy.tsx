// The privacy notice for reporters: what this installation collects, keeps,
// provides and entrusts, and how to exercise one's rights. The figures and
// contacts come from the configuration (app/.server/retention/privacy-notice.ts); the
// texts from the message catalogs.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { privacyNotice } from "../.server/retention/privacy-notice";
import { services } from "../.server/platform/services";
import type { MessageKey } from "../i18n";
import { describedAs } from "../i18n/meta";
import { useI18n } from "../i18n/react";

export const meta = describedAs("meta.description.privacy");

export async function loader({ context }: LoaderFunctionArgs) {
  return { notice: privacyNotice(services(context).config) };
}

const ITEMS: { item: MessageKey; when: MessageKey; stored: MessageKey }[] = [
  { item: "privacy.items.category", when: "privacy.when.required", stored: "privacy.stored.plain" },
  { item: "privacy.items.report", when: "privacy.when.required", stored: "privacy.stored.encrypted" },
  { item: "privacy.items.incident", when: "privacy.when.ifEntered", stored: "privacy.stored.encrypted" },
  { item: "privacy.items.identity", when: "privacy.when.optionalConsent", stored: "privacy.stored.encrypted" },
  { item: "privacy.items.files", when: "privacy.when.optionalConsent", stored: "privacy.stored.files" },
  { item: "privacy.items.followup", when: "privacy.when.ifSent", stored: "privacy.stored.followup" },
  { item: "privacy.items.workflow", when: "privacy.when.automatic", stored: "privacy.stored.plain" },
];

export default function PrivacyNotice() {
  const { notice } = useLoaderData<typeof loader>();
  const { t, href } = useI18n();
  const { officer, department } = notice;
  return (
    <div className="page privacy-notice">
      <h1>{t("privacy.title")}</h1>
      <p className="lead">{t("privacy.intro")}</p>
      <p>{t("privacy.deviation")}</p>

      <section aria-labelledby="privacy-items">
        <h2 id="privacy-items">{t("privacy.items.title")}</h2>
        <div className="table-scroll">
          <table className="privacy-table">
            <thead>
              <tr>
                <th scope="col">{t("privacy.items.table.item")}</th>
                <th scope="col">{t("privacy.items.table.when")}</th>
                <th scope="col">{t("privacy.items.table.stored")}</th>
              </tr>
            </thead>
            <tbody>
              {ITEMS.map((row) => (
                <tr key={row.item}>
                  <th scope="row">{t(row.item)}</th>
                  <td>{t(row.when)}</td>
                  <td>{t(row.stored)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3>{t("privacy.notCollected.title")}</h3>
        <ul>
          <li>{t("privacy.notCollected.ip")}</li>
          <li>{t("privacy.notCollected.device")}</li>
          <li>{t("privacy.notCollected.tracking")}</li>
          <li>{t("privacy.notCollected.receipt")}</li>
          <li>{t("privacy.notCollected.rateLimit")}</li>
        </ul>
      </section>

      <section aria-labelledby="privacy-purpose">
        <h2 id="privacy-purpose">{t("privacy.purpose.title")}</h2>
        <p>{t("privacy.purpose.body")}</p>
        <p>{t("privacy.purpose.only")}</p>
      </section>

      <section aria-labelledby="privacy-retention">
        <h2 id="privacy-retention">{t("privacy.retention.title")}</h2>
        <ul>
          <li>{t("privacy.retention.closed", { years: notice.retentionYears })}</li>
          <li>{t("privacy.retention.unacknowledged", { months: notice.unacknowledgedRetentionMonths })}</li>
          <li>{t("privacy.retention.shares")}</li>
        </ul>
        <p>{t("privacy.retention.destroy")}</p>
      </section>

      <section aria-labelledby="privacy-provision">
        <h2 id="privacy-provision">{t("privacy.provision.title")}</h2>
        <p>{t("privacy.provision.intro")}</p>
        <div className="table-scroll">
          <table className="privacy-table">
            <thead>
              <tr>
                <th scope="col">{t("privacy.provision.table.recipient")}</th>
                <th scope="col">{t("privacy.provision.table.items")}</th>
                <th scope="col">{t("privacy.provision.table.purpose")}</th>
                <th scope="col">{t("privacy.provision.table.retention")}</th>
              </tr>
            </thead>
            <tbody>
              {notice.affiliates.map((slug) => (
                <tr key={slug}>
                  <th scope="row">{t(`affiliate.name.${slug}`)}</th>
                  <td>{t("privacy.provision.items")}</td>
                  <td>{t("privacy.provision.purpose")}</td>
                  <td>{t("privacy.provision.retention", { years: notice.retentionYears })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <ul>
          <li>{t("privacy.provision.how")}</li>
          <li>{t("privacy.provision.identity")}</li>
          <li>
            {t("privacy.provision.record")} <Link to={href("/status")}>{t("privacy.rights.statusLink")}</Link>
          </li>
        </ul>
      </section>

      <section aria-labelledby="privacy-consignee">
        <h2 id="privacy-consignee">{t("privacy.consignee.title")}</h2>
        <div className="table-scroll">
          <table className="privacy-table">
            <thead>
              <tr>
                <th scope="col">{t("privacy.consignee.table.consignee")}</th>
                <th scope="col">{t("privacy.consignee.table.work")}</th>
                <th scope="col">{t("privacy.consignee.table.period")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row" data-testid="email-consignee">
                  {notice.emailConsignee}
                </th>
                <td>{t("privacy.consignee.work")}</td>
                <td>{t("privacy.consignee.period")}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <p>{t("privacy.consignee.body")}</p>
        <p>{t("privacy.consignee.contract")}</p>
      </section>

      <section aria-labelledby="privacy-refuse">
        <h2 id="privacy-refuse">{t("privacy.refuse.title")}</h2>
        <p>{t("privacy.refuse.intro")}</p>
        <ul>
          <li>{t("privacy.refuse.report")}</li>
          <li>{t("privacy.refuse.optional")}</li>
          <li>{t("privacy.refuse.identity")}</li>
        </ul>
      </section>

      <section aria-labelledby="privacy-rights">
        <h2 id="privacy-rights">{t("privacy.rights.title")}</h2>
        <p>{t("privacy.rights.intro")}</p>
        <ul>
          <li>{t("privacy.rights.access")}</li>
          <li>{t("privacy.rights.correction")}</li>
          <li>{t("privacy.rights.deletion")}</li>
          <li>{t("privacy.rights.suspension")}</li>
        </ul>
        <p>
          {t("privacy.rights.how", { days: notice.privacyAnswerDays })} <Link to={href("/status")}>{t("privacy.rights.statusLink")}</Link>
        </p>
        <p>{t("privacy.rights.receipt")}</p>
        <p>{t("privacy.rights.limits")}</p>
      </section>

      <section aria-labelledby="privacy-cookies">
        <h2 id="privacy-cookies">{t("privacy.cookies.title")}</h2>
        <p>{t("privacy.cookies.reporter")}</p>
        <p>{t("privacy.cookies.session", { idle: notice.sessionIdleMinutes, hours: notice.sessionMaxHours })}</p>
        <p>{t("privacy.cookies.stricter")}</p>
        <p>{t("privacy.cookies.staff")}</p>
      </section>

      <section aria-labelledby="privacy-security">
        <h2 id="privacy-security">{t("privacy.security.title")}</h2>
        <p>{t("privacy.security.body")}</p>
      </section>

      <section aria-labelledby="privacy-officer">
        <h2 id="privacy-officer">{t("privacy.officer.title")}</h2>
        <p>{t("privacy.officer.intro")}</p>
        <div className="table-scroll">
          <table className="privacy-table">
            <thead>
              <tr>
                <th scope="col">{t("privacy.officer.table.category")}</th>
                <th scope="col">{t("privacy.officer.table.name")}</th>
                <th scope="col">{t("privacy.officer.table.contact")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t("privacy.officer.officer")}</th>
                <td>
                  {t("privacy.officer.position")}: {officer.title}
                  <br />
                  {t("privacy.officer.personName")}: {officer.name}
                </td>
                <td>
                  {t("privacy.officer.phone")}: <a href={`tel:${officer.phone.replace(/[^0-9+]/g, "")}`}>{officer.phone}</a>
                  <br />
                  {t("privacy.officer.email")}: <a href={`mailto:${officer.email}`}>{officer.email}</a>
                </td>
              </tr>
              <tr>
                <th scope="row">{t("privacy.officer.department")}</th>
                <td>
                  {t("privacy.officer.departmentName")}: {department.name}
                </td>
                <td>
                  {t("privacy.officer.phone")}: <a href={`tel:${department.phone.replace(/[^0-9+]/g, "")}`}>{department.phone}</a>
                  <br />
                  {t("privacy.officer.email")}: <a href={`mailto:${department.email}`}>{department.email}</a>
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <p>{t("privacy.officer.anonymity")}</p>
      </section>

      <section aria-labelledby="privacy-remedies">
        <h2 id="privacy-remedies">{t("privacy.remedies.title")}</h2>
        <p>{t("privacy.remedies.body")}</p>
        <ul>
          <li>{t("privacy.remedies.kopico")}</li>
          <li>{t("privacy.remedies.kisa")}</li>
        </ul>
      </section>
    </div>
  );
}
