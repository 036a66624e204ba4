// Padmé (crypto/padme.ts): the size classes stream-v2 pads attachments to (ADR 033).
import { describe, expect, it } from "vitest";
import { padme, streamCiphertextSize, streamV1CiphertextSize } from "../../crypto/index";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Padmé as the paper writes it, with BigInt bit operations: the reference for the fast version. */
function padmeReference(length: number): number {
  if (length < 2) return length;
  const l = BigInt(length);
  const e = l.toString(2).length - 1;
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = BigInt(e - s);
  if (lastBits <= 0n) return length;
  const mask = (1n << lastBits) - 1n;
  return Number((l + mask) & ~mask);
}

describe("padme", () => {
  it("matches the paper's definition on every length to 2^17 and around every power of two to 2^52", () => {
    for (let l = 0; l <= 1 << 17; l++) if (padme(l) !== padmeReference(l)) expect(padme(l), `L = ${l}`).toBe(padmeReference(l));
    for (let e = 2; e <= 52; e++) {
      for (const d of [-2, -1, 0, 1, 2, 12345]) {
        const l = 2 ** e + d;
        if (l >= 0 && Number.isSafeInteger(l) && padmeReference(l) <= Number.MAX_SAFE_INTEGER) expect(padme(l), `L = ${l}`).toBe(padmeReference(l));
      }
    }
  });

  it("known values", () => {
    expect([0, 1, 2, 7, 8, 9, 10, 129, 1000].map(padme)).toEqual([0, 1, 2, 7, 8, 10, 10, 144, 1024]);
    expect(padme(65_537)).toBe(67_584);
    expect(padme(4 * GiB - 1)).toBe(4 * GiB);
    expect(padme(4 * GiB + 1)).toBe(4 * GiB + 2 ** 26);
  });

  it("never shrinks, is idempotent and monotone", () => {
    let previous = 0;
    for (let l = 0; l <= 200_000; l++) {
      const p = padme(l);
      if (p < l || padme(p) !== p || p < previous) expect({ l, p, previous }).toBe("monotone, idempotent, ≥ L");
      previous = p;
    }
    for (let l = 1; l < 4 * GiB; l = Math.floor(l * 1.37) + 1) expect(padme(l + 1)).toBeGreaterThanOrEqual(padme(l));
  });

  it("adds at most 11.7 % of the length (≤ 12 %), at most 6.25 % from 256 bytes and 1.6 % from 4 GiB", () => {
    const worstFrom = (from: number) => {
      let worst = 0;
      for (let l = from; l <= 1 << 20; l++) worst = Math.max(worst, (padme(l) - l) / l);
      return worst;
    };
    expect(worstFrom(1)).toBeCloseTo(15 / 129, 6); // L = 129 → 144
    expect(worstFrom(1)).toBeLessThanOrEqual(0.12);
    expect(worstFrom(256)).toBeLessThan(0.0625);
    for (const l of [4 * GiB + 1, 4 * GiB + 12345, 7 * GiB]) expect((padme(l) - l) / l).toBeLessThan(0.016);
  });

  it("the stored stream-v2 size exceeds stream-v1's by at most 12 % from 1 KiB on", () => {
    const sizes = [1024, 1025, 4097, 65_537, 100_000, MiB + 1, 10 * MiB + 7, 100 * MiB + 1, GiB + 1, 4 * GiB - 1];
    for (const l of sizes) expect(streamCiphertextSize(l) / streamV1CiphertextSize(l) - 1, `L = ${l}`).toBeLessThanOrEqual(0.12);
  });

  it("leaves few classes: 2^S per doubling (S = floor(log2 E) + 1), 385 from 1 MiB to 4 GiB", () => {
    const classes = (from: number, to: number) => {
      // Classes in [from, to): walk from class to class instead of over every length.
      let n = 0;
      for (let l = from; l < to; l = padme(l) + 1) n++;
      return n;
    };
    for (let e = 4; e <= 32; e++) {
      const s = Math.floor(Math.log2(e)) + 1;
      expect(classes(2 ** e + 1, 2 ** (e + 1) + 1), `E = ${e}`).toBe(2 ** s);
    }
    // 1 MiB itself, then 32 classes in each of the 12 doublings to 4 GiB: under 9 bits of size, where stream-v1 showed 32.
    expect(classes(MiB, 4 * GiB + 1)).toBe(1 + 12 * 32);
  });
});
