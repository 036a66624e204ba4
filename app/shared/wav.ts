// WAV files of 16-bit PCM: what a disguised voice message is sent as, and the
// only audio a staff page plays. Every browser plays PCM WAV without a codec.
// The reader is strict (RIFF/WAVE, PCM, 16 bits, one or two channels) so that
// a player can rebuild a canonical file from the samples alone and never hand
// a hostile container to the browser's decoders.

export interface PcmAudio {
  sampleRate: number;
  /** Mono samples in [-1, 1]; a stereo file is mixed down. */
  samples: Float32Array;
}

export class WavFormatError extends Error {
  override name = "WavFormatError";
}

export const WAV_TYPE = "audio/wav";
const HEADER_BYTES = 44;

/** A mono 16-bit PCM WAV file of `samples` (clipped to [-1, 1]). */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(HEADER_BYTES + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(HEADER_BYTES + i * 2, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
  }
  return bytes;
}

/** The samples of a 16-bit PCM WAV file; anything else is a WavFormatError. */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new WavFormatError("not a RIFF/WAVE file");
  let format: { channels: number; sampleRate: number } | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new WavFormatError("short fmt chunk");
      const code = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bits = view.getUint16(body + 14, true);
      if (code !== 1 || bits !== 16) throw new WavFormatError("not 16-bit PCM");
      if (channels < 1 || channels > 2) throw new WavFormatError("not mono or stereo");
      if (sampleRate < 8000 || sampleRate > 192000) throw new WavFormatError("sample rate out of range");
      format = { channels, sampleRate };
    } else if (id === "data") {
      if (!format) throw new WavFormatError("data before fmt");
      // A streamed file may carry a placeholder size: take what is there.
      const end = Math.min(bytes.length, body + size);
      const frames = Math.floor((end - body) / (2 * format.channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < format.channels; c++) sum += view.getInt16(body + (i * format.channels + c) * 2, true) / 0x8000;
        samples[i] = sum / format.channels;
      }
      return { sampleRate: format.sampleRate, samples };
    }
    at = body + size + (size % 2);
  }
  throw new WavFormatError("no data chunk");
}
