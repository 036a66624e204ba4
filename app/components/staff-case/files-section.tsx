// The case's files: each downloads decrypted, never rendered; investigators can add their own.
import { AttachmentDecryptor, decryptFileMeta, fromBase64Url, unwrapFileKey } from "../../../crypto";
import { formatBytes } from "../../i18n";
import { useI18n } from "../../i18n/react";
import { uploadFiles, type CaseContext } from "../../staff/case-actions";
import { attempt } from "../../staff/decrypt";
import type { StaffCaseAttachment, StaffCaseView } from "../../staff/wire";
import { decryptResponseToBlob } from "../../reporter/decrypt-download";
import { Field } from "../field";
import { saveAsFile } from "../save-file";
import { UserText } from "../user-text";
import { formOf, Section, type ActProps } from "./section";

export function FilesSection(props: ActProps & { c: StaffCaseView; ctx: CaseContext }) {
  const { c, ctx, act, busy } = props;
  const { t, tx, locale } = useI18n();
  const rk = ctx.keys.reportKey;

  const download = (a: StaffCaseAttachment) =>
    void act(async () => {
      const meta = decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta));
      const fileKey = unwrapFileKey(rk, c.id, a.id, fromBase64Url(a.fileKey));
      const response = await ctx.client.raw(`/api/staff/cases/${c.id}/attachments/${a.id}`);
      const decryptor = new AttachmentDecryptor(fileKey, { reportId: c.id, attachmentId: a.id });
      // Always a download, typed as opaque bytes: never rendered in this page.
      saveAsFile(meta.name, await decryptResponseToBlob(response, decryptor, "application/octet-stream"));
    });

  return (
    <>
      <Section id="s-files" title={t("staff.case.files")}>
        <ul className="file-list">
          {c.attachments.map((a) => {
            const meta = attempt(() => decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta)));
            return (
              <li key={a.id}>
                {meta ? (
                  <button type="button" className="link-button" onClick={() => download(a)} disabled={busy}>
                    {tx("staff.case.download", { name: <UserText text={meta.name} kind="identifier" /> })}
                  </button>
                ) : (
                  t("staff.case.unreadable")
                )}{" "}
                <span className="hint">({formatBytes(meta?.size ?? a.ciphertextBytes, locale)})</span>
              </li>
            );
          })}
        </ul>
      </Section>

      <form
        method="post"
        noValidate
        onSubmit={(e) => {
          const { form, data } = formOf(e);
          const files = data.getAll("attachments").filter((f): f is File => f instanceof File && f.name !== "");
          if (files.length === 0) return;
          void act(() => uploadFiles(ctx, files), form);
        }}
      >
        <Field name="attachments" label={t("status.files.add")}>
          {(aria) => <input type="file" name="attachments" multiple {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("status.files.upload")}
        </button>
      </form>
    </>
  );
}
