// libsodium's sumo build, which carries crypto_pwhash (Argon2id). It is large,
// so only staff code paths import this module; the reporter's pages never do.
import sumo from "libsodium-wrappers-sumo";

let readyPromise: Promise<typeof sumo> | null = null;

export function loadSodiumSumo(): Promise<typeof sumo> {
  readyPromise ??= sumo.ready.then(() => sumo);
  return readyPromise;
}
