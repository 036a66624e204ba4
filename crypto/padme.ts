// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", PETS 2019, §4): rounds a length L up so that only
// its top floor(log2 E) + 1 bits may be non-zero, E = floor(log2 L). The
// rounded length leaks O(log log L) bits about L instead of O(log L), and the
// padding added is below 2^-(floor(log2 E) + 1) of L: at most 11.63 % (L = 129),
// at most 6.25 % from 256 bytes, 3.13 % from 64 KiB and 1.57 % from 4 GiB.
// stream-v2 pads every attachment's plaintext to this length (attachment-stream.ts).

/** The Padmé length of `length` (a non-negative safe integer): the smallest class ≥ length. */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError("padme: a length is a non-negative safe integer");
  if (length < 2) return length;
  let e = Math.floor(Math.log2(length));
  // Math.log2 may round up just below a power of two; correct it to the exact bit length − 1.
  if (2 ** e > length) e -= 1;
  else if (2 ** (e + 1) <= length) e += 1;
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  if (lastBits <= 0) return length;
  // 2^lastBits is a power of two ≤ 2^49 here, so the arithmetic below is exact in doubles.
  const step = 2 ** lastBits;
  return Math.ceil(length / step) * step;
}
