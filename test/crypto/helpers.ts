// Shared test helpers for test/crypto/*.test.ts.
import { expect } from "vitest";
import { CryptoError, type CryptoErrorCode } from "../../crypto/index";

/** Runs fn and checks that it throws a CryptoError with the given code (never a raw libsodium error). */
export function expectCryptoError(fn: () => unknown, code: CryptoErrorCode): CryptoError {
  try {
    fn();
  } catch (error) {
    return checkCaught(error, code);
  }
  return expect.fail(`expected CryptoError "${code}", but nothing was thrown`);
}

export async function expectCryptoErrorAsync(fn: () => Promise<unknown>, code: CryptoErrorCode): Promise<CryptoError> {
  try {
    await fn();
  } catch (error) {
    return checkCaught(error, code);
  }
  return expect.fail(`expected CryptoError "${code}", but nothing was thrown`);
}

function checkCaught(caught: unknown, code: CryptoErrorCode): CryptoError {
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

export { concatBytes as concat } from "../../crypto/encoding";

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
