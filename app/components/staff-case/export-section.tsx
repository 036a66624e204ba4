// Exporting the case as a ZIP built in this browser (ADR 054): the investigator picks the parts;
// the export code (pdf-lib, fontkit, fflate, the font) loads only when they press the button. The
// identity box stays off and disabled unless the page hands over an identity it may export (one
// accessed with a recorded reason, issue 21); the texts are those the page shows (`ShownCase`).
import { useRevalidator } from "@remix-run/react";
import { type FormEvent } from "react";
import { EXPORT_PARTS, type ExportPart, type ReportBody, type ReporterIdentity, type StaffKeyPair } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import type { CaseContext } from "../../staff/case-actions";
import { openMasks } from "../../staff/masks";
import type { CaseProvision, CaseShare, StaffCaseView } from "../../staff/wire";
import { Notices } from "../notices";
import { saveAsFile } from "../save-file";
import { errorCode, useAction } from "../use-action";

/** Parts ticked when the section opens: everything but the internal notes and the identity. */
const DEFAULT_ON = new Set<ExportPart>(["report", "dialogue", "history", "deadlines", "sharing", "privacy", "files"]);
const OWN_ERRORS = new Set(["none", "signing_key_changed", "files_too_large", "font_unavailable"]);

export interface ExportSectionProps {
  c: StaffCaseView;
  ctx: CaseContext;
  staffKeys: StaffKeyPair;
  title: string | null;
  body: ReportBody | null;
  /** The identity the page may put in an export (accessed with a recorded reason); null keeps the option off. */
  exportableIdentity: ReporterIdentity | null;
  names: Map<string, string>;
  category: string;
  shares: CaseShare[];
  provisions: CaseProvision[];
  retentionOn: string | null;
  /** Another action of the page is running. */
  busy: boolean;
}

export function ExportSection(props: ExportSectionProps) {
  const { c, ctx } = props;
  const { t, locale, day, when, href } = useI18n();
  const revalidator = useRevalidator();
  const action = useAction((e) => {
    const code = errorCode(e);
    return OWN_ERRORS.has(code) ? t(`export.errors.${code}` as MessageKey) : t("staff.errors.generic", { code });
  });
  const busy = props.busy || action.busy;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const chosen = new FormData(e.currentTarget).getAll("part").map(String);
    const parts = EXPORT_PARTS.filter((p) => chosen.includes(p) && (p !== "identity" || props.exportableIdentity));
    void action.run(async () => {
      if (parts.length === 0) throw Object.assign(new Error("nothing chosen"), { code: "none" });
      const m = await import("../../staff/case-export");
      // Masked passages stay masked in the export (ADR 053): the texts are those the page shows.
      const masking = { masks: openMasks(ctx.keys.caseKey, c.id, c.masks).masks, marker: t("mask.marker") };
      const shown = m.shownCase(c, ctx.keys, props.title, props.body, props.exportableIdentity, masking);
      const built = await m.exportStaffCase({
        client: ctx.client,
        c,
        keys: ctx.keys,
        staffSecretKey: props.staffKeys.secretKey,
        shown,
        parts,
        words: { t, locale, day, when, names: props.names, category: props.category },
        extras: { shares: props.shares, provisions: props.provisions, retentionOn: props.retentionOn },
      });
      saveAsFile(built.fileName, new Blob([built.zip as BlobPart], { type: "application/zip" }));
      revalidator.revalidate();
      return t("export.done", { file: built.fileName, count: built.manifest.files.length });
    });
  };

  return (
    <>
      <p className="hint">{t("export.intro")}</p>
      <form method="post" noValidate onSubmit={submit} data-testid="export-form">
        <fieldset>
          <legend>{t("export.parts")}</legend>
          {EXPORT_PARTS.map((p) => {
            const off = p === "identity" && !props.exportableIdentity;
            return (
              <div className="checkbox" key={p}>
                <input type="checkbox" id={`export-part-${p}`} name="part" value={p} defaultChecked={!off && DEFAULT_ON.has(p)} disabled={off} />
                <label htmlFor={`export-part-${p}`}>{t(`export.part.${p}`)}</label>
                {off ? <p className="hint">{t("export.identity.unavailable")}</p> : null}
              </div>
            );
          })}
        </fieldset>
        <button type="submit" className="button" disabled={busy}>
          {t("export.submit")}
        </button>{" "}
        <a href={href("/staff/verify")}>{t("export.verifyLink")}</a>
      </form>
      <Notices status={action.busy ? t("export.working") : action.notice} error={action.error} />
    </>
  );
}
