// Imported for its effect by test files that are not about signing in (ADR 023).
//
// A staff member's keys come from Argon2id over 64 MiB (crypto/staff-keys.ts): about 0.4 s of CPU in
// WebAssembly each time a test creates an account, signs it in or unlocks its key, several times per
// account in most files. Here libsodium's crypto_pwhash keeps its result for each password and salt in
// this test process, and answers the same inputs again with a copy: the first derivation of every
// account (at its creation, with its own random salt) runs for real, and every later step of the client
// code (key derivation, unwrapping, the sign-in requests) runs as in the browser. The server's argon2
// check of the authentication key is not touched: it runs on every sign-in with the production
// parameters. test/integration/staff.test.ts, staff-accounts.test.ts and the Chromium tests sign in
// without this.
import { loadSodiumSumo } from "../../crypto/staff";

const sumo = await loadSodiumSumo();
const original = sumo.crypto_pwhash;
if (!(original as { reused?: true }).reused) {
  const results = new Map<string, Uint8Array>();
  const text = (b: unknown) => (typeof b === "string" ? `s:${b}` : b instanceof Uint8Array ? Buffer.from(b).toString("hex") : String(b));
  type Args = [
    keyLength: number,
    password: Uint8Array | string,
    salt: Uint8Array,
    opsLimit: number,
    memLimit: number,
    algorithm: number,
    outputFormat?: string | null,
  ];
  const reused = (...args: Args): Uint8Array => {
    const derive = (): Uint8Array => Reflect.apply(original, sumo, args);
    // Only the form the staff key code uses (bytes out); anything else derives as usual.
    if (args[6] != null && args[6] !== "uint8array") return derive();
    const key = args.slice(0, 6).map(text).join("|");
    let result = results.get(key);
    if (!result) {
      result = derive().slice();
      results.set(key, result);
    }
    // A copy: the caller wipes the master key it gets (memzero).
    return result.slice();
  };
  Object.defineProperty(sumo, "crypto_pwhash", { value: Object.assign(reused, { reused: true }), writable: true, configurable: true, enumerable: true });
}
