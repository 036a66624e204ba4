// What the reporter sees while a report and its files are encrypted and sent:
// one progress bar for the whole submission (bytes, percentage, time left), a
// cancel button while files are sent, an honest word when the connection
// drops, and a leave warning. Screen readers hear a polite summary at 10 %
// steps and on changes of state, never at every part.
import { useCallback, useRef, useState } from "react";
import { formatBytes, type MessageKey, type Translate } from "../i18n";
import { useI18n } from "../i18n/react";
import type { Progress } from "../reporter/intake-client";
import { dueAnnouncement, roundedTimeLeft, SubmissionMeter, type SubmissionFigures } from "../reporter/submission-progress";
import { UserText } from "./user-text";

/** Where a submission stands; `offline`: a request failed and is retried (`during` says what was being sent). */
export type SubmissionStage =
  | { kind: "preparing" }
  | { kind: "sealing" }
  | { kind: "uploading"; name: string; figures: SubmissionFigures }
  | { kind: "offline"; during: "upload" | "saving"; figures: SubmissionFigures | null }
  | { kind: "saving" };

/**
 * Turns the transport's progress into the stage shown and the sparse announcements. `start` with the wire bytes
 * of each file (intake-client's `wireBytes`) when the submission begins; `stop` when it ends either way.
 */
export function useSubmissionProgress(options: { offline?: MessageKey } = {}) {
  const offline = options.offline ?? "report.progress.offline";
  const { t, locale } = useI18n();
  const [stage, setStage] = useState<SubmissionStage | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const meter = useRef<SubmissionMeter | null>(null);
  const lastAnnounced = useRef<{ percent: number; at: number } | null>(null);
  const lastKind = useRef<SubmissionStage["kind"] | null>(null);
  const figures = useRef<SubmissionFigures | null>(null);

  const announce = useCallback((text: string) => setAnnouncement(text), []);

  const start = useCallback(() => {
    meter.current = null;
    figures.current = null;
    lastAnnounced.current = null;
    lastKind.current = "preparing";
    setStage({ kind: "preparing" });
    announce(t("report.loadingCrypto"));
  }, [t, announce]);

  const withFiles = useCallback((fileBytes: number[]) => {
    meter.current = new SubmissionMeter(fileBytes);
  }, []);

  const onProgress = useCallback(
    (p: Progress) => {
      const now = performance.now();
      let next: SubmissionStage;
      if (p.phase === "uploading") {
        figures.current = meter.current?.update(p.file, p.sentBytes, now) ?? null;
        if (!figures.current) return;
        next = { kind: "uploading", name: p.name, figures: figures.current };
      } else if (p.phase === "retrying") {
        next = { kind: "offline", during: lastKind.current === "saving" ? "saving" : "upload", figures: figures.current };
      } else {
        next = { kind: p.phase };
      }
      const changed = next.kind !== lastKind.current;
      // A retry repeats itself: only its first attempt is news.
      if (next.kind === "offline" && lastKind.current === "offline") return;
      lastKind.current = next.kind;
      setStage(next);
      if (next.kind === "uploading") {
        if (changed || dueAnnouncement(lastAnnounced.current, next.figures.percent, now)) {
          lastAnnounced.current = { percent: next.figures.percent, at: now };
          announce(progressSentence(t, next.figures, locale));
        }
      } else if (changed) {
        announce(stageSentence(t, next, offline));
      }
    },
    [t, locale, announce, offline],
  );

  const stop = useCallback(() => {
    setStage(null);
    setAnnouncement("");
  }, []);

  return { stage, announcement, start, withFiles, onProgress, stop };
}

function timeLeft(t: Translate, seconds: number | null): string {
  if (seconds === null) return t("report.progress.eta.unknown");
  const r = roundedTimeLeft(seconds);
  if (r.unit === "hours") return t("report.progress.eta.hours", { h: r.h, m: r.m });
  return t(`report.progress.eta.${r.unit}`, { n: r.n });
}

function progressSentence(t: Translate, f: SubmissionFigures, locale: "ko" | "en"): string {
  return t("report.progress.announce", {
    percent: f.percent,
    sent: formatBytes(f.sentBytes, locale),
    total: formatBytes(f.totalBytes, locale),
    eta: timeLeft(t, f.secondsLeft),
  });
}

function stageSentence(t: Translate, stage: SubmissionStage, offline: MessageKey = "report.progress.offline"): string {
  switch (stage.kind) {
    case "preparing":
      return t("report.loadingCrypto");
    case "sealing":
      return t("report.progress.sealing");
    case "saving":
      return t("report.progress.saving");
    case "offline":
      return t(stage.during === "saving" ? "report.progress.retrying" : offline);
    case "uploading":
      return "";
  }
}

/** The visible display (not a live region: the hook's announcement is). */
/** `offline`: what a lost connection means here (default: the report form's "nothing has been submitted yet"). */
export function SubmissionProgressView(props: { stage: SubmissionStage; onCancel?: () => void; offline?: MessageKey }) {
  const { t, tx, locale } = useI18n();
  const { stage } = props;
  const figures = stage.kind === "uploading" || stage.kind === "offline" ? stage.figures : null;
  return (
    <div className="submission-progress" data-testid="submission-progress">
      {stage.kind === "uploading" ? (
        <p>{tx("report.progress.file", { n: stage.figures.file + 1, count: stage.figures.files, name: <UserText text={stage.name} kind="identifier" /> })}</p>
      ) : stage.kind === "offline" ? (
        <p className="notice" data-testid="offline-notice">
          {t(stage.during === "saving" ? "report.progress.retrying" : (props.offline ?? "report.progress.offline"))}
        </p>
      ) : (
        <p>{stageSentence(t, stage)}</p>
      )}
      {figures ? (
        <div>
          <label htmlFor="upload-progress">{t("report.progress.label")}</label>{" "}
          <progress id="upload-progress" max={figures.totalBytes} value={figures.sentBytes}>
            {figures.percent}%
          </progress>{" "}
          <span data-testid="progress-figures">
            {t("report.progress.bytes", {
              sent: formatBytes(figures.sentBytes, locale),
              total: formatBytes(figures.totalBytes, locale),
              percent: figures.percent,
            })}
            {stage.kind === "uploading" ? ` · ${timeLeft(t, figures.secondsLeft)}` : null}
          </span>
        </div>
      ) : null}
      {props.onCancel ? (
        <p>
          <button type="button" className="button" onClick={props.onCancel}>
            {t("report.cancel")}
          </button>
        </p>
      ) : null}
    </div>
  );
}
