// The proof-of-work solver's Web Worker (ADR 032): ALTCHA's own worker loop
// with the WebCrypto SHA-256, served from the portal's origin (CSP worker-src
// 'self'), so solving never blocks the page.
import { deriveKey } from "altcha-lib/algorithms/web/sha";
import { handler } from "altcha-lib/workers/shared";

handler({ deriveKey });
