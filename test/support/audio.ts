// Measuring audio in tests: the fundamental frequency of voiced speech, the
// strongest harmonic and spectral centroid of a tone, and how much of one
// signal is in another (the best normalised cross-correlation at any lag).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CI } from "./backends";

export const ESPEAK_PATH = "/usr/bin/espeak-ng";

/** Whether Debian's espeak-ng is here; under CI a missing one fails the run instead of skipping it. */
export function espeakAvailable(): boolean {
  if (existsSync(ESPEAK_PATH)) return true;
  if (CI) throw new Error(`espeak-ng is required under CI but ${ESPEAK_PATH} does not exist (apt-get install -y espeak-ng)`);
  return false;
}

/** Synthesised English speech as a WAV file (espeak-ng writes 16-bit mono PCM at 22,050 Hz). */
export function speak(text: string, file: string): void {
  execFileSync(ESPEAK_PATH, ["-v", "en-us", "-s", "140", "-w", file, text]);
}

/**
 * Median F0 in Hz over voiced frames (40 ms, 10 ms apart), by normalised autocorrelation between 60 and
 * 400 Hz; a frame is voiced when it is loud (within 20 dB of the loudest) and clearly periodic.
 */
export function medianF0(samples: Float32Array, rate: number): number {
  const frame = Math.round(rate * 0.04);
  const hop = Math.round(rate * 0.01);
  const minLag = Math.floor(rate / 400);
  const maxLag = Math.ceil(rate / 60);
  const energies: number[] = [];
  for (let at = 0; at + frame + maxLag <= samples.length; at += hop) {
    let e = 0;
    for (let i = 0; i < frame; i++) e += samples[at + i]! ** 2;
    energies.push(e);
  }
  const loudest = Math.max(0, ...energies);
  const found: number[] = [];
  energies.forEach((energy, index) => {
    if (energy < loudest * 0.01) return;
    const at = index * hop;
    const r = new Float64Array(maxLag + 2);
    for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
      let xy = 0;
      let yy = 0;
      for (let i = 0; i < frame; i++) {
        const y = samples[at + i + lag] ?? 0;
        xy += samples[at + i]! * y;
        yy += y * y;
      }
      r[lag] = xy / Math.sqrt(energy * yy + 1e-12);
    }
    let best = 0;
    for (let lag = minLag; lag <= maxLag; lag++) best = Math.max(best, r[lag]!);
    if (best < 0.8) return;
    // The shortest lag nearly as good as the best: a period, not a multiple of it.
    let lag = minLag;
    while (!(r[lag]! >= 0.95 * best && r[lag]! >= r[lag - 1]! && r[lag]! >= r[lag + 1]!)) lag++;
    const [a, b, c] = [r[lag - 1]!, r[lag]!, r[lag + 1]!];
    const offset = a - 2 * b + c === 0 ? 0 : (0.5 * (a - c)) / (a - 2 * b + c);
    found.push(rate / (lag + offset));
  });
  if (found.length === 0) return NaN;
  found.sort((x, y) => x - y);
  return found[Math.floor(found.length / 2)]!;
}

export function semitonesBetween(from: number, to: number): number {
  return 12 * Math.log2(to / from);
}

/** In-place radix-2 FFT of (re, im), whose length is a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
      }
    }
  }
}

/** Magnitude spectrum of a Hann-windowed stretch of `samples` from `at`, `size` (a power of two) long. */
export function spectrum(samples: Float32Array, at: number, size: number): Float64Array {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < size; i++) re[i] = (samples[at + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  fft(re, im);
  const mag = new Float64Array(size / 2);
  for (let i = 0; i < size / 2; i++) mag[i] = Math.hypot(re[i]!, im[i]!);
  return mag;
}

/** The frequency of the strongest spectral peak and the spectral centroid below `upTo` Hz. */
export function spectralShape(samples: Float32Array, rate: number, upTo: number): { peak: number; centroid: number } {
  const size = 8192;
  const mag = spectrum(samples, Math.max(0, Math.floor((samples.length - size) / 2)), size);
  const bins = Math.floor((upTo * size) / rate);
  let peak = 0;
  let sum = 0;
  let weighted = 0;
  for (let i = 1; i < bins; i++) {
    if (mag[i]! > mag[peak]!) peak = i;
    sum += mag[i]!;
    weighted += mag[i]! * i;
  }
  return { peak: (peak * rate) / size, centroid: ((weighted / sum) * rate) / size };
}

/**
 * How well `part` matches `signal` at its best place: the largest normalised cross-correlation over every
 * lag at which `part` lies inside `signal` (1 when `signal` holds `part`, scaled; near 0 for unrelated sound).
 */
export function bestMatch(part: Float32Array, signal: Float32Array): number {
  let n = 1;
  while (n < part.length + signal.length) n <<= 1;
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  const br = new Float64Array(n);
  const bi = new Float64Array(n);
  ar.set(part);
  br.set(signal);
  fft(ar, ai);
  fft(br, bi);
  // part ⋆ signal = IFFT(conj(A)·B), the inverse taken as a forward FFT of the conjugate.
  for (let i = 0; i < n; i++) {
    const re = ar[i]! * br[i]! + ai[i]! * bi[i]!;
    const im = ar[i]! * bi[i]! - ai[i]! * br[i]!;
    ar[i] = re;
    ai[i] = -im;
  }
  fft(ar, ai);
  const partEnergy = part.reduce((s, v) => s + v * v, 0);
  const prefix = new Float64Array(signal.length + 1);
  for (let i = 0; i < signal.length; i++) prefix[i + 1] = prefix[i]! + signal[i]! ** 2;
  let best = 0;
  for (let lag = 0; lag + part.length <= signal.length; lag++) {
    const windowEnergy = prefix[lag + part.length]! - prefix[lag]!;
    best = Math.max(best, Math.abs(ar[lag]! / n) / Math.sqrt(partEnergy * windowEnergy + 1e-12));
  }
  return best;
}
