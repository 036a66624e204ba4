// The public surface of crypto/. Isomorphic (browser, Node, tests), no I/O.
// Callers await loadSodium() once before using the synchronous functions.
export { loadSodium } from "./sodium";
export * from "./errors";
export * from "./types";
export * from "./encoding";
export * from "./aead";
export * from "./envelope";
export * from "./receipt";
export * from "./attachment-stream";
export * from "./padme";
export * from "./report";
export * from "./identity";
export * from "./dialogue";
export * from "./casework";
export * from "./masks";
export * from "./share";
export * from "./archive";
export * from "./signing";
export * from "./spool";
export * from "./export";
