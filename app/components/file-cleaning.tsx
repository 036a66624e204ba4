// Files chosen for a report or a follow-up, each cleaned of identifying metadata before it is
// encrypted (ADR 045): the list says per file what was found and removed, or that its type is not
// cleaned, and offers to send the original instead. Cleaning starts when the files are chosen and
// runs in a Web Worker; sending waits for what is still being cleaned.
import { useCallback, useMemo, useRef, useState } from "react";
import { formatBytes } from "../i18n";
import { useI18n } from "../i18n/react";
import { cleanFile } from "../shared/metadata/clean-client";
import type { CleanResult } from "../shared/metadata/findings";
import { UserText } from "./user-text";

interface Entry {
  file: File;
  result: CleanResult | null;
  sendOriginal: boolean;
}

/** Sending stopped: a file could not be cleaned while the reporter was not looking (`FileCleaning.failedUnseen`). */
export class CleaningNeedsReview extends Error {
  override name = "CleaningNeedsReview";
  readonly code = "metadata_review";
}

export interface FileCleaning {
  entries: Entry[];
  /** The files now chosen in the input: cleaning starts for each. */
  select(files: File[]): void;
  setOriginal(file: File, original: boolean): void;
  /**
   * Waits for the files still being cleaned; true if one of them could not be cleaned, whose note the reporter has
   * then not seen before sending (the form stops, so they see it and decide).
   */
  failedUnseen(files: File[]): Promise<boolean>;
  /** What to encrypt for these files: the cleaned copy, or the original where chosen or nothing was removed. */
  chosen(files: File[]): Promise<File[]>;
  reset(): void;
}

export function useFileCleaning(): FileCleaning {
  const [entries, setEntries] = useState<Entry[]>([]);
  const results = useRef(new Map<File, Promise<CleanResult>>());
  const originals = useRef(new Set<File>());
  const settled = useRef(new Set<File>());
  const start = (file: File) => {
    let p = results.current.get(file);
    if (!p) {
      p = cleanFile(file).then((result) => (settled.current.add(file), result));
      results.current.set(file, p);
    }
    return p;
  };
  const select = useCallback((files: File[]) => {
    results.current = new Map([...results.current].filter(([f]) => files.includes(f)));
    originals.current = new Set(); // every list starts with the cleaned copies, as shown
    setEntries(files.map((file) => ({ file, result: null, sendOriginal: false })));
    for (const file of files) {
      void start(file).then((result) => setEntries((list) => list.map((e) => (e.file === file ? { ...e, result } : e))));
    }
  }, []);
  const setOriginal = useCallback((file: File, original: boolean) => {
    if (original) originals.current.add(file);
    else originals.current.delete(file);
    setEntries((list) => list.map((e) => (e.file === file ? { ...e, sendOriginal: original } : e)));
  }, []);
  const failedUnseen = useCallback(async (files: File[]) => {
    const pending = files.filter((f) => !settled.current.has(f) && !originals.current.has(f));
    return (await Promise.all(pending.map(start))).some((r) => r.kind === "failed");
  }, []);
  const chosen = useCallback(
    (files: File[]) =>
      Promise.all(
        files.map(async (file) => {
          if (originals.current.has(file)) return file;
          const result = await start(file);
          // Same name and type: the cleaned copy replaces the file, it does not add one.
          return result.kind === "cleaned" ? new File([result.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }) : file;
        }),
      ),
    [],
  );
  const reset = useCallback(() => select([]), [select]);
  return useMemo(() => ({ entries, select, setOriginal, failedUnseen, chosen, reset }), [entries, select, setOriginal, failedUnseen, chosen, reset]);
}

/** The chosen files and what cleaning found in each; `idPrefix` keeps control ids apart where two lists share a page. */
export function FileCleaningList(props: { cleaning: FileCleaning; idPrefix: string; disabled?: boolean }) {
  const { t, locale } = useI18n();
  const { entries } = props.cleaning;
  const listId = `${props.idPrefix}-selected`;
  return (
    <div className="file-cleaning">
      <p className="hint">{t("metadata.hint")}</p>
      {entries.length > 0 ? (
        <>
          <p id={listId}>{t("report.attachments.selected")}</p>
          <ul aria-labelledby={listId} className="file-list" data-testid="file-cleaning" aria-live="polite">
            {entries.map((e, i) => {
              const id = `${props.idPrefix}-original-${i}`;
              const r = e.result;
              return (
                <li key={i} data-testid="file-cleaning-item">
                  <UserText text={e.file.name} kind="identifier" /> <span className="hint">({formatBytes(e.file.size, locale)})</span>
                  <p className="hint" data-testid="file-cleaning-status" id={`${id}-status`}>
                    {r === null
                      ? t("metadata.checking")
                      : r.kind === "cleaned"
                        ? t(e.sendOriginal ? "metadata.original" : "metadata.removed", { items: r.found.map((k) => t(`metadata.found.${k}`)).join(", ") })
                        : r.kind === "nothing"
                          ? t("metadata.nothing")
                          : r.kind === "unsupported"
                            ? t("metadata.unsupported")
                            : t(`metadata.failed.${r.reason}`)}
                  </p>
                  {(r?.kind === "cleaned" || r?.kind === "nothing") && r.kept?.length ? (
                    <p className="hint" data-testid="file-cleaning-kept">
                      {t("metadata.kept", { items: r.kept.map((k) => t(`metadata.kept.${k}`)).join(", ") })}
                    </p>
                  ) : null}
                  {r?.kind === "cleaned" ? (
                    <div className="checkbox">
                      <input
                        type="checkbox"
                        id={id}
                        checked={e.sendOriginal}
                        disabled={props.disabled}
                        aria-describedby={`${id}-status`}
                        onChange={(ev) => props.cleaning.setOriginal(e.file, ev.currentTarget.checked)}
                      />
                      <label htmlFor={id}>{t("metadata.sendOriginal")}</label>
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </div>
  );
}
