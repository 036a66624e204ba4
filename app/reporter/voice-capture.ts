// Records the microphone as raw samples in page memory (ADR 046). A
// ScriptProcessorNode rather than an AudioWorklet: a worklet needs a module
// URL of its own (or a blob: script, which the CSP refuses), and raw samples
// rather than MediaRecorder's compressed blob, which could not be overwritten.
// The browser's echo cancellation, noise suppression and gain control are off:
// they would colour the voice before the disguise and help nothing here.
import { disguiseVoice } from "./voice-disguise";

export type CaptureFailure = "unsupported" | "denied" | "noMicrophone" | "busy" | "failed";

export class CaptureError extends Error {
  override name = "CaptureError";
  constructor(
    readonly reason: CaptureFailure,
    options?: { cause?: unknown },
  ) {
    super(`microphone: ${reason}`, options);
  }
}

export interface Recording {
  samples: Float32Array;
  sampleRate: number;
}

export interface Capture {
  /** Seconds recorded so far. */
  seconds(): number;
  /** Stops the microphone and returns everything recorded; the chunks it was kept in are overwritten. */
  stop(): Recording;
  /** Stops the microphone and overwrites what was recorded. */
  discard(): void;
}

const CHUNK = 4096;

function failureOf(error: unknown): CaptureFailure {
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "noMicrophone";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "failed";
}

/** Starts recording; `onLimit` is called once `maxSeconds` are recorded (recording then stops taking samples). */
export async function startCapture(maxSeconds: number, onLimit: () => void): Promise<Capture> {
  if (typeof navigator === "undefined" || !navigator.mediaDevices?.getUserMedia || typeof AudioContext === "undefined") {
    throw new CaptureError("unsupported");
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (error) {
    throw new CaptureError(failureOf(error), { cause: error });
  }
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(CHUNK, 1, 1);
  const limit = Math.round(maxSeconds * context.sampleRate);
  const chunks: Float32Array[] = [];
  let length = 0;
  let ended = false;
  processor.onaudioprocess = (event) => {
    event.outputBuffer.getChannelData(0).fill(0);
    if (ended || length >= limit) return;
    const input = event.inputBuffer.getChannelData(0);
    const take = Math.min(input.length, limit - length);
    chunks.push(input.slice(0, take));
    length += take;
    if (length >= limit) onLimit();
  };
  source.connect(processor);
  processor.connect(context.destination);
  await context.resume();

  const end = () => {
    ended = true;
    processor.onaudioprocess = null;
    source.disconnect();
    processor.disconnect();
    for (const track of stream.getTracks()) track.stop();
    void context.close();
  };
  const wipe = () => {
    for (const c of chunks) c.fill(0);
    chunks.length = 0;
  };
  return {
    seconds: () => length / context.sampleRate,
    stop() {
      end();
      const samples = new Float32Array(length);
      let at = 0;
      for (const c of chunks) {
        samples.set(c, at);
        at += c.length;
      }
      wipe();
      return { samples, sampleRate: context.sampleRate };
    },
    discard() {
      end();
      wipe();
    },
  };
}

/**
 * The disguised voice (disguiseVoice), worked out in a Web Worker to which the recording is transferred, or
 * on the page where no worker can start. Either way the recording's samples are overwritten afterwards.
 */
export async function disguiseRecording(recording: Recording): Promise<Float32Array> {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./voice.worker.ts", import.meta.url), { type: "module", name: "voice" });
  } catch {
    const disguised = disguiseVoice(recording.samples, recording.sampleRate);
    recording.samples.fill(0);
    return disguised;
  }
  try {
    return await new Promise<Float32Array>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<Float32Array>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(`voice worker: ${event.message}`));
      worker.postMessage({ samples: recording.samples, sampleRate: recording.sampleRate }, [recording.samples.buffer]);
    });
  } finally {
    worker.terminate();
  }
}
