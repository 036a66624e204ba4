// The voice disguise's Web Worker (ADR 046): a long recording takes seconds to
// disguise, and the page keeps answering meanwhile. The recording arrives
// transferred (the page keeps no copy) and is overwritten here once disguised.
import { disguiseVoice } from "./voice-disguise";

export interface VoiceJob {
  samples: Float32Array;
  sampleRate: number;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<VoiceJob>) => void) | null; postMessage(message: unknown, transfer: Transferable[]): void };

scope.onmessage = (event) => {
  const { samples, sampleRate } = event.data;
  const disguised = disguiseVoice(samples, sampleRate);
  samples.fill(0);
  scope.postMessage(disguised, [disguised.buffer]);
};
