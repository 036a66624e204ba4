// Records a spoken message, disguises the voice in this browser and offers the
// disguised version to listen to before it is sent (ADR 046). Only the
// disguised WAV file enters the form (a hidden file input named VOICE_FIELD),
// so it is encrypted and uploaded like any attached file; the recording itself
// stays in page memory and is overwritten once disguised or discarded.
import { useEffect, useId, useRef, useState } from "react";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import { CaptureError, disguiseRecording, startCapture, type Capture, type CaptureFailure } from "../reporter/voice-capture";
import { VOICE_DISGUISE } from "../reporter/voice-disguise";
import { VOICE_FIELD } from "../reporter/validate-draft";
import { encodeWav, WAV_TYPE } from "../shared/wav";

/** The longest message: three minutes (about 5.8 MB as 16 kHz WAV). */
export const VOICE_MAX_SECONDS = 180;

type State =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "recording"; seconds: number }
  | { kind: "disguising" }
  | { kind: "ready"; url: string; seconds: number }
  | { kind: "failed"; reason: CaptureFailure };

const FAILURES: Record<CaptureFailure, MessageKey> = {
  unsupported: "voice.error.unsupported",
  denied: "voice.error.denied",
  noMicrophone: "voice.error.noMicrophone",
  busy: "voice.error.busy",
  failed: "voice.error.failed",
};

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function VoiceRecorder(props: { disabled?: boolean; onChange?: (recorded: boolean) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [state, setState] = useState<State>({ kind: "idle" });
  const [announcement, setAnnouncement] = useState("");
  const [held, setHeld] = useState(false);
  const capture = useRef<Capture | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const player = useRef<HTMLAudioElement>(null);
  const url = state.kind === "ready" ? state.url : null;
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  const clearFile = () => {
    if (fileInput.current) fileInput.current.value = "";
    onChange.current?.(false);
  };

  // The preview's blob URL lives as long as it is shown.
  useEffect(() => (url ? () => URL.revokeObjectURL(url) : undefined), [url]);
  // Leaving the page mid-recording stops the microphone and overwrites what it took.
  useEffect(() => () => capture.current?.discard(), []);
  // A form reset (after the follow-up page sent its files) empties the file input: the preview goes too.
  useEffect(() => {
    const form = fileInput.current?.form;
    const onReset = () => {
      capture.current?.discard();
      capture.current = null;
      setState({ kind: "idle" });
      onChange.current?.(false);
    };
    form?.addEventListener("reset", onReset);
    return () => form?.removeEventListener("reset", onReset);
  }, []);
  // Sending while a message is being recorded or disguised would send the form without it: held back
  // here, before the form's own handler, with a word why.
  const unfinished = useRef(false);
  unfinished.current = state.kind === "starting" || state.kind === "recording" || state.kind === "disguising";
  useEffect(() => {
    const form = fileInput.current?.form;
    const onSubmit = (event: Event) => {
      if (!unfinished.current) return;
      event.preventDefault();
      event.stopPropagation();
      setAnnouncement("");
      setHeld(true);
    };
    form?.addEventListener("submit", onSubmit);
    return () => form?.removeEventListener("submit", onSubmit);
  }, []);
  useEffect(() => {
    if (!unfinished.current) setHeld(false);
  }, [state.kind]);
  // Focus follows the action once the page shows its result: the player when the message is ready, the
  // record button after Record again or Discard (the buttons pressed are gone).
  const moveFocus = useRef<"toggle" | null>(null);
  useEffect(() => {
    if (state.kind === "ready") player.current?.focus();
    else if (moveFocus.current === "toggle") toggle.current?.focus();
    moveFocus.current = null;
  }, [state.kind]);
  useEffect(() => {
    if (state.kind !== "recording") return;
    const timer = setInterval(() => {
      if (capture.current) setState({ kind: "recording", seconds: capture.current.seconds() });
    }, 250);
    return () => clearInterval(timer);
  }, [state.kind]);

  const finish = async () => {
    const c = capture.current;
    if (!c) return;
    capture.current = null;
    const recording = c.stop();
    setState({ kind: "disguising" });
    setAnnouncement(t("voice.disguising"));
    const seconds = recording.samples.length / recording.sampleRate;
    let disguised: Float32Array;
    try {
      disguised = await disguiseRecording(recording);
    } catch {
      recording.samples.fill(0);
      setState({ kind: "failed", reason: "failed" });
      return;
    }
    const wav = encodeWav(disguised, VOICE_DISGUISE.outputRate);
    disguised.fill(0);
    const file = new File([wav], "voice-message.wav", { type: WAV_TYPE });
    wav.fill(0);
    try {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      fileInput.current!.files = transfer.files;
    } catch {
      setState({ kind: "failed", reason: "unsupported" });
      return;
    }
    onChange.current?.(true);
    setState({ kind: "ready", url: URL.createObjectURL(file), seconds });
    setAnnouncement(t("voice.ready.announce"));
  };

  const start = async () => {
    clearFile();
    setState({ kind: "starting" });
    try {
      capture.current = await startCapture(VOICE_MAX_SECONDS, () => void finish());
      setState({ kind: "recording", seconds: 0 });
      setAnnouncement(t("voice.recording.announce", { minutes: VOICE_MAX_SECONDS / 60 }));
    } catch (error) {
      setState({ kind: "failed", reason: error instanceof CaptureError ? error.reason : "failed" });
    }
  };

  const discard = () => {
    clearFile();
    setState({ kind: "idle" });
    setAnnouncement(t("voice.discarded"));
    moveFocus.current = "toggle";
  };

  const recording = state.kind === "recording";
  const busy = state.kind === "starting" || state.kind === "disguising";
  return (
    <section className="voice" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("voice.title")}</h3>
      <p className="hint" id={`${id}-hint`}>
        {t("voice.hint", { minutes: VOICE_MAX_SECONDS / 60 })}
      </p>
      {held ? (
        <p className="notice notice--error" role="alert" data-testid="voice-unfinished">
          {t("voice.error.unfinished")}
        </p>
      ) : null}
      {state.kind === "failed" ? (
        <p className="notice notice--error" role="alert" data-testid="voice-error">
          {t(FAILURES[state.reason])}
        </p>
      ) : null}
      {state.kind === "ready" ? (
        <div className="voice__preview">
          <p id={`${id}-preview`}>{t("voice.ready", { length: clock(state.seconds) })}</p>
          <audio ref={player} controls src={state.url} aria-labelledby={`${id}-preview`} data-testid="voice-preview" />
        </div>
      ) : null}
      <p className="voice__controls">
        {state.kind === "ready" ? null : (
          <button
            ref={toggle}
            type="button"
            className={recording ? "button button--primary" : "button"}
            aria-describedby={`${id}-hint`}
            // Not disabled while the microphone starts or the voice is disguised: that would drop the focus.
            aria-disabled={busy || undefined}
            disabled={props.disabled}
            onClick={() => {
              if (!busy) void (recording ? finish() : start());
            }}
          >
            {recording ? t("voice.stop") : t("voice.record")}
          </button>
        )}
        {state.kind === "ready" ? (
          <>
            <button
              type="button"
              className="button"
              disabled={props.disabled}
              onClick={() => {
                moveFocus.current = "toggle";
                void start();
              }}
            >
              {t("voice.again")}
            </button>{" "}
            <button type="button" className="button" disabled={props.disabled} onClick={discard}>
              {t("voice.discard")}
            </button>
          </>
        ) : null}{" "}
        {recording ? (
          <span className="voice__elapsed" data-testid="voice-elapsed">
            {t("voice.elapsed", { elapsed: clock(state.seconds), max: clock(VOICE_MAX_SECONDS) })}
          </span>
        ) : null}
        {state.kind === "disguising" ? <span>{t("voice.disguising")}</span> : null}
      </p>
      <input ref={fileInput} type="file" name={VOICE_FIELD} accept={WAV_TYPE} hidden tabIndex={-1} aria-hidden="true" />
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}
