export type CryptoErrorCode = "not_ready" | "bad_format" | "bad_version" | "decrypt_failed" | "wrong_record" | "truncated" | "bad_receipt" | "bad_key";

/** The only error crypto/ throws. `code` is stable; `cause` keeps the underlying error. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CryptoError";
    this.code = code;
  }
}

export function isCryptoError(error: unknown, code?: CryptoErrorCode): error is CryptoError {
  return error instanceof CryptoError && (code === undefined || error.code === code);
}
