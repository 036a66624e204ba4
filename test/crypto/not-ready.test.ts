// Using crypto/ before loadSodium() resolved is a CryptoError "not_ready",
// not a TypeError from a missing libsodium function.
import { describe, it, vi } from "vitest";
import { encryptRecord, generateFileKey, type RecordKey } from "../../crypto/index";
import { expectCryptoError } from "./helpers";

// A libsodium that never becomes ready.
vi.mock("libsodium-wrappers", () => ({ default: { ready: new Promise(() => {}) } }));

describe("before loadSodium()", () => {
  it("synchronous functions throw not_ready", () => {
    expectCryptoError(() => generateFileKey(), "not_ready");
    expectCryptoError(() => encryptRecord(new Uint8Array(32) as RecordKey, { purpose: "note", id: "x" }, new Uint8Array(1)), "not_ready");
  });
});
