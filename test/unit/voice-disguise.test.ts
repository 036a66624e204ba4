// The voice disguise on synthetic signals: a harmonic tone with one resonance (a stand-in for a vowel) comes
// out with its F0 and its spectral envelope moved by the configured shift, the same length, and silence
// stays silence. The same code runs in the reporter's browser (app/reporter/voice-disguise.ts).
import { describe, expect, it } from "vitest";
import { disguiseVoice, shiftRatio, VOICE_DISGUISE } from "../../app/reporter/voice-disguise";
import { decodeWav, encodeWav, WavFormatError } from "../../app/shared/wav";
import { bestMatch, medianF0, semitonesBetween, spectralShape } from "../support/audio";

/** Harmonics of f0 up to 5 kHz, weighted by one resonance at `formant` Hz, `seconds` long. */
function vowel(f0: number, formant: number, rate: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let k = 1; k * f0 < 5000; k++) {
    const f = k * f0;
    const gain = 1 / (1 + ((f - formant) / 150) ** 2);
    for (let i = 0; i < out.length; i++) out[i]! += 0.1 * gain * Math.sin((2 * Math.PI * f * i) / rate + k);
  }
  return out;
}

describe("voice disguise", () => {
  const ratio = shiftRatio();

  it("is configured as four semitones down at 16 kHz", () => {
    expect(VOICE_DISGUISE).toEqual({ semitones: -4, outputRate: 16_000 });
    expect(ratio).toBeCloseTo(0.7937, 4);
  });

  for (const rate of [48_000, 44_100]) {
    it(`moves F0 and the spectral envelope by the configured shift and keeps the length (${rate} Hz in)`, () => {
      const input = vowel(150, 1200, rate, 2);
      const before = { f0: medianF0(input, rate), ...spectralShape(input, rate, 4000) };
      const output = disguiseVoice(input, rate);
      expect(output.length).toBe(Math.round((input.length * VOICE_DISGUISE.outputRate) / rate));
      const after = { f0: medianF0(output, VOICE_DISGUISE.outputRate), ...spectralShape(output, VOICE_DISGUISE.outputRate, 4000) };
      expect(before.f0).toBeCloseTo(150, 0);
      expect(semitonesBetween(before.f0, after.f0)).toBeCloseTo(VOICE_DISGUISE.semitones, 1);
      // The resonance (the strongest harmonic) and the centroid of the spectrum move by the same factor.
      expect(before.peak).toBeCloseTo(1200, -1);
      expect(Math.abs(after.peak - 1200 * ratio)).toBeLessThan(after.f0 / 2);
      expect(after.centroid / before.centroid).toBeCloseTo(ratio, 1);
      expect(Math.abs(after.centroid / before.centroid - ratio)).toBeLessThan(0.02);
    });
  }

  it("keeps the sound going without gaps (WSOLA joins frames in phase)", () => {
    const output = disguiseVoice(vowel(120, 700, 48_000, 1.5), 48_000);
    const block = 800; // 50 ms
    const levels: number[] = [];
    for (let at = block; at + 2 * block <= output.length; at += block) {
      levels.push(Math.sqrt(output.subarray(at, at + block).reduce((s, v) => s + v * v, 0) / block));
    }
    const mean = levels.reduce((s, v) => s + v, 0) / levels.length;
    for (const level of levels) expect(Math.abs(level / mean - 1)).toBeLessThan(0.15);
  });

  it("leaves silence silent and an empty recording empty", () => {
    const output = disguiseVoice(new Float32Array(48_000), 48_000);
    expect(output.length).toBe(16_000);
    expect(output.every((s) => s === 0)).toBe(true);
    expect(disguiseVoice(new Float32Array(0), 48_000).length).toBe(0);
  });

  it("does not contain the input's waveform", () => {
    const rate = 16_000;
    const input = vowel(140, 900, rate, 1);
    const output = disguiseVoice(input, rate);
    expect(bestMatch(input.subarray(4000, 8000), input)).toBeCloseTo(1, 3);
    expect(bestMatch(output.subarray(4000, 8000), input)).toBeLessThan(0.5);
  });
});

describe("WAV files", () => {
  it("round-trips 16-bit mono PCM", () => {
    const samples = new Float32Array([0, 0.5, -0.5, 1, -1, 0.25]);
    const { sampleRate, samples: back } = decodeWav(encodeWav(samples, 16_000));
    expect(sampleRate).toBe(16_000);
    back.forEach((v, i) => expect(v).toBeCloseTo(samples[i]!, 3));
  });

  it("refuses what is not 16-bit PCM WAV", () => {
    const wav = encodeWav(new Float32Array(4), 16_000);
    expect(() => decodeWav(new TextEncoder().encode("<html>not audio</html>"))).toThrow(WavFormatError);
    const float = wav.slice();
    float[20] = 3; // IEEE float
    expect(() => decodeWav(float)).toThrow(WavFormatError);
    expect(() => decodeWav(wav.subarray(0, 36))).toThrow(WavFormatError);
  });
});
