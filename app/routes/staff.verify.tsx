// Verifying an export ZIP (ADR 054) in the browser: the file is read here and never uploaded. The
// loader hands over only this portal's export-certificate key, which certificates are checked
// against; the checks themselves are crypto/export.ts through app/shared/export/zip.ts.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useState, type FormEvent, type ReactNode } from "react";
import { exportCertificateKey } from "../.server/casework/export";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { requireStaffPage } from "../.server/staff/guards";
import { Field } from "../components/field";
import { Notices } from "../components/notices";
import { StaffHeader } from "../components/staff-header";
import { useAction } from "../components/use-action";
import { UserText } from "../components/user-text";
import type { ExportProblem } from "../../crypto";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { ZipProblem, ZipVerdict } from "../shared/export/zip";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const staff = await requireStaffPage(s, request, ["investigator", "admin"]);
  return { me: await staffBadge(s, staff), portalKey: await exportCertificateKey(s.secret) };
}

function Problem(props: { p: ZipProblem | ExportProblem }) {
  const { tx } = useI18n();
  const p = props.p;
  const params: Record<string, ReactNode> = {};
  if ("path" in p) params.path = <UserText text={p.path} kind="identifier" />;
  if ("detail" in p) params.detail = <UserText text={p.detail} kind="identifier" />;
  if ("portalKey" in p) params.key = <UserText text={p.portalKey} kind="identifier" />;
  if ("listed" in p) Object.assign(params, { listed: p.listed, certified: p.certified });
  return <li data-problem={p.code}>{tx(`export.verify.problem.${p.code}` as MessageKey, params)}</li>;
}

function Verdict(props: { v: ZipVerdict }) {
  const { t, tx, when } = useI18n();
  const { v } = props;
  const m = v.manifest;
  if (v.ok && m?.certificate) {
    const c = m.certificate;
    return (
      <p className="notice" data-testid="verify-result" data-verdict="ok">
        {tx("export.verify.ok", {
          name: <UserText text={c.displayName} />,
          case: <UserText text={c.caseNumber} kind="identifier" />,
          when: when(c.issuedAt),
          seq: String(c.audit.seq),
          count: String(v.matched.length),
        })}
      </p>
    );
  }
  if (v.ok && m) {
    return (
      <p className="notice" data-testid="verify-result" data-verdict="unsigned">
        {tx("export.verify.unsigned", { case: <UserText text={m.caseNumber} kind="identifier" />, count: String(v.matched.length) })}
      </p>
    );
  }
  return (
    <div className="notice notice--error" data-testid="verify-result" data-verdict="failed">
      <p>{t("export.verify.failed")}</p>
      <ul>
        {v.problems.map((p, i) => (
          <Problem key={i} p={p} />
        ))}
      </ul>
    </div>
  );
}

export default function VerifyExportPage() {
  const { me, portalKey } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  const [verdict, setVerdict] = useState<ZipVerdict | null>(null);
  const action = useAction((e) => t("staff.errors.generic", { code: (e as Error).message }));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const file = new FormData(e.currentTarget).get("zip");
    void action.run(async () => {
      setVerdict(null);
      if (!(file instanceof File) || file.size === 0) throw new Error("no file");
      const { verifyExportZip } = await import("../shared/export/zip");
      const { loadSodium } = await import("../../crypto");
      await loadSodium();
      setVerdict(verifyExportZip(new Uint8Array(await file.arrayBuffer()), { portalKey }));
    });
  };
  return (
    <div className="page">
      <StaffHeader me={me} />
      <h1>{t("export.verify.title")}</h1>
      <p>{t("export.verify.intro")}</p>
      <form method="post" noValidate onSubmit={submit}>
        <Field name="zip" label={t("export.verify.file")}>
          {(aria) => <input type="file" name="zip" accept=".zip,application/zip" {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={action.busy}>
          {t("export.verify.submit")}
        </button>
      </form>
      <Notices status={action.notice} error={action.error} />
      <div aria-live="polite">{verdict ? <Verdict v={verdict} /> : null}</div>
    </div>
  );
}
