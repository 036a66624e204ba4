// Staff-only entry point: pulls in the Argon2id (sumo) build. Reporter code must
// import from "crypto/index" only, never from here.
export * from "./staff-keys";
export { loadSodiumSumo } from "./sodium-sumo";
