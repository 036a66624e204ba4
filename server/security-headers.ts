// Security headers for every response, and the per-request CSP nonce that
// Remix puts on its inline scripts. The policy is enforced, not report-only.
//
// Also: `Strict-Transport-Security` is two years with includeSubDomains, only
// with `HSTS=true` (TLS ends at the operator's proxy). The same-origin check
// compares `Origin` with `PUBLIC_ORIGIN`, else `<protocol>://<Host>`, so behind
// a TLS proxy `PUBLIC_ORIGIN` must be set. `Origin: null` passes only on a page's
// own form post marked `Sec-Fetch-Site: same-origin` (see sameOriginWrites).
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // wasm-unsafe-eval: libsodium runs as WebAssembly; nothing may eval JavaScript.
    `script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    dev ? "connect-src 'self' ws://localhost:24678" : "connect-src 'self'",
    "worker-src 'self'",
    // blob: only: the reporter's preview of a disguised voice message and the decrypted one on staff pages (ADR 046).
    "media-src blob:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "manifest-src 'self'",
  ].join("; ");
}

/** The pages that record a voice message (ADR 046) may ask for the microphone; every other page may not. */
const MICROPHONE_PAGES = new Set(["/report", "/status"]);

export function permissionsPolicy(path: string): string {
  const microphone = MICROPHONE_PAGES.has(path) ? "microphone=(self)" : "microphone=()";
  return `camera=(), ${microphone}, geolocation=(), payment=(), usb=(), interest-cohort=()`;
}

export function securityHeaders(options: { dev: boolean; hsts: boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, options.dev));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    res.setHeader("Permissions-Policy", permissionsPolicy(req.path));
    if (options.hsts) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    next();
  };
}

/**
 * Refuses state-changing requests that a browser marks as coming from another
 * site (a form of our own posts `Origin: null` with `Sec-Fetch-Site: same-origin`). Requests without Origin (non-browser clients) carry no ambient
 * credentials on reporter routes; staff routes add their own session checks.
 */
export function sameOriginWrites(publicOrigin: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const site = req.get("Sec-Fetch-Site");
    const origin = req.get("Origin");
    const own = publicOrigin ?? `${req.protocol}://${req.get("Host")}`;
    // A page's own form post (the pages without JavaScript, ADR 043 and ADR 044) says `Origin: null`: under
    // `Referrer-Policy: no-referrer` browsers serialise the origin of a non-CORS request as "null". The browser's
    // own `Sec-Fetch-Site: same-origin`, which no page can set, vouches for it; only for pages, never /api/.
    const ownFormPost = origin === "null" && site === "same-origin" && !req.path.startsWith("/api/");
    if (site === "cross-site" || (origin !== undefined && origin !== "null" && origin !== own) || (origin === "null" && !ownFormPost)) {
      res
        .status(403)
        .type("application/json")
        .send(JSON.stringify({ error: { code: "cross_origin", message: "cross-origin request refused" } }));
      return;
    }
    // Vouched for above; Remix's own action check would refuse "null" (it compares Origin with Host).
    if (ownFormPost) delete req.headers.origin;
    next();
  };
}
