// Streaming server rendering with the per-request CSP nonce (on `RemixServer`
// and `renderToPipeableStream`); every document is `Cache-Control: no-store`.
// `handleError` logs loader and action errors through `describeError` only
// (Remix's default prints the error, and query errors quote their parameters).
// A loader or action that found the database unreachable marks its load context
// there; `handleRequest` then answers the plain 503 page and
// `handleDataRequest` a 503 for client-side navigations, both with
// `Retry-After` (API routes answer it themselves, as JSON). With ONION_LOCATION,
// every document carries `Onion-Location` (platform/onion-location.ts).
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from "../db/unavailable";
import { describeError } from "./.server/platform/log";
import { onionLocationFor } from "./.server/platform/onion-location";
import { unavailablePageHtml } from "./.server/platform/unavailable";
import { resolveLocale } from "./i18n";
import { NonceContext } from "./nonce";

const ABORT_DELAY = 5_000;

/**
 * Requests (by their load context) in which a loader or action found the database unreachable. Remix calls
 * handleError with the error itself before it calls handleRequest or handleDataRequest with the error already
 * sanitised, so this is where the two meet. (API routes answer such errors themselves in handleApi: 503 JSON.)
 */
const databaseUnavailable = new WeakSet<AppLoadContext>();

/**
 * Errors thrown by loaders and actions. Remix's default prints the whole error,
 * and query errors quote their parameters (ciphertext, look-up values): log
 * only what describeError keeps.
 */
export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  if (isDatabaseUnavailable(error)) {
    databaseUnavailable.add(context);
    context.services?.log.error("database unavailable", describeError(error));
    return;
  }
  context.services?.log.error("request failed", describeError(error));
}

/** A page while the database cannot be reached: a plain 503 page (no React, no scripts) in the reader's language. */
function unavailablePage(request: Request, headers: Headers): Response {
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  return new Response(unavailablePageHtml(resolveLocale(request)), { status: 503, headers });
}

/** Client-side navigations (single fetch) that met the same outage: 503 with Retry-After instead of 500. */
export function handleDataRequest(response: Response, { context }: { context: AppLoadContext }) {
  if (response.status !== 500 || !databaseUnavailable.has(context)) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  return new Response(response.body, { status: 503, statusText: "Service Unavailable", headers });
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  // Pages may show decrypted content or receipts later on: never cache them.
  responseHeaders.set("Cache-Control", "no-store");
  const onion = onionLocationFor(loadContext.services?.config.ONION_LOCATION, request.url);
  if (onion) responseHeaders.set("Onion-Location", onion);
  if (databaseUnavailable.has(loadContext)) return unavailablePage(request, responseHeaders);
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) loadContext.services?.log.error("render error", { error: String(error).split("\n")[0] });
        },
      },
    );
    setTimeout(abort, ABORT_DELAY + 1000);
  });
}
