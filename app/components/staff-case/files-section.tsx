// The case's files: each downloads decrypted, never rendered; investigators can add their own.
// A WAV attachment (a reporter's voice message, ADR 046) can also be played: its samples are read
// by the strict reader of app/shared/wav.ts and written into a fresh file, so the browser's media
// decoders only ever see a canonical PCM WAV built here, from a blob: URL (the CSP's media-src).
import { useEffect, useState } from "react";
import { AttachmentDecryptor, decryptFileMeta, fromBase64Url, unwrapFileKey } from "../../../crypto";
import { formatBytes } from "../../i18n";
import { useI18n } from "../../i18n/react";
import { uploadFiles, type CaseContext } from "../../staff/case-actions";
import { attempt } from "../../staff/decrypt";
import type { StaffCaseAttachment, StaffCaseView } from "../../staff/wire";
import { decryptResponseToBlob } from "../../reporter/decrypt-download";
import { decodeWav, encodeWav, WAV_TYPE, WavFormatError } from "../../shared/wav";
import { Field } from "../field";
import { saveAsFile } from "../save-file";
import { UserText } from "../user-text";
import { ActionResult } from "./section-action";
import { formOf, type ActProps } from "./section";

/** The types a reporter's browser gives a WAV file; only these are offered to play. */
const PLAYABLE = new Set([WAV_TYPE, "audio/x-wav", "audio/wave"]);
/** Played files are read whole into the page: a recorded message is at most about 6 MB (ADR 046). */
const PLAY_MAX_BYTES = 64 * 1024 * 1024;

export function FilesSection(props: ActProps & { c: StaffCaseView; ctx: CaseContext }) {
  const { c, ctx, act, busy } = props;
  const { t, tx, locale } = useI18n();
  const rk = ctx.keys.reportKey;

  const [playing, setPlaying] = useState<{ id: string; url: string | null } | null>(null);
  const playingUrl = playing?.url;
  useEffect(() => (playingUrl ? () => URL.revokeObjectURL(playingUrl) : undefined), [playingUrl]);

  const decrypted = async (a: StaffCaseAttachment) => {
    const fileKey = unwrapFileKey(rk, c.id, a.id, fromBase64Url(a.fileKey));
    const response = await ctx.client.raw(`/api/staff/cases/${c.id}/attachments/${a.id}`);
    const decryptor = new AttachmentDecryptor(fileKey, { reportId: c.id, attachmentId: a.id });
    return decryptResponseToBlob(response, decryptor, "application/octet-stream");
  };

  const download = (a: StaffCaseAttachment) =>
    void act(
      async () => {
        const meta = decryptFileMeta(rk, c.id, a.id, fromBase64Url(a.meta));
        // Always a download, typed as opaque bytes: never rendered in this page.
        saveAsFile(meta.name, await decrypted(a));
      },
      { slot: a.id, notice: null, reload: false },
    );

  const play = (a: StaffCaseAttachment) =>
    void act(
      async () => {
        const blob = await decrypted(a);
        try {
          // The name's size is the sender's word: the decrypted size decides before the bytes enter the page.
          if (blob.size > PLAY_MAX_BYTES) throw new WavFormatError("too large to play here");
          const bytes = new Uint8Array(await blob.arrayBuffer());
          const { samples, sampleRate } = decodeWav(bytes);
          setPlaying({ id: a.id, url: URL.createObjectURL(new Blob([encodeWav(samples, sampleRate)], { type: WAV_TYPE })) });
        } catch (error) {
          if (!(error instanceof WavFormatError)) throw error;
          setPlaying({ id: a.id, url: null });
        }
      },
      { slot: a.id, notice: null, reload: false },
    );

  return (
    <>
      {c.attachments.length === 0 ? <p>{t("casePage.empty.files")}</p> : null}
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
              {meta && PLAYABLE.has(meta.type) && meta.size <= PLAY_MAX_BYTES ? (
                <>
                  {" "}
                  <button type="button" className="link-button" onClick={() => play(a)} disabled={busy}>
                    {tx("staff.case.play", { name: <UserText text={meta.name} kind="identifier" /> })}
                  </button>
                </>
              ) : null}
              {meta && playing?.id === a.id ? (
                playing.url ? (
                  <audio
                    className="attachment-audio"
                    controls
                    src={playing.url}
                    aria-label={t("staff.case.player", { name: meta.name })}
                    data-testid="attachment-audio"
                  />
                ) : (
                  <p className="notice notice--error" role="alert">
                    {t("staff.case.notPlayable")}
                  </p>
                )
              ) : null}
              <ActionResult slot={a.id} />
            </li>
          );
        })}
      </ul>

      <form
        method="post"
        noValidate
        onSubmit={(e) => {
          const { form, data } = formOf(e);
          const files = data.getAll("attachments").filter((f): f is File => f instanceof File && f.name !== "");
          if (files.length === 0) return;
          void act(() => uploadFiles(ctx, files), { form, slot: "upload" });
        }}
      >
        <Field name="attachments" label={t("status.files.add")}>
          {(aria) => <input type="file" name="attachments" multiple {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("status.files.upload")}
        </button>
        <ActionResult slot="upload" />
      </form>
    </>
  );
}
