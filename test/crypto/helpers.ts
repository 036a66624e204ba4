// Shared test helpers for test/crypto/*.test.ts.
import { expect } from "vitest";
import { CryptoError, type CryptoErrorCode } from "../../crypto/index";

/** Runs fn and checks that it throws a CryptoError with the given code (never a raw libsodium error). */
export function expectCryptoError(fn: () => unknown, code: CryptoErrorCode): CryptoError {
  let caught: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (error) {
    threw = true;
    caught = error;
  }
  expect(threw, `expected CryptoError "${code}", but nothing was thrown`).toBe(true);
  expect(caught, `expected CryptoError "${code}", got ${String(caught)}`).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
  return caught as CryptoError;
}

export async function expectCryptoErrorAsync(fn: () => Promise<unknown>, code: CryptoErrorCode): Promise<CryptoError> {
  let caught: unknown = undefined;
  let threw = false;
  try {
    await fn();
  } catch (error) {
    threw = true;
    caught = error;
  }
  expect(threw, `expected CryptoError "${code}", but nothing was thrown`).toBe(true);
  expect(caught, `expected CryptoError "${code}", got ${String(caught)}`).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
  return caught as CryptoError;
}

/** A copy of `bytes` with one bit flipped at `index` (negative counts from the end). */
export function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  const i = index < 0 ? out.length + index : index;
  out[i] = out[i]! ^ 0x01;
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
