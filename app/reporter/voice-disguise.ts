// Disguises a recorded voice before anything else happens to it (ADR 046).
//
// The method is the textbook one: resampling scales the whole spectrum by a
// factor, which moves the pitch AND the formants (the resonances of the
// speaker's vocal tract) together; WSOLA (waveform-similarity overlap-add)
// then restores the original duration without moving them back. The output is
// resampled to 16 kHz mono (speech stays understandable; fine detail of the
// voice above 8 kHz is gone) and normalised in level. Pure and synchronous: no
// DOM, so unit tests run the very code the browser runs.

export interface DisguiseSettings {
  /** How far pitch and formants move, in semitones (negative: lower). */
  semitones: number;
  /** Sample rate of the disguised result. */
  outputRate: number;
}

/** The configured shift: four semitones down (pitch and formants times 0.794), 16 kHz. */
export const VOICE_DISGUISE: DisguiseSettings = { semitones: -4, outputRate: 16_000 };

/** The factor a frequency is multiplied by. */
export function shiftRatio(settings: DisguiseSettings = VOICE_DISGUISE): number {
  return 2 ** (settings.semitones / 12);
}

/** The disguised voice: same duration, at `settings.outputRate`, pitch and formants multiplied by shiftRatio(). */
export function disguiseVoice(samples: Float32Array, sampleRate: number, settings: DisguiseSettings = VOICE_DISGUISE): Float32Array {
  const ratio = shiftRatio(settings);
  const outLength = Math.round((samples.length * settings.outputRate) / sampleRate);
  // Reading the input `step` samples per output sample plays it ratio times faster at the output rate.
  const step = (ratio * sampleRate) / settings.outputRate;
  const shifted = resample(samples, step);
  const out = timeStretch(shifted, outLength, settings.outputRate);
  shifted.fill(0);
  return normalise(out);
}

const ZERO_CROSSINGS = 12;
const TABLE_STEPS = 256;
// A Blackman-windowed sinc, tabulated once per zero crossing.
const KERNEL = (() => {
  const n = ZERO_CROSSINGS * TABLE_STEPS + 1;
  const k = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const x = i / TABLE_STEPS;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / ZERO_CROSSINGS) + 0.08 * Math.cos((2 * Math.PI * x) / ZERO_CROSSINGS);
    k[i] = sinc * w;
  }
  return k;
})();

function kernel(x: number): number {
  const a = Math.abs(x) * TABLE_STEPS;
  const i = Math.floor(a);
  if (i >= ZERO_CROSSINGS * TABLE_STEPS) return 0;
  const f = a - i;
  return KERNEL[i]! * (1 - f) + KERNEL[i + 1]! * f;
}

/** Band-limited resampling: output n is the input at position n·step, low-passed below both Nyquist frequencies. */
export function resample(input: Float32Array, step: number): Float32Array {
  const length = input.length === 0 ? 0 : Math.floor((input.length - 1) / step) + 1;
  const out = new Float32Array(length);
  // Cut-off as a fraction of the input's Nyquist frequency, a little below it against aliasing.
  const cutoff = Math.min(1, 1 / step) * 0.95;
  const reach = ZERO_CROSSINGS / cutoff;
  for (let n = 0; n < length; n++) {
    const p = n * step;
    const from = Math.max(0, Math.ceil(p - reach));
    const to = Math.min(input.length - 1, Math.floor(p + reach));
    let sum = 0;
    for (let k = from; k <= to; k++) sum += input[k]! * kernel((p - k) * cutoff);
    out[n] = sum * cutoff;
  }
  return out;
}

/**
 * WSOLA: overlap-adds Hann-windowed frames of `input` at a fixed output hop, each taken near where the
 * time scale puts it, shifted within a tolerance to the offset whose waveform best continues the previous
 * frame, so periods line up and the pitch is kept. The result has exactly `outLength` samples.
 */
export function timeStretch(input: Float32Array, outLength: number, rate: number): Float32Array {
  const hop = Math.max(8, Math.round(rate * 0.016));
  const frame = hop * 2;
  const tolerance = Math.round(rate * 0.008);
  const window = new Float32Array(frame);
  for (let i = 0; i < frame; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
  const out = new Float32Array(outLength + frame);
  const weight = new Float32Array(outLength + frame);
  const speed = outLength > 0 ? input.length / outLength : 1;
  const lastStart = Math.max(0, input.length - frame);
  let previous = -1;
  for (let at = 0; at < outLength; at += hop) {
    const nominal = Math.min(lastStart, Math.round(at * speed));
    let start = nominal;
    if (previous >= 0) {
      // The natural continuation of the previous frame, which the new frame should resemble.
      const follow = previous + hop;
      let best = -Infinity;
      for (let d = -tolerance; d <= tolerance; d++) {
        const s = nominal + d;
        if (s < 0 || s > lastStart) continue;
        let score = 0;
        for (let i = 0; i < hop; i += 2) score += input[s + i]! * (input[follow + i] ?? 0);
        if (score > best) {
          best = score;
          start = s;
        }
      }
    }
    for (let i = 0; i < frame; i++) {
      out[at + i]! += window[i]! * (input[start + i] ?? 0);
      weight[at + i]! += window[i]!;
    }
    previous = start;
  }
  const result = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) result[i] = weight[i]! > 1e-3 ? out[i]! / weight[i]! : 0;
  out.fill(0);
  return result;
}

/** Peak at -1 dBFS (silence stays silence), so a quiet recording is heard and levels say nothing of the room. */
function normalise(samples: Float32Array): Float32Array {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  if (peak < 1e-6) return samples.fill(0);
  const gain = 0.89 / peak;
  for (let i = 0; i < samples.length; i++) samples[i]! *= gain;
  return samples;
}
